package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.countersign.app.EventFeed.Delivery;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.junit.jupiter.api.Test;

/**
 * Events still pending when the capped stream ({@code XADD MAXLEN ~}) trimmed them are said and dead-lettered, not
 * acknowledged in silence, however they turn up: re-read after a restart, claimed from another consumer, handed back.
 */
class TrimmedPendingTest {
    /** Far below the 100 entries of a stream node, so writing a few hundred more trims the first node away. */
    static final long SMALL_MAX_LENGTH = 5;
    private final String prefix = TestRedis.uniquePrefix();
    private final RedisRequestStore store = new RedisRequestStore(TestRedis.client(), prefix, SMALL_MAX_LENGTH);
    private final RedisEventFeed feed = new RedisEventFeed(TestRedis.client(), prefix);
    private final RequestService service = new RequestService(store, new PolicyDirectory(TestPolicies.standard()),
            new Workflow(TestPolicies.standard()), Clock.systemUTC());

    /** Three events received by {@code consumer} and not acknowledged, then trimmed from the stream by later writes. */
    private List<String> threeReceivedThenTrimmed(String consumer) {
        feed.join("hooks");
        for (int i = 0; i < 3; i++) open();
        var received = feed.next("hooks", consumer, 3, Duration.ofMillis(100)).stream().map(Delivery::deliveryId).toList();
        assertThat(received).hasSize(3);
        for (int i = 0; i < 250; i++) open();
        assertThat(received).noneMatch(id -> RawStream.holds(prefix, id));
        return received;
    }

    @Test
    void pending_events_trimmed_away_are_dead_lettered_when_another_consumer_claims_them() throws Exception {
        var trimmed = threeReceivedThenTrimmed("dead");
        Thread.sleep(50);

        var claimed = feed.claimAbandoned("hooks", "alive", Duration.ofMillis(20), 10);

        assertThat(claimed).extracting(Delivery::deliveryId).doesNotContainAnyElementsOf(trimmed);
        assertTrimmedDeadLetters(trimmed);
        assertThat(feed.unacknowledged("hooks", "dead", 10)).isEmpty();
    }

    @Test
    void pending_events_trimmed_away_are_dead_lettered_when_their_consumer_reads_them_again_after_a_restart() {
        var trimmed = threeReceivedThenTrimmed("a");

        assertThat(feed.unacknowledged("hooks", "a", 10)).isEmpty();

        assertTrimmedDeadLetters(trimmed);
        assertThat(TestRedis.client().xpending(new Keys(prefix).events(), "hooks").getTotal()).isZero();
    }

    @Test
    void pending_events_trimmed_away_are_dead_lettered_when_a_stopping_consumer_hands_its_events_back() {
        var trimmed = threeReceivedThenTrimmed("a");

        feed.handBack("hooks", "a"); // Redis 7 finds them gone here; 6.2 hands them back and the next claim does
        var claimed = feed.claimAbandoned("hooks", "b", Duration.ofSeconds(30), 10);

        assertThat(claimed).isEmpty();
        assertTrimmedDeadLetters(trimmed);
        assertThat(TestRedis.client().xpending(new Keys(prefix).events(), "hooks").getTotal()).isZero();
    }

    private void assertTrimmedDeadLetters(List<String> trimmed) {
        var letters = feed.deadLettersOf("hooks", 10);
        assertThat(letters).extracting(l -> l.deliveryId()).containsExactlyInAnyOrderElementsOf(trimmed);
        assertThat(letters).allSatisfy(l -> {
            assertThat(l.reason()).isEqualTo("trimmed from the events stream (MAXLEN) before it was delivered");
            assertThat(l.event()).isNull();
        });
        assertThat(feed.deadLetters("hooks", 10)).allSatisfy(text -> assertThat(text).contains("\"group\":\"hooks\""));
    }

    @Test
    void a_claim_goes_on_from_where_the_last_one_stopped_so_an_abandoned_event_behind_busy_ones_is_reached()
            throws Exception {
        var big = new RedisRequestStore(TestRedis.client(), prefix);
        var bigService = new RequestService(big, new PolicyDirectory(TestPolicies.standard()),
                new Workflow(TestPolicies.standard()), Clock.systemUTC());
        feed.join("hooks");
        for (int i = 0; i < 13; i++) bigService.open(TestPolicies.DEV, TestPolicies.draft("availability"));
        var received = feed.next("hooks", "dead", 13, Duration.ofMillis(100));
        assertThat(received).hasSize(13);
        Thread.sleep(700);
        // The first twelve are being worked on by a live consumer; only the last one is abandoned.
        for (var d : received.subList(0, 12)) feed.keep("hooks", "busy", d);

        // A claim of 1 looks at no more than 10 pending entries (XAUTOCLAIM's COUNT * 10): from 0-0 every time, the
        // abandoned one would never be reached.
        var claimed = new ArrayList<String>();
        for (int i = 0; i < 3 && claimed.isEmpty(); i++)
            feed.claimAbandoned("hooks", "alive", Duration.ofMillis(500), 1).forEach(d -> claimed.add(d.deliveryId()));

        assertThat(claimed).containsExactly(received.get(12).deliveryId());
    }

    private RequestId open() {
        return ((Outcome.Applied) service.open(TestPolicies.DEV, TestPolicies.draft("availability"))).request().id();
    }
}
