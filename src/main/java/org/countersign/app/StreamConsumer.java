package org.countersign.app;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.countersign.app.EventFeed.Delivery;
import org.countersign.domain.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the events of one consumer group to a handler, one at a time and in order, acknowledging each
 * only after the handler succeeded. A handler that asks to retry later (a 429, a peer that is down) is
 * retried for as long as it takes; one that keeps failing otherwise is retried with backoff and then set
 * aside in the dead-letter list, so one bad event never stops the others for good.
 */
public final class StreamConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamConsumer.class);
    static final int BATCH = 32;
    static final Duration BLOCK = Duration.ofSeconds(1);
    static final Duration ABANDONED_AFTER = Duration.ofSeconds(30);

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

    private final EventFeed feed;
    private final String group;
    private final String consumer;
    private final Handler handler;
    private final int maxAttempts;
    private final Duration maxBackoff;
    private volatile boolean running;
    private Thread thread;

    public StreamConsumer(EventFeed feed, String group, String consumer, Handler handler, int maxAttempts,
                          Duration maxBackoff) {
        this.feed = feed;
        this.group = group;
        this.consumer = consumer;
        this.handler = handler;
        this.maxAttempts = maxAttempts;
        this.maxBackoff = maxBackoff;
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
        while (running) {
            try {
                if (!joined) {
                    feed.join(group);
                    joined = true;
                    deliverAll(feed.unacknowledged(group, consumer, Integer.MAX_VALUE));
                }
                if (System.nanoTime() - lastClaim > ABANDONED_AFTER.toNanos() / 2) {
                    lastClaim = System.nanoTime();
                    deliverAll(feed.claimAbandoned(group, consumer, ABANDONED_AFTER, BATCH));
                }
                deliverAll(feed.next(group, consumer, BATCH, BLOCK));
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
        for (var d : deliveries) {
            if (!running) return;
            deliver(d);
        }
    }

    /** Delivers one event until the handler succeeds, gives up, or the consumer stops. */
    void deliver(Delivery delivery) {
        int failures = 0;
        while (running) {
            try {
                handler.handle(delivery.event());
                feed.acknowledge(group, delivery);
                return;
            } catch (RetryLater e) {
                log.info("{}: {} waits {} ms: {}", group, delivery.event().id(), e.after().toMillis(), e.getMessage());
                pause(e.after());
            } catch (StoreUnavailable e) {
                throw e;
            } catch (Exception e) {
                failures++;
                if (failures >= maxAttempts) {
                    log.error("{}: giving up on {} after {} attempts: {}", group, delivery.event().id(), failures,
                            e.toString());
                    feed.deadLetter(group, delivery, e.toString());
                    feed.acknowledge(group, delivery);
                    return;
                }
                var wait = backoff(failures);
                log.warn("{}: {} failed (attempt {} of {}), retrying in {} ms: {}", group, delivery.event().id(),
                        failures, maxAttempts, wait.toMillis(), e.toString());
                pause(wait);
            }
        }
    }

    private Duration backoff(int failures) {
        long base = Math.min(maxBackoff.toMillis(), 250L << Math.min(failures - 1, 16));
        return Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
    }

    private void pause(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
