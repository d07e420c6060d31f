package org.countersign.domain;

import static org.countersign.domain.Outcome.Refusal.INVALID;
import static org.countersign.domain.Outcome.Refusal.NOT_ALLOWED;
import static org.countersign.domain.Outcome.Refusal.WRONG_STATE;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.countersign.domain.Command.Approve;
import org.countersign.domain.Command.Cancel;
import org.countersign.domain.Command.Close;
import org.countersign.domain.Command.EditChanges;
import org.countersign.domain.Command.Expire;
import org.countersign.domain.Command.FinishDeploy;
import org.countersign.domain.Command.Reject;
import org.countersign.domain.Command.StartDeploy;
import org.countersign.domain.Command.Withdraw;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Outcome.Refused;
import org.countersign.domain.Outcome.Unchanged;

/**
 * The state machine and every rule of an emergency request. Pure: it is given the request, the
 * command and the time, and says what happens; it never reads a clock or touches storage.
 */
public final class Workflow {
    public static final int REJECT_REASON_MAX = 1000;
    public static final int NOTE_MAX = 2000;
    static final DateTimeFormatter HH_MM =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    static final DateTimeFormatter HH_MM_ONLY = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private final Policy policy;
    private final boolean linkedPeopleOnly;
    private final Approvals approvals = new Approvals(this);
    private final Deploys deploys = new Deploys(this);
    private final Aftercare aftercare = new Aftercare(this);
    private final Chasing chasing = new Chasing(this);

    public Workflow(Policy policy) { this(policy, false); }

    /**
     * @param linkedPeopleOnly true when people act from several platforms: then an account that cannot be tied to a
     *                         person may neither open nor approve, or one person could fill two slots from two accounts
     */
    public Workflow(Policy policy, boolean linkedPeopleOnly) {
        this.policy = policy;
        this.linkedPeopleOnly = linkedPeopleOnly;
    }

    public Policy policy() { return policy; }

    /** Why a draft cannot be opened, field by field; empty when it can. */
    public java.util.Optional<Refused> check(Draft draft) {
        var problems = draft.problems(policy);
        return problems.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(
                new Refused(INVALID, "The request is not complete: " + problems.get(0).message(), problems));
    }

    /** Opens a request from a draft, under an id the store handed out. */
    public Outcome open(RequestId id, Draft draft, Member by, Instant now) {
        var refused = check(draft);
        if (refused.isPresent()) return refused.get();
        if (unlinked(by)) return Refused.of(NOT_ALLOWED, notLinked(by, "open a request"));
        var notAllowed = mayOpen(by);
        if (notAllowed.isPresent()) return notAllowed.get();
        var reason = policy.reason(draft.reason()).orElseThrow();
        var teams = requiredTeams(reason, now);
        var request = new EmergencyRequest(id, 1, State.PENDING, reason.key(), reason.confidential(), teams,
                draft.summary(), draft.details(), draft.changes(), draft.task(), draft.rollback(),
                draft.rollback() ? null : draft.whyNotRollback(), by.actor(), by.person(), draft.deployer(),
                now, now, now.plus(policy.expireAfter()), List.of(), null, null, null, null, policy.sha256());
        var event = event(request, 0, EventType.REQUEST_OPENED, now, by, null, reason.label());
        return new Applied(request, List.of(event), id + " is open; it needs " + labels(teams)
                + " to approve before " + HH_MM.format(request.expires()));
    }

    /**
     * The teams a request of {@code reason} opened at {@code now} must approve: the reason's, then those a freeze on now
     * requires too.
     */
    public List<String> requiredTeams(Reason reason, Instant now) {
        var teams = new ArrayList<>(reason.teams());
        for (var extra : policy.windows().extraTeams(now)) if (!teams.contains(extra)) teams.add(extra);
        return List.copyOf(teams);
    }

    /** Why {@code by} may not open a request (the policy's {@code may-open}); empty when they may. */
    public java.util.Optional<Refused> mayOpen(Member by) { return mayOpen(by, Map.of()); }

    /**
     * As {@link #mayOpen(Member)}, for a member whose membership of some teams cannot be checked now ({@code unchecked}:
     * team to why): when one of them would let them open, the refusal says why it cannot be checked.
     */
    public java.util.Optional<Refused> mayOpen(Member by, Map<String, String> unchecked) {
        var opening = policy.opening();
        if (opening.allows(by)) return java.util.Optional.empty();
        var why = opening.teams().stream().map(unchecked::get).filter(Objects::nonNull).findFirst();
        if (why.isPresent()) return java.util.Optional.of(Refused.of(NOT_ALLOWED, why.get()));
        var teams = policy.teams().keySet().stream().filter(opening.teams()::contains).map(this::label).toList();
        var who = teams.isEmpty() ? "" : "members of " + (teams.size() == 1 ? teams.get(0)
                : String.join(", ", teams.subList(0, teams.size() - 1)) + " or " + teams.get(teams.size() - 1));
        var people = String.join(", ", opening.people().stream().sorted().toList());
        return java.util.Optional.of(Refused.of(NOT_ALLOWED, "Only " + (who.isEmpty() ? people
                : people.isEmpty() ? who : who + " (and " + people + ")")
                + " may open emergency requests, and you are not one of them. Nothing was recorded: ask one of them to "
                + "open it for you, or ask your Countersign admin to add you to may-open in the policy"));
    }

    /**
     * The refusal of someone who opened {@code limit} requests within {@code per} (the policy's {@code open-limit}),
     * who may open again at {@code retryAt}.
     */
    public Refused openLimitReached(Instant now, Instant retryAt) {
        var opening = policy.opening();
        return Refused.of(NOT_ALLOWED, "You opened " + opening.limit() + " request(s) within "
                + Opening.span(opening.per()) + ", as many as the policy allows (open-limit: " + opening.limitText()
                + "), so nothing was recorded. Try again after " + HH_MM_ONLY.format(retryAt) + " (" + Windows.in(
                java.time.Duration.between(now, retryAt)) + "), or ask your Countersign admin to raise open-limit");
    }

    /** Applies a command to the request as it stands now. */
    public Outcome apply(EmergencyRequest r, Command command, Instant now) { return apply(r, command, now, Map.of()); }

    /**
     * Applies a command from a member whose membership of some teams could not be checked now ({@code unchecked}:
     * team to why, e.g. Slack has not answered about its user group): an approval that needs one says why.
     */
    public Outcome apply(EmergencyRequest r, Command command, Instant now, Map<String, String> unchecked) {
        if (command instanceof Approve c) return approvals.approve(r, c, now, unchecked);
        if (command instanceof Withdraw c) return approvals.withdraw(r, c, now);
        if (command instanceof Reject c) return reject(r, c, now);
        if (command instanceof Cancel c) return cancel(r, c, now);
        if (command instanceof EditChanges c) return editChanges(r, c, now);
        if (command instanceof StartDeploy c) return deploys.startDeploy(r, c, now);
        if (command instanceof FinishDeploy c) return deploys.finishDeploy(r, c, now);
        if (command instanceof Close c) return deploys.close(r, c, now);
        if (command instanceof Expire c) return expire(r, c, now);
        if (command instanceof Command.BreakGlass c) return aftercare.breakGlass(r, c, now);
        if (command instanceof Command.Review c) return aftercare.review(r, c, now);
        if (command instanceof Command.RemindReview c) return aftercare.remind(r, c, now);
        if (command instanceof Command.Remind c) return chasing.remind(r, c, now);
        throw new IllegalArgumentException("unknown command: " + command);
    }

    /**
     * Why {@code command} would be refused now for who gives it or where the request stands, asked of the same rules
     * that would refuse it, so a page offers only the buttons a person may press and says why for the rest. What the
     * person has yet to type (a reason, a note: {@code INVALID}) is not counted; a command that would change nothing is
     * refused with what it would say ("You already approved ..."). Empty when pressing it would do something.
     */
    public java.util.Optional<Refused> refusal(EmergencyRequest r, Command command, Instant now) {
        return refusal(r, command, now, Map.of());
    }

    /** As {@link #refusal(EmergencyRequest, Command, Instant)}, for a member some of whose teams cannot be checked now. */
    public java.util.Optional<Refused> refusal(EmergencyRequest r, Command command, Instant now,
                                               Map<String, String> unchecked) {
        var outcome = apply(r, command, now, unchecked);
        if (outcome instanceof Refused refused)
            return refused.kind() == INVALID ? java.util.Optional.empty() : java.util.Optional.of(refused);
        if (outcome instanceof Unchanged unchanged)
            return java.util.Optional.of(Refused.of(WRONG_STATE, unchanged.message()));
        return java.util.Optional.empty();
    }

    /** Teams still short of their quorum, in the order the reason lists them. */
    public List<String> teamsStillNeeded(EmergencyRequest r) {
        return r.requiredTeams().stream().filter(t -> r.approvalsFor(t).size() < quorum(r, t)).toList();
    }

    /** The teams a request's reason only informs: told on its card, never asked to approve it. */
    public List<String> informedTeams(EmergencyRequest r) { return policy.informed(r.reason(), r.requiredTeams()); }

    /**
     * The reminder, escalation and expiry warning due for {@code r} at {@code now} that have not been sent (as the
     * event types that record them), in order; empty when nothing is. See {@link Reminders} for when each falls.
     */
    public List<EventType> remindersDue(EmergencyRequest r, Instant now) { return chasing.due(r, now); }

    /** When the approvals of an approved request expire unless its deploy has started. */
    public Instant approvalsValidUntil(EmergencyRequest r) { return deploys.approvalsValidUntil(r); }

    /** How many people of {@code team} must approve {@code r}: its reason's count for the team, else the team's. */
    public int quorum(EmergencyRequest r, String team) { return policy.quorum(r.reason(), team); }

    /** Whether this member is the request's deployer, matched as a person across their linked accounts. */
    boolean isDeployer(EmergencyRequest r, Member m) { return deploys.isDeployer(r, m); }

    Aftercare aftercare() { return aftercare; }


    /**
     * Why {@code by} may not edit the changes of {@code r} now, whatever the new changes; empty when they may (so a
     * platform opens its form only for those who can use it).
     */
    public java.util.Optional<Refused> editRefusal(EmergencyRequest r, Member by, Instant now) {
        if (r.state() != State.PENDING && r.state() != State.APPROVED)
            return java.util.Optional.of(Refused.of(WRONG_STATE, r.id() + " " + r.state().phrase()
                    + "; changes can only be edited before the deploy starts (open a new request instead)"));
        if (r.state() == State.PENDING && !now.isBefore(r.expires()))
            return java.util.Optional.of(Refused.of(WRONG_STATE, r.id() + " expired at " + HH_MM.format(r.expires())
                    + "; open a new request with the new changes"));
        var stale = deploys.stale(r, now);
        if (stale.isPresent()) return stale;
        if (!r.requestedBy(by.person()) && !deploys.isDeployer(r, by))
            return java.util.Optional.of(Refused.of(NOT_ALLOWED,
                    "Only the requester or the deployer can edit the changes of " + r.id()));
        return java.util.Optional.empty();
    }

    private Outcome reject(EmergencyRequest r, Reject c, Instant now) {
        if (r.state() == State.REJECTED)
            return r.rejection().by().equals(c.by().actor())
                    ? new Unchanged(r, "You already rejected " + r.id())
                    : Refused.of(WRONG_STATE, notPending(r, "rejections"));
        if (r.state() != State.PENDING && r.state() != State.APPROVED)
            return Refused.of(WRONG_STATE, notPending(r, "rejections"));
        if (!isRequiredTeamMember(r, c.by()))
            return Refused.of(NOT_ALLOWED, "Only members of " + anyOf(r.requiredTeams()) + " can reject "
                    + r.id() + "; you are in none of them");
        var why = c.reason() == null ? "" : c.reason().strip();
        if (why.isEmpty())
            return new Refused(INVALID, "Say why you reject " + r.id() + "; the requester needs to know what to fix",
                    List.of(new Problem("reason", "Give a reason")));
        if (why.length() > REJECT_REASON_MAX)
            return new Refused(INVALID, "Keep the reason to " + REJECT_REASON_MAX + " characters",
                    List.of(new Problem("reason", "At most " + REJECT_REASON_MAX + " characters")));
        var next = r.withRejection(new Rejection(c.by().actor(), why, now)).next(State.REJECTED, now);
        return new Applied(next, List.of(event(next, 0, EventType.REQUEST_REJECTED, now, c.by(), null, why)),
                "You rejected " + r.id() + "; the requester has been told why");
    }

    private Outcome cancel(EmergencyRequest r, Cancel c, Instant now) {
        if (r.state() == State.CANCELLED) return new Unchanged(r, r.id() + " is already cancelled");
        if (r.state() != State.PENDING && r.state() != State.APPROVED)
            return Refused.of(WRONG_STATE, r.id() + " " + r.state().phrase()
                    + "; only a pending or approved request can be cancelled");
        if (!r.requestedBy(c.by().person()) && !isRequiredTeamMember(r, c.by()))
            return Refused.of(NOT_ALLOWED, "Only the requester or a member of " + anyOf(r.requiredTeams())
                    + " can cancel " + r.id());
        var next = r.next(State.CANCELLED, now);
        return new Applied(next, List.of(event(next, 0, EventType.REQUEST_CANCELLED, now, c.by(), null,
                blankToNull(c.note()))), "You cancelled " + r.id());
    }

    private Outcome editChanges(EmergencyRequest r, EditChanges c, Instant now) {
        var refused = editRefusal(r, c.by(), now);
        if (refused.isPresent()) return refused.get();
        var problems = Draft.changeProblems(c.changes());
        if (!problems.isEmpty())
            return new Refused(INVALID, "The changes of " + r.id() + " were not changed: " + problems.get(0).message(),
                    problems);
        if (c.changes().equals(r.changes())) return new Unchanged(r, "The changes of " + r.id() + " are the same");

        int cleared = r.approvals().size();
        // A break-glass let these changes through, not the new ones: it is cleared with the approvals.
        boolean glass = r.breakGlass() != null;
        var expires = cleared > 0 || glass ? now.plus(policy.expireAfter()) : r.expires();
        var next = r.withChanges(c.changes(), expires).withApprovals(List.of(), null).withBreakGlass(null, null)
                .next(State.PENDING, now);
        var events = new ArrayList<Event>();
        events.add(event(next, 0, EventType.REQUEST_EDITED, now, c.by(), null, String.join("\n", c.changes())));
        if (cleared == 0 && !glass) return new Applied(next, events, "You changed the changes of " + r.id());
        events.add(event(next, 1, EventType.APPROVALS_CLEARED, now, c.by(), null, cleared + " approval(s) cleared"
                + (glass ? ", and the break-glass" : "")));
        return new Applied(next, events, "You changed the changes of " + r.id() + "; its " + cleared
                + " approval(s) were cleared, so " + labels(r.requiredTeams()) + " must approve again");
    }

    /** A pending request expires for want of approvals; an approved one when its approvals go stale. */
    private Outcome expire(EmergencyRequest r, Expire c, Instant now) {
        if (r.state() == State.APPROVED) {
            var validUntil = approvalsValidUntil(r);
            if (now.isBefore(validUntil))
                return Refused.of(WRONG_STATE, "The approvals of " + r.id() + " expire at " + HH_MM.format(validUntil)
                        + ", not yet");
            var next = r.withApprovals(r.approvals(), validUntil).next(State.EXPIRED, now);
            return new Applied(next, List.of(event(next, 0, EventType.REQUEST_EXPIRED, now, c.by(), null,
                    "the approvals went stale: the deploy had not started by " + HH_MM.format(validUntil))),
                    "The approvals of " + r.id() + " expired");
        }
        if (r.state() != State.PENDING) return new Unchanged(r, r.id() + " " + r.state().phrase() + "; it does not expire");
        if (now.isBefore(r.expires()))
            return Refused.of(WRONG_STATE, r.id() + " expires at " + HH_MM.format(r.expires()) + ", not yet");
        var next = r.next(State.EXPIRED, now);
        return new Applied(next, List.of(event(next, 0, EventType.REQUEST_EXPIRED, now, c.by(), null,
                "still needed " + labels(teamsStillNeeded(r)))), r.id() + " expired");
    }

    boolean unlinked(Member m) { return linkedPeopleOnly && !m.linked(); }

    static String notLinked(Member m, String what) {
        return "Countersign cannot tie your account " + m.actor() + " to a person, so it cannot let you " + what
                + ": with several chat platforms on, one person fills one team slot whichever account they use. Ask "
                + "your Countersign admin to link this account under people: in the policy (or give the person the "
                + "email your account is verified with), or act from the account the policy lists for you";
    }

    private boolean isRequiredTeamMember(EmergencyRequest r, Member m) {
        return r.requiredTeams().stream().anyMatch(m::in);
    }

    String notPending(EmergencyRequest r, String what) {
        return switch (r.state()) {
            case REJECTED -> r.id() + " was rejected by " + nameOf(r.rejection().by()) + ": " + r.rejection().reason()
                    + "; open a new request once that is addressed";
            case EXPIRED -> r.id() + " expired; open a new request if the fix is still needed";
            case CANCELLED -> r.id() + " was cancelled";
            case APPROVED -> r.id() + " is already approved; it has every approval it needs";
            default -> r.id() + " " + r.state().phrase() + "; " + what + " are only taken before the deploy starts";
        };
    }

    static Event event(EmergencyRequest next, int index, EventType type, Instant now, Member by, String team,
                       String detail) {
        return new Event(Event.idOf(next.id(), next.version(), index), type, next.id(), next.version(), now,
                by.actor(), next.state(), team, detail);
    }

    String label(String team) { return policy.teamLabel(team); }

    /** A person as sentences name them: the policy's name for the account's person, else the account. */
    String nameOf(Actor account) { return policy.personOf(account); }

    /** Team labels as a sentence names them when all are meant: {@code SRE, Security and Release Engineering}. */
    public String labels(List<String> teams) { return policy.allOf(teams); }

    /** Team labels as a sentence names them when any one will do: {@code SRE, Security or Release Engineering}. */
    public String anyOf(List<String> teams) { return policy.anyOf(teams); }

    static String blankToNull(String s) { return s == null || s.isBlank() ? null : s.strip(); }
}
