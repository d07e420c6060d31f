package org.countersign.app;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;
import org.countersign.app.EventFeed.Delivery;
import org.countersign.domain.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the events of one consumer group to a handler, one at a time and in order, acknowledging each
 * only after the handler succeeded. A handler that asks to retry later (a 429, a peer that is down) is
 * retried for as long as it takes; one that keeps failing otherwise is retried with backoff and then set
 * aside in the dead-letter list, so one bad event never stops the others for good. With {@link Retries#forAtLeast}
 * it gives up after a total time instead of a number of attempts, and a handler may {@link GiveUp} at once.
 */
public final class StreamConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamConsumer.class);
    static final int BATCH = 32;
    static final Duration BLOCK = Duration.ofSeconds(1);
    static final Duration ABANDONED_AFTER = Duration.ofSeconds(30);
    /** How often entries left by others are looked for: entries handed back at a shutdown are taken within this. */
    static final Duration CLAIM_EVERY = Duration.ofSeconds(2);
    /** How long a stopping consumer lets the deliveries it started finish before it interrupts them. */
    static final Duration FINISH = Duration.ofSeconds(10);

    /** Does one event's side effect; must be idempotent, as an event may come again after a crash. */
    @FunctionalInterface
    public interface Handler {
        void handle(Event event) throws Exception;
    }

    /** Thrown by a handler when the peer asked to wait (HTTP 429 Retry-After) or is down for now. */
    public static final class RetryLater extends RuntimeException {
        private final Duration after;

        public RetryLater(String message, Duration after) {
            super(message);
            this.after = after;
        }

        public Duration after() { return after; }
    }

    /** Thrown by a handler when trying again cannot help (a 4xx answer): the event is dead-lettered at once. */
    public static final class GiveUp extends RuntimeException {
        public GiveUp(String message) {
            super(message);
        }
    }

    /**
     * When to stop retrying an event that fails: after {@code maxAttempts} failures, or once {@code giveUpAfter}
     * has passed since its first failure (null: never), whichever comes first; {@code backoff} gives the wait
     * after the n-th failure in a row (n from 1). With a {@code giveUpAfter}, a {@link RetryLater} also counts.
     */
    public record Retries(int maxAttempts, Duration giveUpAfter, IntFunction<Duration> backoff) {
        public Retries {
            if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts < 1: " + maxAttempts);
            java.util.Objects.requireNonNull(backoff, "backoff");
        }

        /** At most {@code maxAttempts} tries, waiting 250 ms doubling up to {@code maxBackoff}, with jitter. */
        public static Retries attempts(int maxAttempts, Duration maxBackoff) {
            return new Retries(maxAttempts, null, exponential(Duration.ofMillis(250), maxBackoff));
        }

        /** Tries for at least {@code giveUpAfter} (a restart starts the count again), waiting {@code first} doubling up to {@code max}. */
        public static Retries forAtLeast(Duration giveUpAfter, Duration first, Duration max) {
            return new Retries(Integer.MAX_VALUE, giveUpAfter, exponential(first, max));
        }

        /** Waits {@code first}, doubling up to {@code max}, each time between half and all of it (jitter). */
        public static IntFunction<Duration> exponential(Duration first, Duration max) {
            return failures -> {
                long base = Math.min(max.toMillis(), first.toMillis() << Math.min(Math.max(failures - 1, 0), 30));
                base = Math.max(base, 1);
                return Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
            };
        }
    }

    private final EventFeed feed;
    private final String group;
    private final String consumer;
    private final Handler handler;
    private final Retries retries;
    private Duration abandonedAfter = ABANDONED_AFTER;
    private volatile boolean running;
    /** Set by {@link #close}: no new reads or deliveries, no more waits; what is started finishes. */
    private volatile boolean stopping;
    private Thread thread;

    private Lanes lanes;
    private CardBacklog backlog;
    private final Acknowledgements acknowledgements;

    public StreamConsumer(EventFeed feed, String group, String consumer, Handler handler, Retries retries) {
        this.feed = feed;
        this.group = group;
        this.consumer = consumer;
        this.handler = handler;
        this.retries = retries;
        this.acknowledgements = new Acknowledgements(feed, group);
    }

    public StreamConsumer(EventFeed feed, String group, String consumer, Handler handler, int maxAttempts,
                          Duration maxBackoff) {
        this(feed, group, consumer, handler, Retries.attempts(maxAttempts, maxBackoff));
    }

    public StreamConsumer(EventFeed feed, String group, String consumer, Handler handler) {
        this(feed, group, consumer, handler, 8, Duration.ofSeconds(30));
    }

    /** Joins the group and starts consuming on a thread of its own. */
    public synchronized StreamConsumer start() {
        if (thread != null) return this;
        joinUntilReady();
        running = true;
        thread = new Thread(this::run, "events-" + group);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void joinUntilReady() {
        try {
            feed.join(group);
        } catch (StoreUnavailable e) {
            log.warn("{}: cannot join the events stream yet ({}); will keep trying", group, e.getMessage());
        }
    }

    private void run() {
        long lastClaim = 0;
        boolean joined = false;
        while (running && !stopping) {
            try {
                if (!joined) {
                    if (lanes != null) lanes.drain(); // what the lanes hold is pending too: not read twice
                    feed.join(group);
                    joined = true;
                    deliverAll(feed.unacknowledged(group, consumer, Integer.MAX_VALUE));
                }
                if (System.nanoTime() - lastClaim > Math.min(abandonedAfter.toNanos() / 2, CLAIM_EVERY.toNanos())) {
                    lastClaim = System.nanoTime();
                    deliverAll(feed.claimAbandoned(group, consumer, abandonedAfter, BATCH));
                }
                deliverAll(feed.next(group, consumer, BATCH, BLOCK));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (StoreUnavailable e) {
                log.warn("{}: events stream unavailable ({}); retrying", group, e.getMessage());
                joined = false; // re-read what is still pending once Redis is back
                pause(Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                if (!running) return;
                log.error("{}: consumer loop failed; retrying", group, e);
                pause(Duration.ofSeconds(1));
            }
        }
    }

    private void deliverAll(List<Delivery> deliveries) {
        if (lanes == null) {
            deliverInOrder(deliveries);
            return;
        }
        try {
            lanes.throwIfFailed();
            for (var d : deliveries) submit(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void submit(Delivery d) throws InterruptedException {
        var tracked = backlog;
        if (tracked != null) tracked.taken();
        try {
            lanes.submit(d.event().request(), () -> {
                try {
                    if (running && !stopping) deliver(d);
                } finally {
                    if (tracked != null) tracked.finished();
                }
            });
        } catch (InterruptedException | RuntimeException e) {
            if (tracked != null) tracked.finished();
            throw e;
        }
    }

    private void deliverInOrder(List<Delivery> deliveries) {
        for (var d : deliveries) {
            if (!running || stopping) return;
            deliver(d);
        }
    }

    /** Tells {@code backlog} of every event handed to the lanes and finished, so answers to presses can wait their turn. */
    public StreamConsumer tracking(CardBacklog backlog) {
        this.backlog = backlog;
        return this;
    }

    /**
     * Delivers the events of up to {@code count} requests at once, each request's events still in order: for
     * side effects that are slow per call (chat APIs) and independent between requests.
     */
    public StreamConsumer inLanes(int count) {
        if (count > 1) lanes = new Lanes(count, 4 * BATCH, "events-" + group + "-lane");
        return this;
    }

    /** Delivers one event until the handler succeeds, gives up, or the consumer stops. */
    void deliver(Delivery delivery) {
        int failures = 0;
        long firstFailure = 0;
        var id = delivery.event().id();
        while (running) {
            try {
                handler.handle(delivery.event());
                acknowledgements.acknowledge(delivery);
                return;
            } catch (StoreUnavailable e) {
                throw e;
            } catch (GiveUp e) {
                log.warn("{}: giving up on {} at once: {}", group, id, e.getMessage());
                setAside(delivery, e.getMessage());
                return;
            } catch (RetryLater e) {
                if (firstFailure == 0) firstFailure = System.nanoTime();
                if (timeIsUp(firstFailure)) {
                    setAside(delivery, "gave up after " + retries.giveUpAfter() + " (" + (failures + 1)
                            + " attempts); last: " + e.getMessage());
                    return;
                }
                if (stopping) return; // handed back as it is, for another instance to try
                log.info("{}: {} waits {} ms: {}", group, id, e.after().toMillis(), e.getMessage());
                waitKeeping(delivery, e.after());
            } catch (Exception e) {
                failures++;
                if (firstFailure == 0) firstFailure = System.nanoTime();
                if (failures >= retries.maxAttempts() || timeIsUp(firstFailure)) {
                    log.error("{}: giving up on {} after {} attempts: {}", group, id, failures, e.toString());
                    setAside(delivery, retries.giveUpAfter() == null ? e.toString()
                            : "gave up after " + retries.giveUpAfter() + " (" + failures + " attempts); last: " + e.getMessage());
                    return;
                }
                if (stopping) return;
                var wait = retries.backoff().apply(failures);
                log.warn("{}: {} failed (attempt {}), retrying in {} ms: {}", group, id, failures, wait.toMillis(),
                        e.toString());
                waitKeeping(delivery, wait);
            }
        }
    }

    /**
     * Waits before a retry, keeping the entry ours all along: otherwise, once idle for {@code abandonedAfter}, another
     * instance's claim takes it too and the peer gets it twice (N times with N instances).
     */
    private void waitKeeping(Delivery delivery, Duration wait) {
        long end = System.nanoTime() + wait.toNanos();
        var slice = abandonedAfter.dividedBy(3);
        while (running && !stopping) {
            feed.keep(group, consumer, delivery);
            long left = end - System.nanoTime();
            if (left <= 0) return;
            pause(Duration.ofNanos(Math.min(left, slice.toNanos())));
        }
    }

    /** After how long idle another consumer's entries are taken over (30 s; shorter in tests). */
    StreamConsumer abandonedAfter(Duration idle) {
        this.abandonedAfter = idle;
        return this;
    }

    private boolean timeIsUp(long firstFailure) {
        return retries.giveUpAfter() != null && System.nanoTime() - firstFailure >= retries.giveUpAfter().toNanos();
    }

    private void setAside(Delivery delivery, String reason) {
        feed.deadLetter(group, delivery, reason);
        feed.acknowledge(group, delivery);
    }

    private void pause(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /**
     * Stops as a rolling deploy wants: reads nothing more, lets the deliveries in progress finish (up to {@link #FINISH})
     * and acknowledges them, then hands back whatever else it holds, so another instance delivers it within seconds
     * instead of once it has been idle for {@link #ABANDONED_AFTER}.
     */
    @Override
    public void close() {
        Thread worker;
        synchronized (this) {
            stopping = true;
            worker = thread;
        }
        join(worker, FINISH);
        // The reader hands events to the lanes without waiting for them: the deliveries they started finish too.
        if (lanes != null && !lanes.awaitIdle(FINISH))
            log.warn("{}: deliveries still running after {}; they are interrupted and handed back", group, FINISH);
        synchronized (this) {
            this.running = false;
            if (lanes != null) lanes.close();
            if (worker != null && worker.isAlive()) {
                worker.interrupt();
                join(worker, Duration.ofSeconds(5));
            }
            if (worker == null) return;
            thread = null;
        }
        try {
            int handed = feed.handBack(group, consumer);
            if (handed > 0) log.info("{}: handed {} event(s) back for another instance to deliver", group, handed);
        } catch (RuntimeException e) {
            log.warn("{}: could not hand its events back ({}); another instance takes them after {}", group,
                    e.getMessage(), abandonedAfter);
        }
    }

    private static void join(Thread thread, Duration within) {
        if (thread == null) return;
        try {
            thread.join(within.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
