package org.countersign.app;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import org.countersign.domain.Actor;
import org.countersign.domain.Command;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Draft;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.Member;
import org.countersign.domain.Outcome;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Outcome.Refused;
import org.countersign.domain.Outcome.Refusal;
import org.countersign.domain.Policy;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.countersign.domain.Workflow;

/**
 * The use cases every adapter calls: resolve who acts, load the request, let the Workflow decide, and
 * write the result with a compare-and-set on the version, retrying when another writer got there first.
 */
public final class RequestService {
    static final int MAX_ATTEMPTS = 64;

    private final RequestStore store;
    /** The policy's rules and who is in which team, swapped together when the policy is reloaded. */
    private final java.util.concurrent.atomic.AtomicReference<Rules> rules;
    private final Clock clock;
    private final Consumer<Applied> onApplied;
    private final RateLimiter opens;

    public RequestService(RequestStore store, Directory directory, Workflow workflow, Clock clock,
                          Consumer<Applied> onApplied) {
        this(store, directory, workflow, clock, onApplied, RateLimiter.NONE);
    }

    /**
     * @param opens counts the requests each person opens, for the policy's {@code open-limit} (shared by every
     *              instance, so the limit holds across a fleet)
     */
    public RequestService(RequestStore store, Directory directory, Workflow workflow, Clock clock,
                          Consumer<Applied> onApplied, RateLimiter opens) {
        this.store = store;
        this.rules = new java.util.concurrent.atomic.AtomicReference<>(new Rules(workflow, directory));
        this.clock = clock;
        this.onApplied = onApplied;
        this.opens = opens;
    }

    public RequestService(RequestStore store, Directory directory, Workflow workflow, Clock clock) {
        this(store, directory, workflow, clock, applied -> {});
    }

    /** A policy's workflow and the directory built from it: one value, so no use case sees half of a reload. */
    public record Rules(Workflow workflow, Directory directory) {
        public Rules {
            java.util.Objects.requireNonNull(workflow, "workflow");
            java.util.Objects.requireNonNull(directory, "directory");
        }
    }

    public Policy policy() { return rules.get().workflow().policy(); }

    public Workflow workflow() { return rules.get().workflow(); }

    /**
     * Runs under {@code next} from now on (a reloaded policy); returns the rules it replaced. A request already open
     * keeps the teams and the policy hash it was opened under.
     */
    public Rules adopt(Rules next) { return rules.getAndSet(java.util.Objects.requireNonNull(next, "next")); }

    /** The time by the service's clock, for answers that depend on it (where the deployment windows stand). */
    public java.time.Instant now() { return clock.instant(); }

    /** Opens a request; no id is used up unless the draft is complete. */
    public Outcome open(Actor by, Draft draft) { return open(by, draft, OpenOnce.NONE); }

    /**
     * Opens a request once per delivery: a delivery handled again (after a crash before its answer was remembered)
     * finds the request its first handling opened, and answers with it instead of opening another.
     */
    public Outcome open(Actor by, Draft draft, OpenOnce once) {
        var now = rules.get();
        var workflow = now.workflow();
        var directory = now.directory();
        var refused = workflow.check(draft);
        if (refused.isPresent()) return refused.get();
        var member = directory.resolve(by);
        var notAllowed = workflow.mayOpen(member, directory.unchecked(by));
        if (notAllowed.isPresent()) return notAllowed.get();
        var opened = once.kept().flatMap(store::find);
        if (opened.isPresent()) return new Applied(opened.get(), List.of(), "already open");
        var opening = workflow.policy().opening();
        if (opening.limited() && !member.isSystem()) {
            // Counted per person, whichever account they open from; a refused flood pages nobody.
            var wait = opens.tryAcquire(member.person(), new RateLimiter.Limit("open", opening.limit(), opening.per()));
            if (wait.isPresent()) {
                var at = clock.instant();
                return workflow.openLimitReached(at, at.plus(wait.get()));
            }
        }
        var id = once.kept().orElseGet(() -> once.keep(store.nextId()));
        var outcome = workflow.open(id, draft, member, clock.instant());
        if (outcome instanceof Applied applied) {
            if (!store.save(applied.request(), 0, applied.events())) {
                // Another handling of the same delivery saved it first: that request is the answer.
                var theirs = once == OpenOnce.NONE ? Optional.<EmergencyRequest>empty() : store.find(id);
                if (theirs.isPresent()) return new Applied(theirs.get(), List.of(), "already open");
                throw new IllegalStateException("id " + id + " was already taken: the id counter (" + id + ") is behind the stored requests");
            }
            applied.events().forEach(e -> DecisionLog.recorded(e, workflow.policy()));
            onApplied.accept(applied);
        }
        return outcome;
    }

    public Outcome approve(RequestId id, Actor by, String team) {
        return execute(id, by, m -> new Command.Approve(id, m, team));
    }

    /** Takes back {@code by}'s own approval; {@code team}, when given, must be the one it was for. */
    public Outcome withdraw(RequestId id, Actor by, String team) {
        return execute(id, by, m -> new Command.Withdraw(id, m, team));
    }

    public Outcome reject(RequestId id, Actor by, String reason) {
        return execute(id, by, m -> new Command.Reject(id, m, reason));
    }

    public Outcome cancel(RequestId id, Actor by, String note) {
        return execute(id, by, m -> new Command.Cancel(id, m, note));
    }

    public Outcome editChanges(RequestId id, Actor by, List<String> changes) {
        return execute(id, by, m -> new Command.EditChanges(id, m, changes));
    }

    /**
     * Whether {@code by} may edit the changes of {@code id} now, asked before a form opens: {@link Outcome.Unchanged}
     * with the request to fill the form from, or why not.
     */
    public Outcome mayEdit(RequestId id, Actor by) {
        var request = store.find(id);
        if (request.isEmpty()) return Refused.of(Refusal.NOT_FOUND, "There is no request " + id);
        var now = rules.get();
        var refused = now.workflow().editRefusal(request.get(), now.directory().resolve(by), clock.instant());
        return refused.isPresent() ? refused.get() : new Outcome.Unchanged(request.get(), "Edit the changes of " + id);
    }

    public Outcome startDeploy(RequestId id, Actor by) {
        return execute(id, by, m -> new Command.StartDeploy(id, m));
    }

    public Outcome finishDeploy(RequestId id, Actor by, DeployResult result, String note) {
        return execute(id, by, m -> new Command.FinishDeploy(id, m, result, note));
    }

    public Outcome close(RequestId id, Actor by, String note) {
        return execute(id, by, m -> new Command.Close(id, m, note));
    }

    /** Lets a pending request proceed without its quorum, for a written reason, if the policy names {@code by}. */
    public Outcome breakGlass(RequestId id, Actor by, String reason) {
        return execute(id, by, m -> new Command.BreakGlass(id, m, reason));
    }

    /** Reviews a request whose deploy ended, with a follow-up task or URL. */
    public Outcome review(RequestId id, Actor by, String followUp) {
        return execute(id, by, m -> new Command.Review(id, m, followUp));
    }

    /** Tells people the review of a request is overdue, once per the policy's due-after. */
    public Outcome remindReview(RequestId id) {
        return execute(id, Actor.SYSTEM, m -> new Command.RemindReview(id, m));
    }

    /** How many ended deploys {@link #awaitingReview} looks through, newest first. */
    static final int REVIEW_SCAN = 500;

    /** Requests whose deploy ended and that await a review the policy requires, the longest due first. */
    public List<EmergencyRequest> awaitingReview() {
        return store.recent(Set.of(State.DEPLOYED, State.FAILED, State.ROLLED_BACK), REVIEW_SCAN).stream()
                .filter(EmergencyRequest::awaitsReview)
                .sorted(java.util.Comparator.comparing(EmergencyRequest::reviewDue)).toList();
    }

    public Outcome expire(RequestId id) {
        return execute(id, Actor.SYSTEM, m -> new Command.Expire(id, m));
    }

    /**
     * Sends the reminder, escalation or expiry warning due now for {@code id}, as the system. Recorded with the
     * request's version check, so of two instances (or two sweeps) deciding at once one records it and the other
     * finds it done: each is sent once.
     */
    public Outcome remind(RequestId id) {
        return execute(id, Actor.SYSTEM, m -> new Command.Remind(id, m));
    }

    public Optional<EmergencyRequest> find(RequestId id) { return store.find(id); }

    /** Why {@link #open} would refuse {@code by} under the policy's {@code may-open}; empty when they may open. */
    public Optional<Refused> mayOpen(Actor by) {
        var now = rules.get();
        return now.workflow().mayOpen(now.directory().resolve(by), now.directory().unchecked(by));
    }

    /**
     * Why the command {@code by} would give on {@code r} by pressing a button would be refused now, by the rules that
     * would refuse it ({@link Workflow#refusal}); empty when pressing it would do something.
     */
    public Optional<Refused> refusal(EmergencyRequest r, Actor by, Function<Member, Command> command) {
        var now = rules.get();
        return now.workflow().refusal(r, command.apply(now.directory().resolve(by)), clock.instant(),
                now.directory().unchecked(by));
    }

    /** Why {@code by} may not edit the changes of {@code r} now ({@link Workflow#editRefusal}); empty when they may. */
    public Optional<Refused> editRefusal(EmergencyRequest r, Actor by) {
        return rules.get().workflow().editRefusal(r, member(by), clock.instant());
    }

    /** Who an account is now: the person behind it and their teams. */
    public Member member(Actor actor) { return rules.get().directory().resolve(actor); }

    public List<Event> timeline(RequestId id) { return store.timeline(id); }

    public List<EmergencyRequest> recent(Set<State> states, int limit) { return store.recent(states, limit); }

    /** {@link #find} after counting one action of {@code caller}: one round trip on Redis ({@link RequestStore}). */
    public RateLimiter.Counted<Optional<EmergencyRequest>> find(RequestId id, RateLimiter limiter, String caller,
                                                                RateLimiter.Limit rate) {
        return store.find(id, limiter, caller, rate);
    }

    /** {@link #recent} after counting one action of {@code caller} (one round trip on Redis: {@link RequestStore}). */
    public RateLimiter.Counted<List<EmergencyRequest>> recent(Set<State> states, int limit, RateLimiter limiter,
                                                              String caller, RateLimiter.Limit rate) {
        return store.recent(states, limit, limiter, caller, rate);
    }

    /** Every request, oldest first, a page at a time (the audit export). */
    public List<EmergencyRequest> opened(long offset, int limit) { return store.opened(offset, limit); }

    /** The highest request number handed out so far. */
    public long highestNumber() { return store.highestNumber(); }

    /** Requests {@code from} to {@code from + count - 1}, live or archived, with their timelines: the audit export's read. */
    public List<RequestStore.Kept> history(long from, int count) { return store.history(from, count); }

    /** The timelines of {@code ids}, in that order, in one read. */
    public List<List<Event>> timelines(List<RequestId> ids) { return store.timelines(ids); }

    public java.util.Map<State, Long> countByState() { return store.countByState(); }

    private Outcome execute(RequestId id, Actor by, Function<Member, Command> command) {
        return execute(id, by, command, store.find(id));
    }

    /**
     * {@code command} of {@code by} on {@code id}, decided first on {@code read}, the request as just read (in the round
     * trip that counted the action: {@link #find(RequestId, RateLimiter, String, RateLimiter.Limit)}); read again only
     * when the save finds it changed meanwhile.
     */
    public Outcome execute(RequestId id, Actor by, Function<Member, Command> command, Optional<EmergencyRequest> read) {
        var now = rules.get();
        var workflow = now.workflow();
        var directory = now.directory();
        var cmd = command.apply(directory.resolve(by));
        var unchecked = directory.unchecked(by);
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            var current = attempt == 1 ? read : store.find(id);
            if (current.isEmpty()) return Refused.of(Refusal.NOT_FOUND, "There is no request " + id);
            var outcome = workflow.apply(current.get(), cmd, clock.instant(), unchecked);
            if (!(outcome instanceof Applied applied)) return outcome;
            if (store.save(applied.request(), current.get().version(), applied.events())) {
                applied.events().forEach(e -> DecisionLog.recorded(e, workflow.policy()));
                onApplied.accept(applied);
                return outcome;
            }
            // Someone else changed the request between our read and our write: decide again on the new state.
            if (attempt > 2) backOff(attempt);
        }
        throw new StoreUnavailable(id + " is changing too fast to record this; nothing was recorded, try again", null);
    }

    private static void backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 2L + Math.min(attempt, 20)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailable("interrupted while retrying; nothing was recorded", e);
        }
    }
}
