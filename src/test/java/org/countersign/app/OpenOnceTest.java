package org.countersign.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.TestPolicies.DEV;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.RedisKeyValues;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.Test;

/** One delivery of an open, handled once or many times, opens one request, under the id its first handling kept. */
class OpenOnceTest {
    private final String prefix = TestRedis.uniquePrefix();
    private final RequestStore store = new org.countersign.store.RedisRequestStore(TestRedis.client(), prefix);
    private final KeyValues kv = new RedisKeyValues(TestRedis.client(), prefix);
    private final RequestService service = new RequestService(store, new PolicyDirectory(TestPolicies.standard()),
            new Workflow(TestPolicies.standard()), Clock.systemUTC());

    /** Keeps the id in Redis, as the Matrix bot does for an event. */
    private OpenOnce delivery(String key) {
        return new OpenOnce() {
            @Override
            public Optional<RequestId> kept() { return kv.get(key).flatMap(RequestId::parse); }

            @Override
            public RequestId keep(RequestId fresh) {
                return kv.putIfAbsent(key, fresh.toString(), Duration.ofMinutes(5)) ? fresh : kept().orElseThrow();
            }
        };
    }

    private RequestId opened(Outcome outcome) { return ((Outcome.Applied) outcome).request().id(); }

    @Test
    void the_same_delivery_handled_twice_answers_with_the_request_it_opened() {
        var first = service.open(DEV, TestPolicies.draft("availability"), delivery("event-1"));
        var again = service.open(DEV, TestPolicies.draft("availability"), delivery("event-1"));

        assertThat(opened(again)).isEqualTo(opened(first));
        assertThat(((Outcome.Applied) again).events()).isEmpty();
        assertThat(store.recent(Set.of(), 10)).hasSize(1);
    }

    @Test
    void two_deliveries_with_the_same_text_open_two_requests() {
        var first = service.open(DEV, TestPolicies.draft("availability"), delivery("event-1"));
        var second = service.open(DEV, TestPolicies.draft("availability"), delivery("event-2"));

        assertThat(opened(second)).isNotEqualTo(opened(first));
        assertThat(store.recent(Set.of(), 10)).hasSize(2);
    }

    @Test
    void a_handling_that_died_after_keeping_its_id_is_opened_under_that_id_when_delivered_again() {
        var kept = delivery("event-1").keep(store.nextId()); // kept, then the process died before saving
        var again = service.open(DEV, TestPolicies.draft("availability"), delivery("event-1"));

        assertThat(opened(again)).isEqualTo(kept);
        assertThat(store.recent(Set.of(), 10)).hasSize(1);
    }

    @Test
    void a_draft_that_is_not_complete_keeps_no_id() {
        var refused = service.open(DEV, TestPolicies.draft("no-such-reason"), delivery("event-1"));

        assertThat(refused).isInstanceOf(Outcome.Refused.class);
        assertThat(kv.get("event-1")).isEmpty();
    }

    @Test
    void the_same_delivery_handled_by_eight_threads_at_once_opens_one_request() throws Exception {
        var pool = Executors.newFixedThreadPool(8);
        try {
            Callable<RequestId> handle = () -> opened(service.open(DEV, TestPolicies.draft("availability"), delivery("e")));
            var ids = pool.invokeAll(java.util.Collections.nCopies(8, handle)).stream().map(f -> {
                try { return f.get(); } catch (Exception e) { throw new AssertionError(e); }
            }).distinct().toList();

            assertThat(ids).hasSize(1);
            assertThat(store.recent(Set.of(), 10)).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
