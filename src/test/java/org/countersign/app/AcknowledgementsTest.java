package org.countersign.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.countersign.app.EventFeed.Delivery;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.RedisEventFeed;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.Test;

/** Lanes that finish together acknowledge together, on the real events stream. */
class AcknowledgementsTest {
    private final String prefix = TestRedis.uniquePrefix();
    private final RedisEventFeed feed = new RedisEventFeed(TestRedis.client(), prefix);
    private final RequestService service = new RequestService(new RedisRequestStore(TestRedis.client(), prefix),
            new PolicyDirectory(TestPolicies.standard()), new Workflow(TestPolicies.standard()), Clock.systemUTC());

    @Test
    void what_finishes_while_one_acknowledgement_is_sent_goes_in_the_next_call_and_nothing_is_left_pending()
            throws Exception {
        feed.join("cards");
        for (int i = 0; i < 4; i++) service.open(TestPolicies.DEV, TestPolicies.draft("availability"));
        var delivered = feed.next("cards", "a", 10, Duration.ofMillis(500));
        assertThat(delivered).hasSize(4);
        var calls = new CopyOnWriteArrayList<List<String>>();
        var inFirstCall = new CountDownLatch(1);
        var letFirstGo = new CountDownLatch(1);
        // The real feed, with its many-at-once acknowledgement held up the first time, as a slow round trip would be.
        EventFeed held = (EventFeed) Proxy.newProxyInstance(EventFeed.class.getClassLoader(), new Class<?>[] {EventFeed.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("acknowledge") && args[1] instanceof List<?> batch) {
                        calls.add(batch.stream().map(d -> ((Delivery) d).event().id()).toList());
                        if (calls.size() == 1) {
                            inFirstCall.countDown();
                            assertThat(letFirstGo.await(5, TimeUnit.SECONDS)).isTrue();
                        }
                    }
                    try {
                        return method.invoke(feed, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        var acks = new Acknowledgements(held, "cards");
        var pool = Executors.newFixedThreadPool(4);
        try {
            var first = pool.submit(() -> acks.acknowledge(delivered.get(0)));
            assertThat(inFirstCall.await(5, TimeUnit.SECONDS)).isTrue();
            // The others finish while the first is being sent: each goes on at once, leaving its acknowledgement.
            for (int i = 1; i < 4; i++) {
                var d = delivered.get(i);
                pool.submit(() -> acks.acknowledge(d)).get(5, TimeUnit.SECONDS);
            }
            assertThat(feed.unacknowledged("cards", "a", 10)).hasSize(4);
            letFirstGo.countDown();
            first.get(5, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }

        assertThat(calls).containsExactly(List.of(delivered.get(0).event().id()),
                delivered.subList(1, 4).stream().map(d -> d.event().id()).toList());
        assertThat(feed.unacknowledged("cards", "a", 10)).as("all four, in two XACKs").isEmpty();
    }
}
