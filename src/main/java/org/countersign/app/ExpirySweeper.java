package org.countersign.app;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.countersign.domain.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires pending requests whose time is up, and approved ones whose approvals went stale before the deploy
 * started. Several instances may sweep at once: each expiry is a compare-and-set through the service, so one wins
 * and the others see it already expired.
 */
public final class ExpirySweeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExpirySweeper.class);
    static final int BATCH = 100;

    private final RequestStore store;
    private final RequestService service;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        var t = new Thread(r, "expiry-sweeper");
        t.setDaemon(true);
        return t;
    });

    public ExpirySweeper(RequestStore store, RequestService service, Clock clock) {
        this.store = store;
        this.service = service;
        this.clock = clock;
    }

    /** Expires every request that is due now; returns how many this call expired. */
    public int sweepOnce() {
        int expired = 0;
        while (true) {
            var due = store.dueForExpiry(clock.instant(), BATCH);
            int before = expired;
            for (var id : due)
                if (service.expire(id) instanceof Outcome.Applied) expired++;
            // A full batch that expired nothing means others hold those ids; leave them to the next round.
            if (due.size() < BATCH || expired == before) return expired;
        }
    }

    public ExpirySweeper start(Duration interval) {
        timer.scheduleWithFixedDelay(this::sweepQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void sweepQuietly() {
        try {
            int n = sweepOnce();
            if (n > 0) log.info("expired {} request(s)", n);
        } catch (RuntimeException e) {
            log.warn("expiry sweep failed; will try again: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
