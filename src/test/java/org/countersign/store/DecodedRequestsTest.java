package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.junit.jupiter.api.Test;

/** Requests decoded once per stored text: a hit is the request that text decodes to, and the oldest read go first. */
class DecodedRequestsTest {
    private final List<String> decodedTexts = new ArrayList<>();
    private final Function<String, EmergencyRequest> decode = text -> {
        decodedTexts.add(text);
        var opened = Requests.opened(new RequestId(Long.parseLong(text.substring(1))), Requests.T0).request();
        return text.startsWith("a") ? opened
                : Requests.approved(opened, TestPolicies.SRE1, "sre", Requests.T0.plusSeconds(60)).request();
    };

    @Test
    void the_same_text_is_decoded_once_and_another_text_of_the_same_request_is_decoded_anew() {
        var cache = new DecodedRequests(4);

        var first = cache.read("a7", decode);
        var again = cache.read(new String("a7".toCharArray()), decode); // equal text, another String
        var newer = cache.read("b7", decode); // the next version of EMG-7

        assertThat(again).isSameAs(first);
        assertThat(newer.version()).isEqualTo(first.version() + 1);
        assertThat(decodedTexts).containsExactly("a7", "b7");
    }

    @Test
    void beyond_its_capacity_the_least_recently_read_is_dropped() {
        var cache = new DecodedRequests(2);
        cache.read("a1", decode);
        cache.read("a2", decode);
        cache.read("a1", decode); // a1 read again: a2 is now the eldest
        cache.read("a3", decode);

        cache.read("a1", decode);
        cache.read("a2", decode);

        assertThat(decodedTexts).containsExactly("a1", "a2", "a3", "a2");
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void a_card_ledger_sharing_the_store_reads_the_request_the_store_decoded_and_the_next_version_anew() {
        var prefix = TestRedis.uniquePrefix();
        var store = new RedisRequestStore(TestRedis.client(), prefix);
        var ledger = new RedisCardLedger(TestRedis.client(), prefix, store);
        var opened = Requests.create(store, Requests.T0);

        var found = store.find(opened.id()).orElseThrow();
        var begun = ledger.begin(opened.id(), "card:" + opened.id(), "instance-a", java.time.Duration.ofSeconds(30),
                "card:" + opened.id(), "reply:" + opened.id());
        assertThat(begun.request()).containsSame(found);

        var approved = Requests.save(store, found, Requests.approved(found, TestPolicies.SRE1, "sre", Requests.T0));
        var after = ledger.begin(opened.id(), "card2:" + opened.id(), "instance-a", java.time.Duration.ofSeconds(30),
                "card2:" + opened.id(), "reply2:" + opened.id()).request().orElseThrow();
        assertThat(after).isEqualTo(approved).isNotEqualTo(found);
        assertThat(store.find(opened.id())).containsSame(after);
    }

    @Test
    void a_request_this_store_saved_reads_back_as_the_one_saved_and_one_another_store_saved_is_decoded() {
        var prefix = TestRedis.uniquePrefix();
        var store = new RedisRequestStore(TestRedis.client(), prefix);
        var other = new RedisRequestStore(TestRedis.client(), prefix);
        var opened = Requests.create(store, Requests.T0);

        assertThat(store.find(opened.id())).containsSame(opened);
        var approved = Requests.save(other, opened, Requests.approved(opened, TestPolicies.SRE1, "sre", Requests.T0));
        var read = store.find(opened.id()).orElseThrow();
        assertThat(read).isEqualTo(approved).isNotSameAs(approved);
        assertThat(other.find(opened.id())).containsSame(approved);
    }

    @Test
    void a_capacity_below_one_is_refused() {
        assertThatThrownBy(() -> new DecodedRequests(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }
}
