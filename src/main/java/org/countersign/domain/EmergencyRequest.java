package org.countersign.domain;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An emergency deployment request as it stands at one version. The reason's teams and
 * confidentiality are copied in when it is opened, and how long its approvals stay good when it is approved,
 * so a policy change never alters a request in flight.
 *
 * @param approvalsValidUntil once approved, when its approvals expire unless the deploy has started; null before
 *                            (and for requests approved before approvals had a deadline)
 * @param policySha256        the SHA-256 (hex) of the policy file the request was opened under, so a receipt says which
 *                            rules it was held to; null for requests opened before it was kept
 * @param breakGlass          who let it proceed without its quorum, why and when; null when its teams approved it
 * @param review              the look afterwards, once its deploy ended; null until someone reviews it
 * @param reviewDue           when its review is due: set when its deploy ends, if the policy requires one; else null
 * @param reviewReminded      when people were last told its review is overdue; null before
 * @param reminded            the reminders, escalation and expiry warning already sent ({@link Reminded#NONE} before any)
 */
public record EmergencyRequest(
        RequestId id, long version, State state,
        String reason, boolean confidential, List<String> requiredTeams,
        String summary, String details, List<String> changes, String task,
        boolean rollback, String whyNotRollback,
        Actor requester, String requesterPerson, Actor deployer,
        Instant created, Instant updated, Instant expires,
        List<Approval> approvals, Rejection rejection, String deployNote, String closeNote,
        Instant approvalsValidUntil, String policySha256,
        BreakGlass breakGlass, Review review, Instant reviewDue, Instant reviewReminded, Reminded reminded) {

    public EmergencyRequest {
        Objects.requireNonNull(id, "id");
        reminded = reminded == null ? Reminded.NONE : reminded;
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(requester, "requester");
        requiredTeams = List.copyOf(requiredTeams);
        changes = List.copyOf(changes);
        approvals = List.copyOf(approvals);
    }

    /** A request without break-glass, review or reminders, as stored before they existed. */
    public EmergencyRequest(
            RequestId id, long version, State state,
            String reason, boolean confidential, List<String> requiredTeams,
            String summary, String details, List<String> changes, String task,
            boolean rollback, String whyNotRollback,
            Actor requester, String requesterPerson, Actor deployer,
            Instant created, Instant updated, Instant expires,
            List<Approval> approvals, Rejection rejection, String deployNote, String closeNote,
            Instant approvalsValidUntil, String policySha256) {
        this(id, version, state, reason, confidential, requiredTeams, summary, details, changes, task, rollback,
                whyNotRollback, requester, requesterPerson, deployer, created, updated, expires, approvals, rejection,
                deployNote, closeNote, approvalsValidUntil, policySha256, null, null, null, null,
                Reminded.NONE);
    }

    public List<Approval> approvalsFor(String team) {
        return approvals.stream().filter(a -> a.team().equals(team)).toList();
    }

    /** The approval this person gave, on whichever team. */
    public Optional<Approval> approvalBy(String person) {
        return approvals.stream().filter(a -> a.person().equals(person)).findFirst();
    }

    public boolean requestedBy(String person) { return requesterPerson.equals(person); }

    public Optional<Actor> deployerOpt() { return Optional.ofNullable(deployer); }

    /** When it expires unless something happens first: a pending request's expiry, an approved one's approvals'. */
    public Optional<Instant> deadline() {
        return Optional.ofNullable(state == State.PENDING ? expires : state == State.APPROVED ? approvalsValidUntil : null);
    }

    /** Its review is due and missing at {@code now}: its deploy ended {@code due-after} ago and nobody reviewed it. */
    public boolean reviewOverdue(Instant now) {
        return reviewDue != null && review == null && state.isDeployEnded() && !now.isBefore(reviewDue);
    }

    /** It awaits a review its policy requires: its deploy ended, nobody has reviewed it yet. */
    public boolean awaitsReview() { return reviewDue != null && review == null && state.isDeployEnded(); }

    /** It expired because its approvals went stale before the deploy started, not for want of approvals. */
    public boolean approvalsExpired() { return state == State.EXPIRED && approvalsValidUntil != null; }

    EmergencyRequest next(State state, Instant now) {
        return new EmergencyRequest(id, version + 1, state, reason, confidential, requiredTeams, summary, details,
                changes, task, rollback, whyNotRollback, requester, requesterPerson, deployer, created, now, expires,
                approvals, rejection, deployNote, closeNote, approvalsValidUntil, policySha256, breakGlass, review,
                reviewDue, reviewReminded, reminded);
    }

    EmergencyRequest withApprovals(List<Approval> approvals, Instant approvalsValidUntil) {
        return new EmergencyRequest(id, version, state, reason, confidential, requiredTeams, summary, details,
                changes, task, rollback, whyNotRollback, requester, requesterPerson, deployer, created, updated, expires,
                approvals, rejection, deployNote, closeNote, approvalsValidUntil, policySha256, breakGlass, review,
                reviewDue, reviewReminded, reminded);
    }

    EmergencyRequest withChanges(List<String> changes, Instant expires) {
        return new EmergencyRequest(id, version, state, reason, confidential, requiredTeams, summary, details,
                changes, task, rollback, whyNotRollback, requester, requesterPerson, deployer, created, updated, expires,
                approvals, rejection, deployNote, closeNote, approvalsValidUntil, policySha256, breakGlass, review,
                reviewDue, reviewReminded, reminded);
    }

    EmergencyRequest withRejection(Rejection rejection) {
        return new EmergencyRequest(id, version, state, reason, confidential, requiredTeams, summary, details,
                changes, task, rollback, whyNotRollback, requester, requesterPerson, deployer, created, updated, expires,
                approvals, rejection, deployNote, closeNote, approvalsValidUntil, policySha256, breakGlass, review,
                reviewDue, reviewReminded, reminded);
    }

    EmergencyRequest withNotes(String deployNote, String closeNote) {
        return new EmergencyRequest(id, version, state, reason, confidential, requiredTeams, summary, details,
                changes, task, rollback, whyNotRollback, requester, requesterPerson, deployer, created, updated, expires,
                approvals, rejection, deployNote, closeNote, approvalsValidUntil, policySha256, breakGlass, review,
                reviewDue, reviewReminded, reminded);
    }

    EmergencyRequest withBreakGlass(BreakGlass breakGlass, Instant approvalsValidUntil) {
        return new EmergencyRequest(id, version, state, reason, confidential, requiredTeams, summary, details,
                changes, task, rollback, whyNotRollback, requester, requesterPerson, deployer, created, updated, expires,
                approvals, rejection, deployNote, closeNote, approvalsValidUntil, policySha256, breakGlass, review,
                reviewDue, reviewReminded, reminded);
    }

    EmergencyRequest withReview(Review review, Instant reviewDue, Instant reviewReminded) {
        return new EmergencyRequest(id, version, state, reason, confidential, requiredTeams, summary, details,
                changes, task, rollback, whyNotRollback, requester, requesterPerson, deployer, created, updated, expires,
                approvals, rejection, deployNote, closeNote, approvalsValidUntil, policySha256, breakGlass, review,
                reviewDue, reviewReminded, reminded);
    }

    EmergencyRequest withReminded(Reminded reminded) {
        return new EmergencyRequest(id, version, state, reason, confidential, requiredTeams, summary, details,
                changes, task, rollback, whyNotRollback, requester, requesterPerson, deployer, created, updated, expires,
                approvals, rejection, deployNote, closeNote, approvalsValidUntil, policySha256, breakGlass, review,
                reviewDue, reviewReminded, reminded);
    }
}
