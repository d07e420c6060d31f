package org.countersign.domain;

import java.time.Instant;

/**
 * What a request has already been reminded of, so each reminder is sent once: saved with the request under its
 * version check, a second instance (or the same one after a restart) deciding again finds it done.
 *
 * @param reminders       how many reminder slots have passed and been sent (a slot every {@code remind-after})
 * @param escalated       when the on-call was paged for it, else null
 * @param expiryWarnedFor the deadline the requester was last warned about (the pending request's expiry, or when an
 *                        approved one's approvals go stale), else null; a new deadline is warned about again
 */
public record Reminded(int reminders, Instant escalated, Instant expiryWarnedFor) {
    public static final Reminded NONE = new Reminded(0, null, null);

    public Reminded {
        if (reminders < 0) throw new IllegalArgumentException("reminders < 0: " + reminders);
    }
}
