package org.countersign.domain;

import static org.countersign.domain.Outcome.Refusal.INVALID;
import static org.countersign.domain.Outcome.Refusal.NOT_ALLOWED;
import static org.countersign.domain.Outcome.Refusal.WRONG_STATE;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.countersign.domain.Command.Close;
import org.countersign.domain.Command.FinishDeploy;
import org.countersign.domain.Command.StartDeploy;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Outcome.Refused;
import org.countersign.domain.Outcome.Unchanged;

/**
 * The Workflow's rules from approval to the end: who reports a deploy, when it may start (before the approvals
 * go stale), and closing it. Pure, like the Workflow.
 */
final class Deploys {
    private final Workflow workflow;

    Deploys(Workflow workflow) { this.workflow = workflow; }

    /**
     * When the approvals of an approved request expire: the time given at approval, or, for a request approved
     * before approvals had one, the policy's validity from its last approval.
     */
    Instant approvalsValidUntil(EmergencyRequest r) {
        if (r.approvalsValidUntil() != null) return r.approvalsValidUntil();
        var last = r.approvals().stream().map(Approval::at).max(Instant::compareTo).orElse(r.updated());
        return last.plus(workflow.policy().approvalValidFor());
    }

    /** The refusal for acting on an approved request whose approvals have expired by {@code now}; else empty. */
    Optional<Refused> stale(EmergencyRequest r, Instant now) {
        if (r.state() != State.APPROVED || now.isBefore(approvalsValidUntil(r))) return Optional.empty();
        return Optional.of(Refused.of(WRONG_STATE, approvalsExpired(r)));
    }

    Outcome startDeploy(EmergencyRequest r, StartDeploy c, Instant now) {
        if (r.state() == State.DEPLOYING) return new Unchanged(r, "The deploy of " + r.id() + " is already under way");
        if (r.state() != State.APPROVED) return Refused.of(WRONG_STATE, notApproved(r));
        var stale = stale(r, now);
        if (stale.isPresent()) return stale.get();
        if (!mayDeploy(r, c.by())) return Refused.of(NOT_ALLOWED, deployersOnly(r));
        var next = r.next(State.DEPLOYING, now);
        return new Applied(next, List.of(Workflow.event(next, 0, EventType.DEPLOY_STARTED, now, c.by(), null, null)),
                "The deploy of " + r.id() + " has started");
    }

    Outcome finishDeploy(EmergencyRequest r, FinishDeploy c, Instant now) {
        var target = c.result().state();
        if (r.state() == target) return new Unchanged(r, "That is recorded already: " + r.id() + " " + target.phrase());
        if (r.state() != State.DEPLOYING && r.state() != State.APPROVED)
            return Refused.of(WRONG_STATE, r.state().isDeployEnded()
                    ? r.id() + " " + r.state().phrase() + ", so its deploy has ended; close it with a follow-up note"
                    : notApproved(r));
        var stale = stale(r, now);
        if (stale.isPresent()) return stale.get();
        if (!mayDeploy(r, c.by())) return Refused.of(NOT_ALLOWED, deployersOnly(r));
        var note = Workflow.blankToNull(c.note());
        if (note != null && note.length() > Workflow.NOTE_MAX)
            return Refused.of(INVALID, "Keep the note to " + Workflow.NOTE_MAX + " characters");
        var events = new ArrayList<Event>();
        var ended = r.withNotes(note, r.closeNote());
        var next = ended.withReview(null, workflow.aftercare().reviewDueAfterDeploy(ended, now), null).next(target, now);
        // A pipeline may report the end without having reported the start: record both, in order.
        if (r.state() == State.APPROVED)
            events.add(Workflow.event(next, 0, EventType.DEPLOY_STARTED, now, c.by(), null, null));
        events.add(Workflow.event(next, events.size(), EventType.DEPLOY_FINISHED, now, c.by(), null,
                c.result().name().toLowerCase(java.util.Locale.ROOT) + (note == null ? "" : ": " + note)));
        return new Applied(next, events, r.id() + " " + target.phrase() + "; close it with a follow-up note");
    }

    Outcome close(EmergencyRequest r, Close c, Instant now) {
        if (r.state() == State.CLOSED) return new Unchanged(r, r.id() + " is already closed");
        if (!r.state().isDeployEnded())
            return Refused.of(WRONG_STATE, r.id() + " " + r.state().phrase()
                    + "; it can be closed once its deploy has ended (deployed, failed or rolled back)");
        if (!mayDeploy(r, c.by()) && !r.requestedBy(c.by().person()))
            return Refused.of(NOT_ALLOWED, "Only the requester, the deployer or an approver can close " + r.id());
        var note = Workflow.blankToNull(c.note());
        if (note == null)
            return new Refused(INVALID, "Add a follow-up note to close " + r.id()
                    + " (what is left to do: the proper fix, a task, an incident report)",
                    List.of(new Problem("note", "Give a follow-up note")));
        if (note.length() > Workflow.NOTE_MAX)
            return Refused.of(INVALID, "Keep the note to " + Workflow.NOTE_MAX + " characters");
        var waits = workflow.aftercare().closeWaits(r);
        if (waits.isPresent()) return waits.get();
        var next = r.withNotes(r.deployNote(), note).next(State.CLOSED, now);
        return new Applied(next, List.of(Workflow.event(next, 0, EventType.REQUEST_CLOSED, now, c.by(), null, note)),
                "You closed " + r.id());
    }

    /** The deployer is matched as a person, like approvers, so any of their linked accounts will do. */
    boolean isDeployer(EmergencyRequest r, Member m) {
        return r.deployer() != null && workflow.policy().personOf(r.deployer()).equals(m.person());
    }

    /**
     * Who reports deploy steps: the deployer, or the requester when they named none (the form's "who runs the deploy, if
     * not you"), an approver, whoever broke the glass on it, and the pipeline.
     */
    private boolean mayDeploy(EmergencyRequest r, Member m) {
        return m.isSystem() || isDeployer(r, m) || r.deployer() == null && r.requestedBy(m.person())
                || r.approvalBy(m.person()).isPresent()
                || r.breakGlass() != null && r.breakGlass().person().equals(m.person());
    }

    private String deployersOnly(EmergencyRequest r) {
        return "Only " + (r.deployer() == null ? "the requester" : "the deployer (" + workflow.nameOf(r.deployer()) + ")")
                + " or someone who approved " + r.id() + " can report its deploy";
    }

    private String notApproved(EmergencyRequest r) {
        if (r.approvalsExpired()) return approvalsExpired(r);
        return r.state() == State.PENDING
                ? r.id() + " is not approved yet; it still needs " + workflow.labels(workflow.teamsStillNeeded(r))
                : r.id() + " " + r.state().phrase() + "; there is no deploy to report";
    }

    private String approvalsExpired(EmergencyRequest r) {
        return "The approvals of " + r.id() + " expired at " + Workflow.HH_MM.format(approvalsValidUntil(r))
                + ", before its deploy started; open a new request if the fix is still needed";
    }
}
