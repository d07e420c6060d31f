package org.countersign.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.TestPolicies.BOTH;
import static org.countersign.domain.TestPolicies.DEV;
import static org.countersign.domain.TestPolicies.REL1;
import static org.countersign.domain.TestPolicies.REL2;
import static org.countersign.domain.TestPolicies.SRE1;
import static org.countersign.domain.TestPolicies.SRE2;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.countersign.domain.Actor;
import org.countersign.domain.Approval;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;
import org.countersign.domain.Outcome;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Policy;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/** Many people pressing buttons on one request at once, through the real service and a real Redis. */
class RequestServiceConcurrencyTest {
    static final int THREADS = 50;
    private static ExecutorService pool;

    private final RedisRequestStore store = TestRedis.store();
    private final AtomicInteger applied = new AtomicInteger();

    @BeforeAll
    static void startThreads() { pool = Executors.newFixedThreadPool(THREADS); }

    @AfterAll
    static void stopThreads() { pool.shutdownNow(); }

    private RequestService service(Policy policy, RequestStore store) {
        return new RequestService(store, new PolicyDirectory(policy), new Workflow(policy), Clock.systemUTC(),
                a -> applied.incrementAndGet());
    }

    @RepeatedTest(20)
    void fifty_people_acting_at_once_leave_one_consistent_request(RepetitionInfo repetition) throws Exception {
        raceOnOneRequest(TestPolicies.standard(), repetition.getCurrentRepetition());
    }

    @RepeatedTest(5)
    void fifty_people_acting_at_once_never_exceed_a_quorum_of_two(RepetitionInfo repetition) throws Exception {
        raceOnOneRequest(TestPolicies.withQuorum(2), 1000 + repetition.getCurrentRepetition());
    }

    @RepeatedTest(10)
    void approvals_for_different_teams_racing_through_two_services_are_both_recorded() throws Exception {
        var policy = TestPolicies.standard();
        var sre = service(policy, store);
        var releng = service(policy, store);
        var id = open(sre);
        var barrier = new CyclicBarrier(2);

        var a = pool.submit(() -> { barrier.await(); return sre.approve(id, SRE1, "sre"); });
        var b = pool.submit(() -> { barrier.await(); return releng.approve(id, REL1, "releng"); });

        assertThat(a.get(10, TimeUnit.SECONDS)).isInstanceOf(Applied.class);
        assertThat(b.get(10, TimeUnit.SECONDS)).isInstanceOf(Applied.class);
        var request = store.find(id).orElseThrow();
        assertThat(request.state()).isEqualTo(State.APPROVED);
        assertThat(request.approvals()).extracting(Approval::by).containsExactlyInAnyOrder(SRE1, REL1);
        assertThat(request.version()).isEqualTo(3);
    }

    @Test
    void an_approval_that_loses_the_race_is_decided_again_on_the_new_version_and_recorded() {
        var policy = TestPolicies.standard();
        var other = service(policy, store);
        var saves = new AtomicInteger();
        // Between SRE1's read and write, REL1 approves through another instance.
        var racing = new DelegatingStore(store) {
            @Override
            public boolean save(EmergencyRequest request, long expectedVersion, List<Event> events) {
                if (saves.incrementAndGet() == 1) other.approve(request.id(), REL1, "releng");
                return super.save(request, expectedVersion, events);
            }
        };
        var id = open(other);

        var outcome = service(policy, racing).approve(id, SRE1, "sre");

        assertThat(outcome).isInstanceOf(Applied.class);
        assertThat(saves).as("saves tried").hasValue(2);
        var request = store.find(id).orElseThrow();
        assertThat(request.state()).isEqualTo(State.APPROVED);
        assertThat(request.approvals()).extracting(Approval::by).containsExactly(REL1, SRE1);
        assertThat(store.timeline(id)).extracting(Event::type).containsExactly(EventType.REQUEST_OPENED,
                EventType.APPROVAL_ADDED, EventType.APPROVAL_ADDED, EventType.REQUEST_APPROVED);
    }

    private RequestId open(RequestService service) {
        var opened = service.open(DEV, TestPolicies.draft("availability"));
        assertThat(opened).isInstanceOf(Applied.class);
        return ((Applied) opened).request().id();
    }

    private void raceOnOneRequest(Policy policy, long seed) throws Exception {
        var service = service(policy, store);
        var workflow = service.workflow();
        var id = open(service);
        var actions = actions(service, id, new Random(seed));
        var barrier = new CyclicBarrier(THREADS);

        var futures = new ArrayList<Future<Outcome>>();
        for (var action : actions) futures.add(pool.submit(() -> { barrier.await(); return action.call(); }));
        var outcomes = new ArrayList<Outcome>();
        for (var f : futures) outcomes.add(f.get(30, TimeUnit.SECONDS)); // rethrows whatever a thread threw

        assertThat(outcomes).hasSize(THREADS).doesNotContainNull();
        var request = store.find(id).orElseThrow();
        var timeline = store.timeline(id);

        // One legal outcome.
        assertThat(request.state()).isIn(State.PENDING, State.APPROVED, State.REJECTED, State.CANCELLED);
        if (request.state() == State.APPROVED) assertThat(workflow.teamsStillNeeded(request)).isEmpty();
        if (request.state() == State.PENDING) assertThat(workflow.teamsStillNeeded(request)).isNotEmpty();
        if (request.state() == State.REJECTED) {
            assertThat(request.rejection().by()).isEqualTo(SRE2);
            assertThat(request.rejection().reason()).isEqualTo("Not an emergency");
        }
        assertThat(request.approvals()).extracting(Approval::person).doesNotHaveDuplicates().doesNotContain(
                request.requesterPerson());
        for (var team : request.requiredTeams())
            assertThat(request.approvalsFor(team)).as("approvals for " + team).hasSizeLessThanOrEqualTo(workflow.quorum(request, team));
        for (var approval : request.approvals())
            assertThat(policy.team(approval.team()).orElseThrow().members()).contains(approval.by());

        // The timeline tells the same story: one save per version, replayed to the same request.
        var versions = timeline.stream().map(Event::version).distinct().toList();
        assertThat(versions).as("one save per version, in order")
                .isEqualTo(java.util.stream.LongStream.rangeClosed(1, request.version()).boxed().toList());
        for (int i = 1; i < timeline.size(); i++)
            assertThat(timeline.get(i).version()).isGreaterThanOrEqualTo(timeline.get(i - 1).version());
        var replayed = replay(timeline);
        assertThat(replayed.state).isEqualTo(request.state());
        assertThat(replayed.approvals).isEqualTo(request.approvals().stream()
                .map(a -> a.team() + "=" + a.by()).collect(Collectors.toCollection(LinkedHashSet::new)));
        assertThat(timeline.get(timeline.size() - 1).state()).isEqualTo(request.state());

        // Every save the service reported is in the timeline, and nothing else is.
        var appliedOutcomes = outcomes.stream().filter(o -> o instanceof Applied).map(o -> (Applied) o).toList();
        assertThat(appliedOutcomes).hasSize((int) request.version() - 1);
        assertThat(applied).hasValue((int) request.version());
        var reported = new ArrayList<>(timeline.subList(0, 1));
        appliedOutcomes.stream().flatMap(o -> o.events().stream()).forEach(reported::add);
        assertThat(timeline).containsExactlyInAnyOrderElementsOf(reported);

        // The stream carries the same events, in the same order.
        var streamed = store.readEvents("0-0", 10_000).stream().map(RedisRequestStore.StreamedEvent::event).toList();
        assertThat(streamed).hasSize(timeline.size()).isEqualTo(timeline);
    }

    /**
     * 50 actions in a random order: approvals for both teams (BOTH for either), and a few rejections and cancels,
     * so that some races end approved and others rejected or cancelled (possibly after approval).
     */
    private static List<Callable<Outcome>> actions(RequestService s, RequestId id, Random random) {
        var approvals = List.<Callable<Outcome>>of(
                () -> s.approve(id, SRE1, "sre"),
                () -> s.approve(id, SRE2, "sre"),
                () -> s.approve(id, REL1, "releng"),
                () -> s.approve(id, REL2, "releng"),
                () -> s.approve(id, BOTH, "sre"),
                () -> s.approve(id, BOTH, "releng"),
                () -> s.approve(id, BOTH, null));
        var actions = new ArrayList<Callable<Outcome>>();
        int rejects = random.nextInt(3);
        int cancels = random.nextInt(3);
        for (int i = 0; i < rejects; i++) actions.add(() -> s.reject(id, SRE2, "Not an emergency"));
        for (int i = 0; i < cancels; i++) actions.add(() -> s.cancel(id, DEV, "Fixed by a config change"));
        for (int i = actions.size(); i < THREADS; i++) actions.add(approvals.get(i % approvals.size()));
        Collections.shuffle(actions, random);
        return actions;
    }

    private record Replayed(State state, Set<String> approvals) {}

    /** The state and approvals the events alone describe. */
    private static Replayed replay(List<Event> timeline) {
        State state = null;
        var approvals = new LinkedHashSet<String>();
        for (var e : timeline) {
            switch (e.type()) {
                case REQUEST_OPENED -> state = State.PENDING;
                case APPROVAL_ADDED -> assertThat(approvals.add(e.team() + "=" + e.actor())).as("approved twice: " + e).isTrue();
                case APPROVALS_CLEARED -> approvals.clear();
                case REQUEST_APPROVED -> state = State.APPROVED;
                case REQUEST_REJECTED -> state = State.REJECTED;
                case REQUEST_CANCELLED -> state = State.CANCELLED;
                case REQUEST_EXPIRED -> state = State.EXPIRED;
                default -> throw new AssertionError("unexpected event in this race: " + e);
            }
        }
        return new Replayed(state, approvals);
    }

    /** Passes every call to the real store; a test overrides the call it wants to interleave with. */
    private static class DelegatingStore implements RequestStore {
        private final RequestStore store;

        DelegatingStore(RequestStore store) { this.store = store; }

        @Override public RequestId nextId() { return store.nextId(); }

        @Override public Optional<EmergencyRequest> find(RequestId id) { return store.find(id); }

        @Override
        public boolean save(EmergencyRequest request, long expectedVersion, List<Event> events) {
            return store.save(request, expectedVersion, events);
        }

        @Override public List<Event> timeline(RequestId id) { return store.timeline(id); }

        @Override public List<EmergencyRequest> recent(Set<State> states, int limit) { return store.recent(states, limit); }

        @Override public List<RequestId> dueForExpiry(Instant now, int limit) { return store.dueForExpiry(now, limit); }

        @Override public List<EmergencyRequest> opened(long offset, int limit) { return store.opened(offset, limit); }

        @Override public Map<State, Long> countByState() { return store.countByState(); }

        @Override public long highestNumber() { return store.highestNumber(); }

        @Override public List<Kept> history(long from, int count) { return store.history(from, count); }
    }
}
