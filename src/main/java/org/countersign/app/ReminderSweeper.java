package org.countersign.app;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.countersign.domain.Outcome;
import org.countersign.domain.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the reminders, escalations and expiry warnings that are due ({@code remind-after}, {@code escalate-after},
 * {@code warn-before-expiry}). Each sweep looks at the requests that can still need one (pending and approved: the
 * open index) and asks the Workflow what is due now; what is, is recorded through the service as events saved with the
 * request's version check, and the events stream tells the threads and pages the on-call. Nothing is kept in the JVM:
 * after a restart the next sweep finds what is due from Redis, and of several instances sweeping at once, one records
 * each reminder and the others find it done.
 */
public final class ReminderSweeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReminderSweeper.class);
    /** The most open requests one sweep looks at (newest first); an emergency queue is never near it. */
    static final int OPEN_MAX = 1000;

    private final RequestStore store;
    private final RequestService service;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        var t = new Thread(r, "reminder-sweeper");
        t.setDaemon(true);
        return t;
    });

    public ReminderSweeper(RequestStore store, RequestService service, Clock clock) {
        this.store = store;
        this.service = service;
        this.clock = clock;
    }

    /** Sends what is due now; returns for how many requests this call recorded something. */
    public int sweepOnce() {
        if (!service.policy().reminders().any()) return 0;
        int sent = 0;
        var now = clock.instant();
        for (var request : store.recent(EnumSet.of(State.PENDING, State.APPROVED), OPEN_MAX)) {
            if (service.workflow().remindersDue(request, now).isEmpty()) continue;
            if (service.remind(request.id()) instanceof Outcome.Applied) sent++;
        }
        return sent;
    }

    public ReminderSweeper start(Duration interval) {
        timer.scheduleWithFixedDelay(this::sweepQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void sweepQuietly() {
        try {
            int n = sweepOnce();
            if (n > 0) log.info("sent reminders for {} request(s)", n);
        } catch (RuntimeException e) {
            log.warn("reminder sweep failed; will try again: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
