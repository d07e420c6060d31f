package org.countersign.domain;

import static org.countersign.domain.Outcome.Refusal.INVALID;
import static org.countersign.domain.Outcome.Refusal.NOT_ALLOWED;
import static org.countersign.domain.Outcome.Refusal.WRONG_STATE;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.countersign.domain.Command.Approve;
import org.countersign.domain.Command.Withdraw;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Outcome.Refused;
import org.countersign.domain.Outcome.Unchanged;

/**
 * The Workflow's approval rules: who may sign for which team (one person fills one team slot, whichever of their
 * linked accounts they use), when a request has every approval it needs, and taking an approval back while others
 * are still awaited. Pure, like the Workflow.
 */
final class Approvals {
    private final Workflow workflow;

    Approvals(Workflow workflow) { this.workflow = workflow; }

    Outcome approve(EmergencyRequest r, Approve c, Instant now, Map<String, String> unchecked) {
        var mine = r.approvalBy(c.by().person());
        if (mine.isPresent() && (c.team() == null || c.team().equals(mine.get().team())))
            return new Unchanged(r, "You already approved " + r.id() + " for " + workflow.label(mine.get().team())
                    + " at " + Workflow.HH_MM.format(mine.get().at()) + "; nothing more to do");
        if (r.state() != State.PENDING) return Refused.of(WRONG_STATE, workflow.notPending(r, "approvals"));
        if (!now.isBefore(r.expires()))
            return Refused.of(WRONG_STATE, r.id() + " expired at " + Workflow.HH_MM.format(r.expires())
                    + " without all approvals; open a new request if the fix is still needed");
        if (workflow.unlinked(c.by())) return Refused.of(NOT_ALLOWED, Workflow.notLinked(c.by(), "approve " + r.id()));
        if (r.requestedBy(c.by().person()))
            return Refused.of(NOT_ALLOWED, "You opened " + r.id() + ", so someone else must approve it ("
                    + workflow.labels(workflow.teamsStillNeeded(r)) + ")");

        String team = c.team();
        if (team == null) {
            var candidates = workflow.teamsStillNeeded(r).stream().filter(c.by()::in).toList();
            var informedOnly = workflow.informedTeams(r).stream().filter(c.by()::in).toList();
            if (candidates.isEmpty() && !informedOnly.isEmpty()
                    && r.requiredTeams().stream().noneMatch(c.by()::in))
                return Refused.of(NOT_ALLOWED, onlyInformed(r, informedOnly.get(0)));
            if (candidates.isEmpty())
                return Refused.of(NOT_ALLOWED, workflow.teamsStillNeeded(r).stream().map(unchecked::get).filter(Objects::nonNull)
                        .findFirst().orElseGet(() -> youAreNotIn(r, workflow.teamsStillNeeded(r))));
            if (candidates.size() > 1)
                return Refused.of(INVALID, "You are in " + workflow.labels(candidates) + "; say which team you approve "
                        + r.id() + " for (one person fills one team slot)");
            team = candidates.get(0);
        }
        if (!r.requiredTeams().contains(team) && workflow.informedTeams(r).contains(team))
            return Refused.of(NOT_ALLOWED, onlyInformed(r, team));
        if (!r.requiredTeams().contains(team))
            return Refused.of(INVALID, r.id() + " does not need " + workflow.label(team) + "; it needs "
                    + workflow.labels(r.requiredTeams()));
        if (!c.by().in(team))
            return Refused.of(NOT_ALLOWED, unchecked.getOrDefault(team, "You are not a member of " + workflow.label(team)
                    + ", so you cannot approve " + r.id() + " for it; ask someone in " + workflow.label(team)));
        if (mine.isPresent())
            return Refused.of(NOT_ALLOWED, "You already approved " + r.id() + " for " + workflow.label(mine.get().team())
                    + "; one person fills one team slot, so someone else must approve for " + workflow.label(team));
        if (r.approvalsFor(team).size() >= workflow.quorum(r, team))
            return Refused.of(WRONG_STATE, workflow.label(team) + " has already approved " + r.id() + " ("
                    + r.approvalsFor(team).stream().map(a -> a.by().toString()).collect(Collectors.joining(", "))
                    + "); it still needs " + workflow.labels(workflow.teamsStillNeeded(r)));

        var approvals = new ArrayList<>(r.approvals());
        approvals.add(new Approval(team, c.by().actor(), c.by().person(), now, r.changes()));
        var remaining = workflow.teamsStillNeeded(r.withApprovals(approvals, null));
        // The approvals' validity is fixed now, so a later policy change does not alter it.
        var validUntil = remaining.isEmpty() ? now.plus(workflow.policy().approvalValidFor()) : null;
        var next = r.withApprovals(approvals, validUntil).next(remaining.isEmpty() ? State.APPROVED : State.PENDING, now);
        var events = new ArrayList<Event>();
        events.add(Workflow.event(next, 0, EventType.APPROVAL_ADDED, now, c.by(), team, null));
        if (remaining.isEmpty()) {
            events.add(Workflow.event(next, 1, EventType.REQUEST_APPROVED, now, c.by(), null, null));
            return new Applied(next, events, "You approved " + r.id() + " for " + workflow.label(team)
                    + "; every team has signed, so it is approved and can be deployed");
        }
        return new Applied(next, events, "You approved " + r.id() + " for " + workflow.label(team) + "; it still needs "
                + workflow.labels(remaining));
    }

    /**
     * An approver takes their approval back while the request still waits for others: once every team has signed it is
     * approved, and only a rejection or a cancellation stops it. Whose approval it is goes by person, so it may be
     * withdrawn from any of their linked accounts, and by nobody else.
     */
    Outcome withdraw(EmergencyRequest r, Withdraw c, Instant now) {
        var mine = r.approvalBy(c.by().person());
        if (r.state() != State.PENDING)
            return Refused.of(WRONG_STATE, switch (r.state()) {
                case APPROVED -> r.id() + " is already approved: every team has signed, so approvals can no longer be "
                        + "withdrawn; reject or cancel it if it must not go ahead";
                default -> r.id() + " " + r.state().phrase() + "; an approval can only be withdrawn while the request "
                        + "waits for approvals";
            });
        if (!now.isBefore(r.expires()))
            return Refused.of(WRONG_STATE, r.id() + " expired at " + Workflow.HH_MM.format(r.expires())
                    + "; its approvals no longer count");
        if (mine.isEmpty())
            return Refused.of(NOT_ALLOWED, "You have no approval on " + r.id() + " to withdraw; only the person who "
                    + "approved withdraws their own approval");
        var approval = mine.get();
        if (c.team() != null && !c.team().equals(approval.team()))
            return Refused.of(INVALID, "You approved " + r.id() + " for " + workflow.label(approval.team()) + ", not "
                    + workflow.label(c.team()) + "; withdraw " + r.id() + " alone takes that approval back");
        var approvals = new ArrayList<>(r.approvals());
        approvals.remove(approval);
        var next = r.withApprovals(approvals, null).next(State.PENDING, now);
        // The detail names the account that approved, which may be another of the person's accounts.
        var event = Workflow.event(next, 0, EventType.APPROVAL_WITHDRAWN, now, c.by(), approval.team(), approval.by().toString());
        return new Applied(next, List.of(event), "You withdrew your approval of " + r.id() + " for "
                + workflow.label(approval.team()) + "; it needs " + workflow.labels(workflow.teamsStillNeeded(next)));
    }

    // Refused, not ignored: a silent no-op would let someone believe they signed.
    private String onlyInformed(EmergencyRequest r, String team) {
        return workflow.label(team) + " is informed of " + r.id() + ", not asked to approve it, so your approval does not count; "
                + "it needs " + workflow.labels(workflow.teamsStillNeeded(r).isEmpty() ? r.requiredTeams() : workflow.teamsStillNeeded(r));
    }


    private String youAreNotIn(EmergencyRequest r, List<String> needed) {
        return needed.isEmpty()
                ? r.id() + " has every approval it needs"
                : "You are not in " + workflow.anyOf(needed) + ", which " + r.id() + " still needs, so you cannot approve it";
    }
}
