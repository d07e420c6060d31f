package org.countersign.app;

import org.countersign.domain.Actor;
import org.countersign.domain.Event;
import org.countersign.domain.Platform;
import org.countersign.domain.Policy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line in the service's log per recorded decision, so the terminal says what happens: {@code EMG-1 approved for SRE
 * by alice via console}. Only ids, teams, states and people: never what a request is about, nor a reason or note
 * typed (a confidential request's text must not reach a log that people outside its teams read).
 */
final class DecisionLog {
    private static final Logger log = LoggerFactory.getLogger(DecisionLog.class);

    private DecisionLog() {}

    static void recorded(Event e, Policy policy) {
        if (log.isInfoEnabled()) log.info(line(e, policy));
    }

    static String line(Event e, Policy policy) {
        var id = e.request().toString();
        var by = " by " + who(e.actor(), policy);
        var team = e.team() == null ? "" : policy.teamLabel(e.team());
        return id + " " + switch (e.type()) {
            // The opening's detail is the reason's label, from the policy, not typed text.
            case REQUEST_OPENED -> "opened" + by + (e.detail() == null ? "" : " (" + e.detail() + ")");
            case APPROVAL_ADDED -> "approved for " + team + by;
            case APPROVAL_WITHDRAWN -> "approval for " + team + " withdrawn" + by;
            case APPROVALS_CLEARED -> "approvals cleared by an edit of its changes" + by;
            case REQUEST_EDITED -> "changes edited" + by;
            case REQUEST_APPROVED -> "break-glass".equals(e.detail()) ? "approved without its quorum (break-glass)"
                    : "approved: every required team has signed";
            case REQUEST_REJECTED -> "rejected" + by;
            case REQUEST_CANCELLED -> "cancelled" + by;
            case REQUEST_EXPIRED -> "expired";
            case DEPLOY_STARTED -> "deploy started" + by;
            case DEPLOY_FINISHED -> "deploy ended: " + e.state().label() + by;
            case REQUEST_CLOSED -> "closed" + by;
            case REQUEST_BREAK_GLASS -> "BREAK-GLASS" + by;
            case REQUEST_REVIEWED -> "reviewed" + by;
            case REVIEW_OVERDUE -> "review overdue";
            case REQUEST_REMINDED -> "teams reminded";
            case REQUEST_ESCALATED -> "escalated to the on-call";
            case REQUEST_EXPIRY_WARNED -> "requester warned of the expiry";
        };
    }

    private static String who(Actor actor, Policy policy) {
        if (actor.platform() == Platform.SYSTEM) return "Countersign";
        return policy.personOf(actor).equals(actor.toString()) ? actor.toString()
                : policy.personOf(actor) + " via " + actor.platform().name().toLowerCase(java.util.Locale.ROOT);
    }
}
