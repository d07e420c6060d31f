package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.app.StreamConsumer;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An entry this version cannot read (an event type a newer instance added during a rolling upgrade, broken JSON) is
 * set aside raw and the events around it still go through, for consumer groups and for the live tail alike.
 */
class UnreadableEntryTest {
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

    /** What a newer instance writes for an event type this version does not know. */
    static Map<String, String> fromANewerVersion(String request) {
        return Map.of("type", "request.teleported", "request", request, "id", request + "/9/0", "event",
                "{\"id\":\"" + request + "/9/0\",\"type\":\"REQUEST_TELEPORTED\",\"request\":\"" + request
                        + "\",\"version\":9,\"at\":\"2026-01-01T00:00:00Z\",\"actor\":\"console:dev\",\"state\":\"PENDING\"}");
    }

    @Test
    void an_entry_of_an_unknown_event_type_between_good_ones_is_dead_lettered_raw_and_every_good_one_is_delivered() {
        feed.join("hooks");
        var first = open();
        var bad = RawStream.add(prefix, fromANewerVersion(first.toString()));
        var broken = RawStream.add(prefix, Map.of("type", "request.opened", "request", "EMG-77", "id", "EMG-77/1/0",
                "event", "{not json"));
        var second = open();

        var seen = new CopyOnWriteArrayList<String>();
        consumers.add(new StreamConsumer(feed, "hooks", "a", e -> seen.add(e.id())).start());

        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
        assertThat(seen).containsExactly(first + "/1/0", second + "/1/0");
        var letters = feed.deadLettersOf("hooks", 10);
        assertThat(letters).extracting(l -> l.deliveryId()).containsExactly(broken, bad);
        assertThat(letters).allSatisfy(l -> assertThat(l.event()).isNull());
        assertThat(letters.get(1).raw()).isEqualTo(fromANewerVersion(first.toString()));
        assertThat(letters.get(1).reason()).startsWith("not readable by this version: ").contains("REQUEST_TELEPORTED");
        assertThat(letters.get(0).raw()).containsEntry("event", "{not json").containsEntry("id", "EMG-77/1/0");
        assertThat(feed.unacknowledged("hooks", "a", 10)).as("the bad entries are acknowledged too").isEmpty();

        var third = open(); // and the consumer keeps going
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 3);
        assertThat(seen.get(2)).isEqualTo(third + "/1/0");
    }

    @Test
    void an_unreadable_entry_left_pending_by_an_older_run_does_not_hold_up_the_others_after_a_restart() {
        feed.join("hooks");
        var first = open();
        var bad = RawStream.add(prefix, fromANewerVersion(first.toString()));
        var second = open();
        assertThat(feed.next("hooks", "a", 10, Duration.ofMillis(100))).extracting(d -> d.deliveryId()).doesNotContain(bad);

        var again = feed.unacknowledged("hooks", "a", 10);

        assertThat(again).extracting(d -> d.event().id()).containsExactly(first + "/1/0", second + "/1/0");
        assertThat(feed.deadLettersOf("hooks", 10)).extracting(l -> l.deliveryId()).containsExactly(bad);
    }

    @Test
    void the_live_tail_skips_an_unreadable_entry_and_reads_on_past_it() {
        var from = feed.newest();
        var first = open();
        RawStream.add(prefix, fromANewerVersion(first.toString()));
        var second = open();

        var read = new ArrayList<String>();
        var position = from;
        for (int i = 0; i < 5 && read.size() < 2; i++) {
            var tail = feed.tail(position, 1, Duration.ofMillis(100));
            position = tail.position();
            tail.deliveries().forEach(d -> read.add(d.event().id()));
        }

        assertThat(read).containsExactly(first + "/1/0", second + "/1/0");
        assertThat(feed.tail(position, 10, Duration.ofMillis(50)).deliveries()).isEmpty();
    }

    private RequestId open() {
        return ((Outcome.Applied) service.open(TestPolicies.DEV, TestPolicies.draft("availability"))).request().id();
    }
}
