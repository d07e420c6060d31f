package org.countersign.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import org.countersign.domain.TestPolicies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every state change reaches the receiver (at least once, each under its own delivery id), and how long it takes. */
class WebhookLatencyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final WebhookFixture countersign = new WebhookFixture();
    private final Receiver receiver = countersign.closeLater(new Receiver());

    @AfterEach
    void stop() throws Exception {
        countersign.close();
    }

    @Test
    void delivery_latency_from_state_change_to_receiver_is_measured() throws Exception {
        countersign.start(WebhookFixture.integration("pipeline", receiver.url()));
        int n = 200;
        for (int i = 0; i < n; i++) {
            var id = countersign.open("availability");
            countersign.service.approve(id, TestPolicies.SRE1, "sre");
            Thread.sleep(20); // a steady trickle, as people click, not one burst
        }

        // At least once: a delivery retried after a slow answer comes again under the same Countersign-Delivery id.
        await().atMost(Duration.ofSeconds(30)).until(() -> deliveries().size() >= 2 * n);
        var millis = new ArrayList<Long>();
        for (var received : receiver.all()) {
            var occurred = Instant.parse(JSON.readTree(received.body()).path("occurredAt").asText());
            millis.add(Duration.between(occurred, received.at()).toMillis());
        }
        millis.sort(Long::compare);
        System.out.printf("webhook delivery latency, state change to receiver, over %d deliveries: p50 %d ms, "
                + "p99 %d ms, max %d ms%n", millis.size(), millis.get(millis.size() / 2),
                millis.get((int) (millis.size() * 0.99) - 1), millis.get(millis.size() - 1));
        assertThat(deliveries()).hasSize(2 * n);
        assertThat(receiver.all().size()).as("deliveries sent again").isLessThanOrEqualTo(2 * n + n / 10);
    }

    private java.util.Set<String> deliveries() {
        var ids = new java.util.HashSet<String>();
        for (var received : receiver.all()) ids.add(received.header("Countersign-Delivery"));
        return ids;
    }
}
