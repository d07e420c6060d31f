package org.countersign.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.countersign.app.EventFeed;
import org.countersign.app.StoreUnavailable;
import org.countersign.domain.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the events stream (no consumer group: every instance reads every event) and pushes each event to the
 * browsers connected to this instance by Server-Sent Events. An event says only which request changed, its
 * type and its new state, never its text, so a confidential request's details never travel here; pages fetch
 * what they show through the same checks as any other request.
 */
public final class LiveEvents implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveEvents.class);
    static final Duration BLOCK = Duration.ofSeconds(2);
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** Open streams per client address, and in all, on this instance; more are answered 429. */
    static final int PER_ADDRESS = 20;
    static final int TOTAL = 500;

    private final EventFeed feed;
    private final ObjectMapper json;
    private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> open = new HashMap<>();
    private final int maxPerAddress;
    private final int maxTotal;
    private final Duration heartbeat;
    private int total;
    private volatile boolean running;
    private Thread thread;

    public LiveEvents(EventFeed feed, ObjectMapper json) {
        this(feed, json, PER_ADDRESS, TOTAL, HEARTBEAT);
    }

    /** With other caps, and a heartbeat (which also finds streams whose browser left) of another period. */
    LiveEvents(EventFeed feed, ObjectMapper json, int maxPerAddress, int maxTotal, Duration heartbeat) {
        this.feed = feed;
        this.json = json;
        this.maxPerAddress = maxPerAddress;
        this.maxTotal = maxTotal;
        this.heartbeat = heartbeat;
    }

    /**
     * Starts tailing on a thread of its own, from the events written after now. "Now" is read here, before the
     * thread starts: read by the thread, an event written in between (a browser that connected and acted at once)
     * would be taken for the start and never shown.
     */
    public synchronized LiveEvents start() {
        if (thread != null) return this;
        running = true;
        String from;
        try {
            from = feed.newest();
        } catch (StoreUnavailable e) {
            from = null; // the loop reads it once Redis answers; nothing was written meanwhile
        }
        var start = from;
        thread = new Thread(() -> run(start), "live-events");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /**
     * GET /events: a stream for the client at {@code address}, unless it has {@link #PER_ADDRESS} open here already
     * or this instance has {@link #TOTAL} (429, with what to do). The slot is given back when the stream ends; a
     * browser that left without a word is found by the next heartbeat.
     */
    void stream(Context ctx, String address) {
        var accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new WebApp.BadRequest("GET /events is a stream of Server-Sent Events: send Accept: text/event-stream "
                    + "(a browser's EventSource does)");
        }
        if (!reserve(address)) {
            ctx.header("Retry-After", Long.toString(Math.max(1, heartbeat.toSeconds())));
            throw new WebApp.TooManyRequests("Too many live streams: " + address + " has " + maxPerAddress
                    + " open (or this server has " + maxTotal + " in all). Close some dashboard or console tabs, "
                    + "then reload");
        }
        var released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) release(address);
        };
        try {
            new SseHandler(client -> connect(client, release)).handle(ctx); // the stream runs on asynchronously; its close gives the slot back
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
    }

    /** Keeps the browser's connection open until it leaves; what it is sent comes from {@link #run}. */
    void connect(SseClient client) {
        connect(client, () -> {});
    }

    /** {@code closed} runs once the stream ends (SseClient keeps one close callback, so it is passed in here). */
    private void connect(SseClient client, Runnable closed) {
        client.keepAlive();
        client.onClose(() -> {
            clients.remove(client);
            closed.run();
        });
        // Under the client's lock, as every write to it: Jetty refuses a write while another is blocked (the event
        // thread's broadcast meeting this comment closed the stream of a browser that connected as an event came).
        synchronized (client) {
            clients.add(client);
            client.sendComment("connected");
        }
    }

    int connected() { return clients.size(); }

    /** Streams open for {@code address} on this instance. */
    synchronized int openFor(String address) { return open.getOrDefault(address, 0); }

    private synchronized boolean reserve(String address) {
        if (total >= maxTotal || open.getOrDefault(address, 0) >= maxPerAddress) return false;
        total++;
        open.merge(address, 1, Integer::sum);
        return true;
    }

    private synchronized void release(String address) {
        total--;
        open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    private void run(String from) {
        String position = from;
        long lastBeat = System.nanoTime();
        while (running) {
            try {
                var tail = feed.tail(position, 100, BLOCK);
                position = tail.position();
                for (var delivery : tail.deliveries()) broadcast(delivery.deliveryId(), delivery.event());
                if (System.nanoTime() - lastBeat > heartbeat.toNanos()) {
                    lastBeat = System.nanoTime();
                    // Finds browsers that left without saying so, and keeps proxies from closing idle connections.
                    clients.forEach(c -> send(c, () -> c.sendComment("heartbeat")));
                }
            } catch (StoreUnavailable e) {
                if (!running) return;
                log.warn("live events: events stream unavailable ({}); retrying", e.getMessage());
                pause();
            } catch (RuntimeException e) {
                if (!running) return;
                log.error("live events: tailing failed; retrying", e);
                pause();
            }
        }
    }

    private void broadcast(String streamId, Event event) {
        String data;
        try {
            data = json.writeValueAsString(Map.of("id", event.id(), "type", event.type().wire(),
                    "request", event.request().toString(), "state", event.state().name()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot write a live event", e);
        }
        clients.forEach(c -> send(c, () -> c.sendEvent("request", data, streamId)));
    }

    private void send(SseClient client, Runnable send) {
        if (client.terminated()) {
            clients.remove(client);
            return;
        }
        synchronized (client) {
            try {
                send.run();
            } catch (RuntimeException e) {
                log.debug("live stream dropped: {}", e.toString());
                clients.remove(client);
                try {
                    client.close(); // gives its slot back
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        // Ends each open stream while the server still runs (Main stops this before the web server): a stream
        // whose request the server already dropped must not be touched.
        clients.forEach(c -> {
            clients.remove(c);
            if (c.terminated()) return;
            try {
                synchronized (c) {
                    c.close();
                }
            } catch (RuntimeException e) {
                log.debug("closing a live stream: {}", e.toString());
            }
        });
        // Not joined: the thread may sit in a blocking read for up to BLOCK, and ends by itself after it.
        if (thread != null) thread.interrupt();
    }
}
