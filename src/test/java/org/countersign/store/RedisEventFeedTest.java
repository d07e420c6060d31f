package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.domain.TestPolicies.DEV;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.app.StreamConsumer;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;

/** The events stream read entry by entry on a real Redis: what cannot be delivered is set aside, the rest goes on. */
class RedisEventFeedTest {
    private final UnifiedJedis redis = TestRedis.client();
    private final String prefix = TestRedis.uniquePrefix();
    private final Keys keys = new Keys(prefix);
    private final RedisRequestStore store = new RedisRequestStore(redis, prefix);
    private final RedisEventFeed feed = new RedisEventFeed(redis, prefix);
    private final RequestService service = new RequestService(store, new PolicyDirectory(TestPolicies.standard()),
            new Workflow(TestPolicies.standard()), Clock.systemUTC());

    @Test
    void an_event_of_a_type_a_newer_instance_added_is_dead_lettered_as_it_is_and_the_events_around_it_are_delivered() {
        var delivered = new CopyOnWriteArrayList<String>();
        try (var consumer = new StreamConsumer(feed, "cards", "a", e -> delivered.add(e.id())).start()) {
            var before = open();
            redis.xadd(keys.events(), StreamEntryID.NEW_ENTRY, Map.of("type", "request.teleported", "request", "EMG-99",
                    "id", "EMG-99/1/0", "event", "{\"id\":\"EMG-99/1/0\",\"type\":\"request.teleported\"}"));
            var after = open();

            await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() == 2);
            assertThat(delivered).containsExactly(before + "/1/0", after + "/1/0");
            await().atMost(Duration.ofSeconds(5)).until(() -> feed.deadLetters("cards", 10).size() == 1);
            assertThat(feed.deadLetters("cards", 10).get(0)).contains("not readable by this version")
                    .contains("request.teleported");
            await().atMost(Duration.ofSeconds(5)).until(() -> redis.xpending(keys.events(), "cards").getTotal() == 0);
        }
    }

    @Test
    void the_live_tail_skips_an_unreadable_event_and_shows_the_next() {
        var from = feed.newest();
        redis.xadd(keys.events(), StreamEntryID.NEW_ENTRY, Map.of("event", "{\"type\":\"request.teleported\"}"));
        var after = open();

        var tail = feed.tail(from, 10, Duration.ofMillis(100));

        assertThat(tail.deliveries()).extracting(d -> d.event().id()).containsExactly(after + "/1/0");
    }

    @Test
    void a_pending_event_trimmed_from_the_stream_is_dead_lettered_with_why_not_acknowledged_in_silence() throws Exception {
        feed.join("hooks");
        var id = open();
        var received = feed.next("hooks", "dead", 10, Duration.ofMillis(100));
        assertThat(received).hasSize(1);
        redis.xtrim(keys.events(), 0, false);
        Thread.sleep(50);

        var claimed = feed.claimAbandoned("hooks", "alive", Duration.ofMillis(20), 10);
        // Redis 7 names it in XAUTOCLAIM's answer; Redis 6.2 claims it without an id, and a read of its pending says it.
        var pending = feed.unacknowledged("hooks", "alive", 10);

        assertThat(claimed).isEmpty();
        assertThat(pending).isEmpty();
        assertThat(feed.deadLetters("hooks", 10)).singleElement().asString()
                .contains(received.get(0).deliveryId()).contains("trimmed from the events stream");
        assertThat(redis.xpending(keys.events(), "hooks").getTotal()).isZero();
        assertThat(id).isNotNull();
    }

    @Test
    void each_claim_goes_on_from_where_the_last_one_stopped() throws Exception {
        feed.join("hooks");
        for (int i = 0; i < 5; i++) open();
        var ids = feed.next("hooks", "dead", 10, Duration.ofMillis(100)).stream().map(d -> d.deliveryId()).toList();
        assertThat(ids).hasSize(5);
        Thread.sleep(50);

        var first = claimed();
        Thread.sleep(50); // the first two are idle again: a claim from 0-0 would take them once more
        var second = claimed();
        var third = claimed();

        assertThat(first).containsExactly(ids.get(0), ids.get(1));
        assertThat(second).containsExactly(ids.get(2), ids.get(3));
        assertThat(third).containsExactly(ids.get(4));
        Thread.sleep(50);
        assertThat(claimed()).as("round again once the end was reached").containsExactly(ids.get(0), ids.get(1));
    }

    private java.util.List<String> claimed() {
        return feed.claimAbandoned("hooks", "alive", Duration.ofMillis(20), 2).stream().map(d -> d.deliveryId()).toList();
    }

    private RequestId open() {
        return ((Outcome.Applied) service.open(DEV, TestPolicies.draft("availability"))).request().id();
    }
}
