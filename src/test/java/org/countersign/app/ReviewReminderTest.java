package org.countersign.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.TestPolicies.DEV;
import static org.countersign.domain.TestPolicies.GLASS_REASON;
import static org.countersign.domain.TestPolicies.SRE1;
import static org.countersign.domain.TestPolicies.SRE2;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.countersign.domain.Actor;
import org.countersign.domain.DeployResult;
import org.countersign.domain.EventType;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.Test;

/** Overdue reviews on a real Redis: listed, reminded once per due-after, once across two instances. */
class ReviewReminderTest {
    private final ExpirySweeperTest.SettableClock clock =
            new ExpirySweeperTest.SettableClock(Instant.parse("2026-11-26T02:00:00Z"));
    private final String prefix = TestRedis.uniquePrefix();
    private final RedisRequestStore store = new RedisRequestStore(TestRedis.client(), prefix);
    private final RequestService service = service(store);

    private RequestService service(RedisRequestStore on) {
        return new RequestService(on, new PolicyDirectory(TestPolicies.withAftercare()),
                new Workflow(TestPolicies.withAftercare()), clock);
    }

    @Test
    void an_overdue_review_is_listed_and_reminded_once_per_due_after() {
        var id = brokenGlassAndDeployed();
        var reminder = new ReviewReminder(service);

        assertThat(service.awaitingReview()).extracting(r -> r.id()).containsExactly(id);
        clock.advance(Duration.ofDays(2).minusSeconds(1));
        assertThat(reminder.remindOnce()).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(reminder.remindOnce()).isEqualTo(1);
        assertThat(reminder.remindOnce()).isZero();
        assertThat(store.timeline(id)).filteredOn(e -> e.type() == EventType.REVIEW_OVERDUE).hasSize(1);

        clock.advance(Duration.ofDays(2));
        assertThat(reminder.remindOnce()).isEqualTo(1);
        assertThat(store.timeline(id)).filteredOn(e -> e.type() == EventType.REVIEW_OVERDUE).hasSize(2);
    }

    @Test
    void two_instances_reminding_at_once_remind_once() throws Exception {
        var id = brokenGlassAndDeployed();
        clock.advance(Duration.ofDays(3));
        var other = service(new RedisRequestStore(TestRedis.client(), prefix));

        var first = CompletableFuture.supplyAsync(() -> new ReviewReminder(service).remindOnce());
        var second = CompletableFuture.supplyAsync(() -> new ReviewReminder(other).remindOnce());

        assertThat(first.get() + second.get()).isEqualTo(1);
        assertThat(store.timeline(id)).filteredOn(e -> e.type() == EventType.REVIEW_OVERDUE).hasSize(1);
    }

    @Test
    void a_reviewed_request_is_no_longer_listed_nor_reminded() {
        var id = brokenGlassAndDeployed();
        assertThat(service.review(id, SRE2, "T42")).isInstanceOf(Outcome.Applied.class);
        clock.advance(Duration.ofDays(9));

        assertThat(service.awaitingReview()).isEmpty();
        assertThat(new ReviewReminder(service).remindOnce()).isZero();
    }

    private RequestId brokenGlassAndDeployed() {
        var id = ((Outcome.Applied) service.open(DEV, TestPolicies.draft("availability"))).request().id();
        assertThat(service.breakGlass(id, SRE1, GLASS_REASON)).isInstanceOf(Outcome.Applied.class);
        assertThat(service.finishDeploy(id, Actor.SYSTEM, DeployResult.SUCCEEDED, null)).isInstanceOf(Outcome.Applied.class);
        return id;
    }
}
