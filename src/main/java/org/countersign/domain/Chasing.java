package org.countersign.domain;

import static org.countersign.domain.EventType.REQUEST_ESCALATED;
import static org.countersign.domain.EventType.REQUEST_EXPIRY_WARNED;
import static org.countersign.domain.EventType.REQUEST_REMINDED;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.countersign.domain.Command.Remind;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Outcome.Unchanged;

/**
 * The rules of chasing a request that waits ({@link Reminders}): what is due at an instant, and recording it once.
 * Reminders fall at opened + k × remind-after (k = 1, 2, …) while the request is pending and before it expires; a
 * sweep that comes late sends one reminder for all the slots it missed, never a burst. The escalation falls once at
 * opened + escalate-after, while pending. The expiry warning falls at deadline − warn-before-expiry, before the
 * deadline: a pending request's expiry, or when an approved one's approvals go stale (each deadline warned once).
 * Nothing is due once a request is neither pending nor approved.
 */
final class Chasing {
    private final Workflow workflow;

    Chasing(Workflow workflow) { this.workflow = workflow; }

    /** What is due for {@code r} at {@code now}, in the order it is sent; empty when nothing is. */
    List<EventType> due(EmergencyRequest r, Instant now) {
        var settings = workflow.policy().reminders();
        var done = r.reminded();
        var due = new ArrayList<EventType>();
        if (r.state() == State.PENDING && now.isBefore(r.expires())) {
            if (settings.remindAfter() != null && slot(r, now, settings.remindAfter()) > done.reminders())
                due.add(REQUEST_REMINDED);
            if (settings.escalateAfter() != null && done.escalated() == null
                    && !now.isBefore(r.created().plus(settings.escalateAfter())))
                due.add(REQUEST_ESCALATED);
        }
        var deadline = deadline(r);
        if (settings.warnBeforeExpiry() != null && deadline != null && now.isBefore(deadline)
                && !now.isBefore(deadline.minus(settings.warnBeforeExpiry()))
                && !deadline.equals(done.expiryWarnedFor()))
            due.add(REQUEST_EXPIRY_WARNED);
        return due;
    }

    Outcome remind(EmergencyRequest r, Remind c, Instant now) {
        var due = due(r, now);
        if (due.isEmpty()) return new Unchanged(r, "Nothing is due for " + r.id() + " now");
        var settings = workflow.policy().reminders();
        var done = r.reminded();
        int reminders = done.reminders();
        var escalated = done.escalated();
        var warnedFor = done.expiryWarnedFor();
        if (due.contains(REQUEST_REMINDED)) reminders = (int) slot(r, now, settings.remindAfter());
        if (due.contains(REQUEST_ESCALATED)) escalated = now;
        if (due.contains(REQUEST_EXPIRY_WARNED)) warnedFor = deadline(r);
        var next = r.withReminded(new Reminded(reminders, escalated, warnedFor)).next(r.state(), now);
        var needed = workflow.labels(workflow.teamsStillNeeded(r));
        var waited = minutes(Duration.between(r.created(), now));
        var events = new ArrayList<Event>();
        for (var type : due) {
            var detail = switch (type) {
                case REQUEST_REMINDED -> "still needs " + needed + " (waiting " + waited + ")";
                case REQUEST_ESCALATED -> "still needs " + needed + " after " + waited;
                default -> warning(r, deadline(r), now, needed);
            };
            events.add(Workflow.event(next, events.size(), type, now, c.by(), null, detail));
        }
        return new Applied(next, events, "Sent " + String.join(", ", due.stream().map(EventType::wire).toList())
                + " for " + r.id());
    }

    private static String warning(EmergencyRequest r, Instant deadline, Instant now, String needed) {
        var in = " (in " + minutes(Duration.between(now, deadline)) + ")";
        return r.state() == State.APPROVED
                ? "The approvals of " + r.id() + " expire at " + Workflow.HH_MM.format(deadline) + in
                        + " unless its deploy starts; start it, or open a new request later"
                : r.id() + " expires at " + Workflow.HH_MM.format(deadline) + in + " unless " + needed
                        + " approve it; cancel it if it is no longer needed";
    }

    private Instant deadline(EmergencyRequest r) {
        return switch (r.state()) {
            case PENDING -> r.expires();
            case APPROVED -> workflow.approvalsValidUntil(r);
            default -> null;
        };
    }

    private static long slot(EmergencyRequest r, Instant now, Duration every) {
        var waited = Duration.between(r.created(), now);
        return waited.isNegative() ? 0 : waited.toMillis() / every.toMillis();
    }

    static String minutes(Duration d) { return Reminders.spoken(d); }
}
