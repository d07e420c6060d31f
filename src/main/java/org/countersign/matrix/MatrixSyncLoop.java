package org.countersign.matrix;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.countersign.app.KeyValues;
import org.countersign.app.Leases;
import org.countersign.app.RequestService;
import org.countersign.app.StoreUnavailable;
import org.countersign.app.Throttle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the rooms with {@code /sync} and hands each new event to the bot. Exactly one instance syncs at a
 * time: it holds a lease in Redis, renewed after every long poll, and another instance takes over within a
 * lease's time when the holder dies. The {@code since} token lives in Redis, so the new holder carries on
 * where the old one stopped; on the very first start the history is skipped. A gappy ({@code limited}) sync is
 * filled in from {@code /messages} ({@link MatrixGap}). Events are handled at least once: an event is marked handled
 * in Redis only after it was, and the token moves on only after every event of the sync was, so an instance that dies
 * mid-command leaves it to the next holder, whose bot recognises what was already done ({@link MatrixBot}).
 */
public final class MatrixSyncLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MatrixSyncLoop.class);
    static final String LEASE = "matrix-sync";
    static final String SINCE = "matrix:since";
    static final Duration HANDLED_MEMORY = Duration.ofDays(7);
    static final int ATTEMPTS = 3;
    static final java.util.List<String> TYPES = java.util.List.of("m.room.message", "m.reaction", "m.room.redaction");

    private final MatrixClient matrix;
    private final RequestService service;
    private final Throttle throttle;
    private MatrixBot bot;
    private final Leases leases;
    private final KeyValues kv;
    private final MatrixRooms rooms;
    private final String instance;
    private final Duration leaseTime;
    private final Duration longPoll;
    private volatile String filter;
    private volatile MatrixGap gap;
    private volatile boolean running;
    private volatile boolean releaseOnStop = true;
    /** In the long poll or a pause, where a stop may interrupt it; elsewhere the round in progress finishes first. */
    private volatile boolean waiting;
    /** How often an instance without the lease tries for it: after a holder hands it back, at most this late. */
    static final Duration TRY_LEASE_EVERY = Duration.ofSeconds(1);
    private Thread thread;

    public MatrixSyncLoop(MatrixClient matrix, RequestService service, Leases leases, KeyValues kv, MatrixRooms rooms,
                          String instance, Duration leaseTime, Duration longPoll, Throttle throttle) {
        this.throttle = throttle;
        this.matrix = matrix;
        this.service = service;
        this.leases = leases;
        this.kv = kv;
        this.rooms = rooms;
        this.instance = instance;
        this.leaseTime = leaseTime;
        this.longPoll = longPoll;
        this.filter = filter(rooms, null);
        this.gap = new MatrixGap(matrix, TYPES, null);
    }

    /**
     * Only our rooms, only messages and reactions, none of the bot's own ({@code me}, when known: its answers would
     * fill the timeline and make the next sync gappy), and enough of them per sync that a busy minute is not cut.
     */
    private static String filter(MatrixRooms rooms, String me) {
        var f = JsonNodeFactory.instance.objectNode();
        var room = f.putObject("room");
        var list = room.putArray("rooms");
        rooms.all().forEach(list::add);
        var timeline = room.putObject("timeline");
        timeline.put("limit", 100);
        TYPES.forEach(timeline.putArray("types")::add);
        if (me != null) timeline.putArray("not_senders").add(me);
        room.putObject("state").putArray("types");
        room.putObject("ephemeral").putArray("not_types").add("*");
        room.putObject("account_data").putArray("not_types").add("*");
        f.putObject("presence").putArray("not_types").add("*");
        f.putObject("account_data").putArray("not_types").add("*");
        return f.toString();
    }

    public synchronized MatrixSyncLoop start() {
        if (thread != null) return this;
        running = true;
        thread = new Thread(this::run, "matrix-sync");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void run() {
        int failures = 0;
        boolean joined = bot != null;
        while (running) {
            try {
                if (!leases.acquire(LEASE, instance, leaseTime)) {
                    pause(min(leaseTime.dividedBy(4), TRY_LEASE_EVERY));
                    continue;
                }
                if (!joined) {
                    // Who we are (to ignore our own events), and in the rooms, before the first sync.
                    var me = matrix.whoami();
                    bot = new MatrixBot(service, matrix, kv, rooms, me, throttle);
                    filter = filter(rooms, me);
                    gap = new MatrixGap(matrix, TYPES, me);
                    for (var room : rooms.all()) matrix.join(room);
                    joined = true;
                }
                syncOnce();
                failures = 0;
            } catch (MatrixException e) {
                failures++;
                var wait = e.retryAfter().orElse(backoff(failures));
                if (e.kind() == MatrixException.Kind.UNKNOWN_TOKEN) {
                    log.error("Matrix refuses the access token ({}); set a valid MATRIX_ACCESS_TOKEN", e.error());
                    wait = Duration.ofSeconds(30);
                } else {
                    log.warn("Matrix sync failed ({}); retrying in {} ms", e.getMessage(), wait.toMillis());
                }
                pause(wait);
            } catch (StoreUnavailable e) {
                log.warn("Matrix sync paused: {}", e.getMessage());
                pause(Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                if (!running) return;
                failures++;
                log.error("Matrix sync failed; retrying", e);
                pause(backoff(failures));
            }
        }
        if (!releaseOnStop) return;
        try {
            leases.release(LEASE, instance);
        } catch (RuntimeException e) {
            // The lease expires by itself.
        }
    }

    /** One round: sync from the stored token, hand every new event to the bot, store the next token. */
    void syncOnce() {
        var since = kv.get(SINCE);
        if (since.isEmpty()) {
            // First start: what was said before Countersign joined is history, not commands.
            var first = matrix.sync(null, filter, Duration.ZERO);
            kv.put(SINCE, first.nextBatch(), null);
            log.info("Matrix: skipped the rooms' history; listening from now on");
            return;
        }
        SyncResponse response;
        waiting = true;
        try {
            if (!running) return;
            response = matrix.sync(since.get(), filter, longPoll);
        } finally {
            waiting = false;
        }
        if (!leases.renew(LEASE, instance, leaseTime)) {
            log.info("Matrix: lost the sync lease to another instance; it carries on");
            return;
        }
        for (var room : rooms.all()) {
            var joined = response.joined().get(room);
            if (joined == null) continue;
            for (var event : gap.events(room, joined, since.get())) {
                var handled = handledKey(event.eventId());
                if (kv.get(handled).isPresent()) continue;
                try {
                    bot.handle(room, event);
                } catch (StoreUnavailable e) {
                    throw e; // not the event's fault: it is tried again once Redis answers
                } catch (RuntimeException e) {
                    if (!givenUp(event, e)) throw e;
                }
                kv.put(handled, instance, HANDLED_MEMORY);
            }
        }
        kv.put(SINCE, response.nextBatch(), null);
    }

    static String handledKey(String eventId) { return "matrix:handled:" + eventId; }

    /**
     * Whether to give up on an event whose handling failed: after {@link #ATTEMPTS} tries, so one event that always
     * fails does not hold back every event after it.
     */
    private boolean givenUp(SyncResponse.Event event, RuntimeException failure) {
        var key = "matrix:attempts:" + event.eventId();
        int attempts = kv.get(key).map(Integer::parseInt).orElse(0) + 1;
        if (attempts < ATTEMPTS) {
            kv.put(key, Integer.toString(attempts), HANDLED_MEMORY);
            return false;
        }
        log.error("Matrix: gave up on {} ({}) after {} attempts", event.eventId(), event.type(), attempts, failure);
        return true;
    }

    private static Duration min(Duration a, Duration b) { return a.compareTo(b) <= 0 ? a : b; }

    private static Duration backoff(int failures) {
        long base = Math.min(30_000, 500L << Math.min(failures, 6));
        return Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
    }

    private void pause(Duration d) {
        waiting = true;
        try {
            if (running) Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            waiting = false;
        }
    }

    /** Stops dead, keeping the lease, as a crashed process would: for tests of the takeover. */
    synchronized void halt() {
        releaseOnStop = false;
        close();
    }

    /**
     * Stops after the round in progress (a long poll is cut short) and hands the lease back, so another instance syncs
     * within {@link #TRY_LEASE_EVERY} rather than once the lease expired.
     */
    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            if (waiting || !releaseOnStop) thread.interrupt();
            try {
                thread.join(longPoll.toMillis() + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
