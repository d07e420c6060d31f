package org.countersign.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.TestPolicies.DEV;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.countersign.app.ExpirySweeperTest.SettableClock;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;
import org.countersign.domain.Outcome;
import org.countersign.domain.Policy;
import org.countersign.domain.Reminders;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.Test;

/** The sweeper on a real Redis: what is due is sent once, whatever the number of instances, sweeps and restarts. */
class ReminderSweeperTest {
    static final Policy POLICY = TestPolicies.standard()
            .withReminders(new Reminders(Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofMinutes(10)));
    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-26T02:00:00Z"));
    private final String prefix = TestRedis.uniquePrefix();

    /** One Countersign instance: its own store client and service on the shared Redis, as a second process has. */
    private record Instance(RedisRequestStore store, RequestService service, ReminderSweeper sweeper) {}

    private Instance instance() {
        var store = new RedisRequestStore(TestRedis.client(), prefix);
        var service = new RequestService(store, new PolicyDirectory(POLICY), new Workflow(POLICY), clock);
        return new Instance(store, service, new ReminderSweeper(store, service, clock));
    }

    @Test
    void sweeping_every_minute_for_an_hour_reminds_at_15_30_and_45_escalates_at_30_and_warns_at_50_once_each() {
        var a = instance();
        var id = open(a);
        var sentAt = new ArrayList<String>();

        for (int minute = 1; minute < 60; minute++) {
            clock.advance(Duration.ofMinutes(1));
            a.sweeper().sweepOnce();
        }

        for (var e : reminders(a, id)) sentAt.add(e.type().wire() + "@" + e.at().toString().substring(11, 16));
        assertThat(sentAt).containsExactly("request.reminded@02:15", "request.reminded@02:30", "request.escalated@02:30",
                "request.reminded@02:45", "request.expiry_warned@02:50");
    }

    @Test
    void two_instances_sweeping_at_once_send_each_reminder_and_page_exactly_once() throws Exception {
        var a = instance();
        var b = instance();
        var ids = new ArrayList<RequestId>();
        for (int i = 0; i < 30; i++) ids.add(open(a));
        clock.advance(Duration.ofMinutes(30));

        for (int round = 0; round < 3; round++) {
            var fromA = CompletableFuture.supplyAsync(a.sweeper()::sweepOnce);
            var fromB = CompletableFuture.supplyAsync(b.sweeper()::sweepOnce);
            var total = fromA.get() + fromB.get();
            assertThat(total).as("round " + round).isEqualTo(round == 0 ? 30 : 0);
        }

        for (var id : ids)
            assertThat(reminders(a, id)).extracting(Event::type)
                    .containsExactly(EventType.REQUEST_REMINDED, EventType.REQUEST_ESCALATED);
    }

    @Test
    void an_instance_started_again_finds_what_was_sent_in_redis_and_sends_it_not_again() {
        var before = instance();
        var id = open(before);
        clock.advance(Duration.ofMinutes(31));
        assertThat(before.sweeper().sweepOnce()).isEqualTo(1);
        before.sweeper().close();

        var after = instance(); // a restart: nothing kept in the JVM
        assertThat(after.sweeper().sweepOnce()).isZero();
        clock.advance(Duration.ofMinutes(14));
        assertThat(after.sweeper().sweepOnce()).isEqualTo(1);

        assertThat(reminders(after, id)).extracting(Event::type).containsExactly(EventType.REQUEST_REMINDED,
                EventType.REQUEST_ESCALATED, EventType.REQUEST_REMINDED);
    }

    @Test
    void an_approved_request_is_neither_reminded_nor_paged() {
        var a = instance();
        var id = open(a);
        a.service().approve(id, TestPolicies.SRE1, "sre");
        a.service().approve(id, TestPolicies.REL1, "releng");
        clock.advance(Duration.ofMinutes(45));

        assertThat(a.sweeper().sweepOnce()).isZero();
        assertThat(reminders(a, id)).isEmpty();
    }

    private static RequestId open(Instance at) {
        return ((Outcome.Applied) at.service().open(DEV, TestPolicies.draft("availability"))).request().id();
    }

    private static List<Event> reminders(Instance at, RequestId id) {
        return at.store().timeline(id).stream().filter(e -> e.type() == EventType.REQUEST_REMINDED
                || e.type() == EventType.REQUEST_ESCALATED || e.type() == EventType.REQUEST_EXPIRY_WARNED).toList();
    }
}
