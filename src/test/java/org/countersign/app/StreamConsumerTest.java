package org.countersign.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.domain.TestPolicies.DEV;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.RedisEventFeed;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Consumer groups on the real events stream: at least once, in order, across restarts and instances. */
class StreamConsumerTest {
    private final String prefix = TestRedis.uniquePrefix();
    private final RedisRequestStore store = new RedisRequestStore(TestRedis.client(), prefix);
    private final RedisEventFeed feed = new RedisEventFeed(TestRedis.client(), prefix);
    private final RequestService service = new RequestService(store, new PolicyDirectory(TestPolicies.standard()),
            new Workflow(TestPolicies.standard()), Clock.systemUTC());
    private final List<StreamConsumer> consumers = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        consumers.forEach(StreamConsumer::close);
    }

    @Test
    void a_new_group_gets_the_events_written_after_it_joined_in_order() {
        open();
        var seen = new CopyOnWriteArrayList<String>();
        start("cards", "a", e -> seen.add(e.id()));
        var later = open();
        service.approve(later, TestPolicies.SRE1, "sre");

        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
        assertThat(seen).containsExactly(later + "/1/0", later + "/2/0");
    }

    @Test
    void an_event_received_but_not_acknowledged_comes_again_after_a_restart() {
        feed.join("cards");
        var id = open();
        var first = feed.next("cards", "a", 10, Duration.ofMillis(100));
        assertThat(first).hasSize(1); // received, then the process "dies" before acknowledging

        var seen = new CopyOnWriteArrayList<String>();
        start("cards", "a", e -> seen.add(e.id()));

        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
        assertThat(seen).containsExactly(id + "/1/0");
        assertThat(feed.unacknowledged("cards", "a", 10)).isEmpty();
    }

    @Test
    void another_instance_takes_over_events_a_dead_instance_left_unacknowledged() throws Exception {
        feed.join("cards");
        open();
        assertThat(feed.next("cards", "dead", 10, Duration.ofMillis(100))).hasSize(1);
        Thread.sleep(50);

        var claimed = feed.claimAbandoned("cards", "alive", Duration.ofMillis(20), 10);

        assertThat(claimed).hasSize(1);
        assertThat(feed.unacknowledged("cards", "alive", 10)).hasSize(1);
        assertThat(feed.unacknowledged("cards", "dead", 10)).isEmpty();
    }

    @Test
    void retry_later_is_retried_until_it_succeeds_and_the_event_is_handled_once() {
        var attempts = new AtomicInteger();
        var handled = new CopyOnWriteArrayList<String>();
        start("cards", "a", e -> {
            if (attempts.incrementAndGet() < 3) throw new StreamConsumer.RetryLater("ratelimited", Duration.ofMillis(20));
            handled.add(e.id());
        });
        open();

        await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 1);
        assertThat(attempts).hasValue(3);
        await().atMost(Duration.ofSeconds(2)).until(() -> feed.unacknowledged("cards", "a", 10).isEmpty());
    }

    @Test
    void an_event_that_keeps_failing_is_dead_lettered_and_the_next_one_goes_through() {
        var handled = new CopyOnWriteArrayList<String>();
        var bad = new java.util.concurrent.atomic.AtomicReference<String>();
        var consumer = new StreamConsumer(feed, "hooks", "a", e -> {
            bad.compareAndSet(null, e.id()); // the first event ever seen is the one that keeps failing
            if (e.id().equals(bad.get())) throw new IllegalStateException("channel_not_found");
            handled.add(e.id());
        }, 3, Duration.ofMillis(20));
        consumers.add(consumer.start());
        var first = open();
        var second = open();

        await().atMost(Duration.ofSeconds(5)).until(() -> handled.contains(second + "/1/0"));
        var letters = feed.deadLetters("hooks", 10);
        assertThat(bad.get()).isEqualTo(first + "/1/0");
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0)).contains(first + "/1/0").contains("channel_not_found");
        assertThat(handled).containsExactly(second + "/1/0");
    }

    @Test
    void two_instances_in_one_group_handle_each_event_once_between_them() {
        var handled = new CopyOnWriteArrayList<String>();
        start("cards", "a", e -> handled.add(e.id()));
        start("cards", "b", e -> handled.add(e.id()));
        for (int i = 0; i < 30; i++) open();

        await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() >= 30);
        assertThat(handled).hasSize(30).doesNotHaveDuplicates();
    }

    @Test
    void in_lanes_different_requests_are_handled_side_by_side_and_each_requests_events_in_order() {
        var seen = new CopyOnWriteArrayList<String>();
        var together = new java.util.concurrent.atomic.AtomicInteger();
        var most = new java.util.concurrent.atomic.AtomicInteger();
        var consumer = new StreamConsumer(feed, "cards", "a", e -> {
            most.accumulateAndGet(together.incrementAndGet(), Math::max);
            Thread.sleep(30); // a slow chat API
            together.decrementAndGet();
            seen.add(e.id());
        }).inLanes(4);
        feed.join("cards");
        var ids = new java.util.ArrayList<RequestId>();
        for (int i = 0; i < 4; i++) {
            var id = open();
            service.approve(id, TestPolicies.SRE1, "sre");
            service.approve(id, TestPolicies.REL1, "releng");
            ids.add(id);
        }
        consumers.add(consumer.start());

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 16);
        assertThat(most.get()).as("requests handled at once").isGreaterThan(1);
        for (var id : ids)
            assertThat(seen.stream().filter(e -> e.startsWith(id + "/")).toList())
                    .containsExactly(id + "/1/0", id + "/2/0", id + "/3/0", id + "/3/1");
    }

    @Test
    void an_event_retried_for_longer_than_the_claim_time_stays_with_its_consumer_and_is_delivered_once()
            throws Exception {
        var tried = new CopyOnWriteArrayList<String>();
        var delivered = new CopyOnWriteArrayList<String>();
        var up = new java.util.concurrent.atomic.AtomicBoolean();
        for (var name : List.of("a", "b")) {
            StreamConsumer.Handler handler = e -> {
                tried.add(name);
                if (!up.get()) throw new StreamConsumer.RetryLater("the receiver is down", Duration.ofMillis(100));
                delivered.add(name + " " + e.id());
            };
            consumers.add(new StreamConsumer(feed, "hooks", name, handler).abandonedAfter(Duration.ofMillis(600)).start());
        }
        var id = open();
        await().atMost(Duration.ofSeconds(5)).until(() -> !tried.isEmpty());
        Thread.sleep(3_000); // five times the claim time, retrying all along
        up.set(true);

        await().atMost(Duration.ofSeconds(5)).until(() -> !delivered.isEmpty());
        Thread.sleep(1_000); // long enough for a second copy to arrive, if one were coming
        var owner = tried.get(0);
        assertThat(tried).as("only the consumer that took it tried it").containsOnly(owner);
        assertThat(delivered).containsExactly(owner + " " + id + "/1/0");
        assertThat(feed.deadLetters("hooks", 10)).isEmpty();
    }

    @Test
    void a_consumer_that_stops_finishes_the_event_it_started_and_hands_the_rest_to_another_within_seconds()
            throws Exception {
        var delivered = new CopyOnWriteArrayList<String>();
        var started = new java.util.concurrent.CountDownLatch(1);
        feed.join("hooks");
        var first = open();
        var more = List.of(open(), open());
        var a = new StreamConsumer(feed, "hooks", "a", e -> {
            started.countDown();
            Thread.sleep(500); // a slow peer
            delivered.add("a " + e.id());
        }).start();
        // a received all three in one read, and is on the first.
        assertThat(started.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(feed.unacknowledged("hooks", "a", 10)).hasSize(3);

        long stopping = System.nanoTime();
        a.close();
        var stopped = Duration.ofNanos(System.nanoTime() - stopping);
        start("hooks", "b", e -> delivered.add("b " + e.id()));

        await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() == 3);
        assertThat(delivered).containsExactlyInAnyOrder("a " + first + "/1/0", "b " + more.get(0) + "/1/0",
                "b " + more.get(1) + "/1/0");
        assertThat(stopped).as("a stops once its delivery is done").isLessThan(Duration.ofSeconds(3));
        assertThat(feed.unacknowledged("hooks", "a", 10)).isEmpty();
        assertThat(feed.deadLetters("hooks", 10)).isEmpty();
    }

    @Test
    void a_tracked_backlog_holds_what_the_lanes_hold_and_is_empty_once_each_event_is_handled_or_set_aside()
            throws Exception {
        var gate = new java.util.concurrent.CountDownLatch(1);
        var backlog = new CardBacklog(Telemetry.NONE, "slack");
        var consumer = new StreamConsumer(feed, "cards", "a", e -> {
            gate.await();
            if (e.id().endsWith("/2/0")) throw new StreamConsumer.GiveUp("the peer refused it");
        }).inLanes(4).tracking(backlog);
        feed.join("cards");
        for (int i = 0; i < 3; i++) service.approve(open(), TestPolicies.SRE1, "sre");
        consumers.add(consumer.start());

        await().atMost(Duration.ofSeconds(10)).until(() -> backlog.held() == 6);
        gate.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> backlog.held() == 0);
        assertThat(feed.deadLetters("cards", 10)).hasSize(3);
    }

    private void start(String group, String name, StreamConsumer.Handler handler) {
        consumers.add(new StreamConsumer(feed, group, name, handler).start());
    }

    private RequestId open() {
        var outcome = service.open(DEV, TestPolicies.draft("availability"));
        return ((Outcome.Applied) outcome).request().id();
    }
}
