package org.countersign.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.TestPolicies.DEV;
import static org.countersign.domain.TestPolicies.REL1;
import static org.countersign.domain.TestPolicies.SRE1;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import org.countersign.domain.EventType;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.Test;

class ExpirySweeperTest {
    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-26T02:00:00Z"));
    private final RedisRequestStore store = TestRedis.store();
    private final RequestService service = new RequestService(store, new PolicyDirectory(TestPolicies.standard()),
            new Workflow(TestPolicies.standard()), clock);

    @Test
    void a_pending_request_expires_after_the_policys_time_and_not_before() {
        var id = open();
        var sweeper = new ExpirySweeper(store, service, clock);

        clock.advance(Duration.ofMinutes(59));
        assertThat(sweeper.sweepOnce()).isZero();
        assertThat(state(id)).isEqualTo(State.PENDING);

        clock.advance(Duration.ofMinutes(1));
        assertThat(sweeper.sweepOnce()).isEqualTo(1);
        assertThat(state(id)).isEqualTo(State.EXPIRED);
        assertThat(store.dueForExpiry(clock.instant(), 10)).isEmpty();
    }

    @Test
    void an_approved_request_whose_deploy_has_not_started_expires_once_its_approvals_are_stale() {
        var id = approved();
        var sweeper = new ExpirySweeper(store, service, clock);

        clock.advance(Duration.ofHours(2).minusSeconds(1));
        assertThat(sweeper.sweepOnce()).isZero();
        assertThat(state(id)).isEqualTo(State.APPROVED);

        clock.advance(Duration.ofSeconds(1));
        assertThat(sweeper.sweepOnce()).isEqualTo(1);
        assertThat(state(id)).isEqualTo(State.EXPIRED);
        var last = store.timeline(id).get(store.timeline(id).size() - 1);
        assertThat(last.type()).isEqualTo(EventType.REQUEST_EXPIRED);
        assertThat(last.detail()).startsWith("the approvals went stale");
        assertThat(store.dueForExpiry(clock.instant(), 10)).isEmpty();
    }

    @Test
    void a_request_whose_deploy_started_never_expires() {
        var id = approved();
        service.startDeploy(id, REL1);

        clock.advance(Duration.ofDays(7));
        new ExpirySweeper(store, service, clock).sweepOnce();

        assertThat(state(id)).isEqualTo(State.DEPLOYING);
    }

    @Test
    void two_instances_sweeping_at_once_expire_each_request_exactly_once() throws Exception {
        var ids = new java.util.ArrayList<RequestId>();
        for (int i = 0; i < 150; i++) ids.add(open()); // more than one batch
        clock.advance(Duration.ofHours(2));
        var a = new ExpirySweeper(store, service, clock);
        var b = new ExpirySweeper(store, service, clock);

        var fromA = CompletableFuture.supplyAsync(a::sweepOnce);
        var fromB = CompletableFuture.supplyAsync(b::sweepOnce);

        assertThat(fromA.get() + fromB.get()).isEqualTo(150);
        for (var id : ids) {
            assertThat(state(id)).isEqualTo(State.EXPIRED);
            assertThat(store.timeline(id)).filteredOn(e -> e.type() == EventType.REQUEST_EXPIRED).hasSize(1);
        }
    }

    @Test
    void the_expiry_says_which_teams_were_still_needed() {
        var id = open();
        service.approve(id, SRE1, "sre");
        clock.advance(Duration.ofHours(1));

        new ExpirySweeper(store, service, clock).sweepOnce();

        var last = store.timeline(id).get(store.timeline(id).size() - 1);
        assertThat(last.type()).isEqualTo(EventType.REQUEST_EXPIRED);
        assertThat(last.detail()).isEqualTo("still needed Release Engineering");
    }

    private RequestId open() {
        return ((Outcome.Applied) service.open(DEV, TestPolicies.draft("availability"))).request().id();
    }

    private RequestId approved() {
        var id = open();
        service.approve(id, SRE1, "sre");
        service.approve(id, REL1, "releng");
        return id;
    }

    private State state(RequestId id) { return store.find(id).orElseThrow().state(); }

    static final class SettableClock extends Clock {
        private volatile Instant now;

        SettableClock(Instant now) { this.now = now; }

        void advance(Duration d) { now = now.plus(d); }

        @Override public Instant instant() { return now; }

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }

        @Override public Clock withZone(ZoneId zone) { return this; }
    }
}
