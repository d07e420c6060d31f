package org.countersign.app;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.countersign.domain.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Now and then, tells people about each review that is overdue (a {@code review.overdue} event, which the cards
 * thread and the webhooks deliver). The Workflow allows one reminder per request per {@code due-after}, written with a
 * compare-and-set, so instances sweeping at once, or one restarted, remind once.
 */
public final class ReviewReminder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReviewReminder.class);

    private final RequestService service;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        var t = new Thread(r, "review-reminder");
        t.setDaemon(true);
        return t;
    });

    public ReviewReminder(RequestService service) { this.service = service; }

    /** Reminds every overdue review not reminded lately; returns how many this call reminded. */
    public int remindOnce() {
        int reminded = 0;
        var now = service.now();
        for (var r : service.awaitingReview())
            if (r.reviewOverdue(now) && service.remindReview(r.id()) instanceof Outcome.Applied) reminded++;
        return reminded;
    }

    public ReviewReminder start(Duration interval) {
        timer.scheduleWithFixedDelay(this::remindQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void remindQuietly() {
        try {
            int n = remindOnce();
            if (n > 0) log.info("reminded {} overdue review(s)", n);
        } catch (RuntimeException e) {
            log.warn("review reminder failed; will try again: {}", e.toString());
        }
    }

    @Override
    public void close() { timer.shutdownNow(); }
}
