package org.countersign.domain;

import static org.countersign.domain.Outcome.Refusal.INVALID;
import static org.countersign.domain.Outcome.Refusal.NOT_ALLOWED;
import static org.countersign.domain.Outcome.Refusal.WRONG_STATE;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Outcome.Refused;
import org.countersign.domain.Outcome.Unchanged;

/**
 * The Workflow's rules for going without the quorum and for looking back: break-glass (only the people the policy
 * names, only for its reasons, only with a reason long enough, only while pending) and the review after the deploy
 * (only by a review team's member who neither asked for, deployed nor broke the glass on it). Pure, like the Workflow.
 */
final class Aftercare {
    static final int FOLLOW_UP_MAX = 500;
    /** A task id ({@code T12345}, {@code OPS-42}, {@code #1234}) or an http(s) URL: one token, no spaces. */
    private static final Pattern FOLLOW_UP =
            Pattern.compile("(https?://[^\\s]+)|([A-Za-z][A-Za-z0-9_]*-?[0-9]+)|(#[0-9]+)");

    private final Workflow workflow;

    Aftercare(Workflow workflow) { this.workflow = workflow; }

    private Policy policy() { return workflow.policy(); }

    Outcome breakGlass(EmergencyRequest r, Command.BreakGlass c, Instant now) {
        var rule = policy().breakGlass();
        if (r.breakGlass() != null && r.breakGlass().person().equals(c.by().person()))
            return new Unchanged(r, "You already broke the glass on " + r.id() + " at "
                    + Workflow.HH_MM.format(r.breakGlass().at()));
        if (!rule.isOn())
            return Refused.of(NOT_ALLOWED, "The policy names nobody who may break the glass, so " + r.id()
                    + " needs its approvals (" + workflow.labels(workflow.teamsStillNeeded(r)) + ")");
        if (r.state() != State.PENDING)
            return Refused.of(WRONG_STATE, r.id() + " " + r.state().phrase()
                    + "; the glass can only be broken on a pending request");
        if (!now.isBefore(r.expires()))
            return Refused.of(WRONG_STATE, r.id() + " expired at " + Workflow.HH_MM.format(r.expires())
                    + "; open a new request if the fix is still needed");
        if (c.by().isSystem() || !rule.people().contains(c.by().person()))
            return Refused.of(NOT_ALLOWED, "You are not one of the people the policy lets break the glass, so "
                    + r.id() + " needs its approvals (" + workflow.labels(workflow.teamsStillNeeded(r)) + ")");
        if (!rule.reasons().contains(r.reason()))
            return Refused.of(NOT_ALLOWED, "The glass cannot be broken for " + policy().reasonLabel(r.reason()) + " requests ("
                    + r.id() + "); the policy allows it only for " + String.join(", ",
                    rule.reasons().stream().sorted().map(policy()::reasonLabel).toList()) + ", so it needs its approvals");
        var why = c.reason() == null ? "" : c.reason().strip();
        if (why.length() < rule.minReason())
            return new Refused(INVALID, "Write why " + r.id() + " cannot wait for its approvals in at least "
                    + rule.minReason() + " characters (you wrote " + why.length() + "); it is told to the ops and "
                    + "security channels and reviewed afterwards",
                    List.of(new Problem("reason", "At least " + rule.minReason() + " characters")));
        if (why.length() > Workflow.REJECT_REASON_MAX)
            return new Refused(INVALID, "Keep the reason to " + Workflow.REJECT_REASON_MAX + " characters",
                    List.of(new Problem("reason", "At most " + Workflow.REJECT_REASON_MAX + " characters")));
        var mark = new BreakGlass(c.by().actor(), c.by().person(), why, now);
        var next = r.withBreakGlass(mark, now.plus(policy().approvalValidFor())).next(State.APPROVED, now);
        var events = List.of(
                Workflow.event(next, 0, EventType.REQUEST_BREAK_GLASS, now, c.by(), null, why),
                Workflow.event(next, 1, EventType.REQUEST_APPROVED, now, c.by(), null, "break-glass"));
        return new Applied(next, events, "You broke the glass on " + r.id() + ": it is approved without "
                + workflow.labels(workflow.teamsStillNeeded(r)) + ". The ops and security channels have been told, and "
                + "it must be reviewed afterwards");
    }

    Outcome review(EmergencyRequest r, Command.Review c, Instant now) {
        var rule = policy().review();
        if (r.review() != null)
            return r.review().person().equals(c.by().person())
                    ? new Unchanged(r, "You already reviewed " + r.id() + " (" + r.review().followUp() + ")")
                    : Refused.of(WRONG_STATE, r.id() + " was already reviewed by " + r.review().by() + " ("
                            + r.review().followUp() + ")");
        if (!rule.isOn()) return Refused.of(NOT_ALLOWED, "The policy names no review teams, so nobody reviews requests");
        if (!r.state().isDeployEnded() && r.state() != State.CLOSED)
            return Refused.of(WRONG_STATE, r.id() + " " + r.state().phrase()
                    + "; it can be reviewed once its deploy has ended (deployed, failed or rolled back)");
        var teams = rule.teams().stream().sorted().toList();
        if (c.by().isSystem() || teams.stream().noneMatch(c.by()::in))
            return Refused.of(NOT_ALLOWED, "Only members of " + workflow.anyOf(teams) + " review requests; ask one "
                    + "of them to review " + r.id());
        var role = r.requestedBy(c.by().person()) ? "opened"
                : workflow.isDeployer(r, c.by()) ? "deployed"
                : r.breakGlass() != null && r.breakGlass().person().equals(c.by().person()) ? "broke the glass on"
                : null;
        if (role != null)
            return Refused.of(NOT_ALLOWED, "You " + role + " " + r.id() + ", so someone else in "
                    + workflow.anyOf(teams) + " must review it");
        var followUp = c.followUp() == null ? "" : c.followUp().strip();
        if (followUp.isEmpty())
            return new Refused(INVALID, "Give the follow-up of " + r.id() + ": a task id (T12345) or a URL",
                    List.of(new Problem("follow_up", "Give a task id or a URL")));
        if (followUp.length() > FOLLOW_UP_MAX || !FOLLOW_UP.matcher(followUp).matches())
            return new Refused(INVALID, "The follow-up must be one task id (T12345, OPS-42) or an http(s) URL of at "
                    + "most " + FOLLOW_UP_MAX + " characters, with no spaces",
                    List.of(new Problem("follow_up", "A task id or a URL")));
        var next = r.withReview(new Review(c.by().actor(), c.by().person(), followUp, now), r.reviewDue(),
                        r.reviewReminded())
                .next(r.state(), now);
        return new Applied(next, List.of(Workflow.event(next, 0, EventType.REQUEST_REVIEWED, now, c.by(), null,
                followUp)), "You reviewed " + r.id() + "; follow-up: " + followUp);
    }

    /** Once per {@code due-after} while the review is overdue: tells people so. */
    Outcome remind(EmergencyRequest r, Command.RemindReview c, Instant now) {
        if (!r.awaitsReview()) return new Unchanged(r, r.id() + " awaits no review");
        if (!r.reviewOverdue(now)) return new Unchanged(r, "The review of " + r.id() + " is due at "
                + Workflow.HH_MM.format(r.reviewDue()) + ", not yet");
        if (r.reviewReminded() != null && now.isBefore(r.reviewReminded().plus(policy().review().dueAfter())))
            return new Unchanged(r, "People were told at " + Workflow.HH_MM.format(r.reviewReminded())
                    + " that the review of " + r.id() + " is overdue");
        var next = r.withReview(null, r.reviewDue(), now).next(r.state(), now);
        return new Applied(next, List.of(Workflow.event(next, 0, EventType.REVIEW_OVERDUE, now, c.by(), null,
                "due " + Workflow.HH_MM.format(r.reviewDue()))), "The review of " + r.id() + " is overdue");
    }

    /** The refusal for closing a request that must be reviewed first and is not; else empty. */
    Optional<Refused> closeWaits(EmergencyRequest r) {
        if (r.review() != null || r.reviewDue() == null && !policy().review().requiredFor(r)) return Optional.empty();
        return Optional.of(Refused.of(WRONG_STATE, r.id() + " must be reviewed before it is closed"
                + (r.breakGlass() != null ? " (the glass was broken on it)" : "") + ": someone in "
                + workflow.labels(policy().review().teams().stream().sorted().toList())
                + " who neither opened nor deployed it reviews it with a follow-up link or task"));
    }

    /** When the review of a request whose deploy ends now is due; null when the policy requires none. */
    Instant reviewDueAfterDeploy(EmergencyRequest r, Instant now) {
        return policy().review().requiredFor(r) ? now.plus(policy().review().dueAfter()) : null;
    }

}
