package org.countersign.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.webhook.WebhookFixture.integration;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.countersign.store.DomainJson;
import org.countersign.web.Metrics;
import org.countersign.web.WebApp;
import org.countersign.web.WebTesting;
import org.countersign.webhook.Receiver.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** GET /api/webhooks/dead-letters in the real WebApp. */
class WebhookDeadLettersTest {
    private final WebhookFixture countersign = new WebhookFixture();
    private final Receiver gone = countersign.closeLater(new Receiver()).otherwise(Answer.status(410));
    private final Receiver fine = countersign.closeLater(new Receiver());

    @AfterEach
    void stop() {
        countersign.close();
    }

    @Test
    void the_deliveries_an_integration_gave_up_on_are_listed_with_why_newest_first() throws Exception {
        var integrations = List.of(integration("gone", gone.url()), integration("fine", fine.url()));
        countersign.start(integrations.toArray(Integration[]::new));
        var app = WebApp.create(countersign.service, countersign.store::ping, new Metrics(countersign.store::countByState),
                DomainJson.mapper(), List.of(new WebhookDeadLetters(integrations, countersign.feed)), WebTesting.options()).start("127.0.0.1", 0);
        countersign.closeLater(app::stop);
        var first = countersign.open("availability");
        var second = countersign.open("availability");
        await().atMost(Duration.ofSeconds(5)).until(() -> countersign.feed.deadLettersOf("webhook:gone", 10).size() == 2);

        var response = HttpClient.newHttpClient().send(WebTesting.authorized(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port() + WebhookDeadLetters.PATH + "?limit=10"))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        var letters = new ObjectMapper().readTree(response.body()).path("deadLetters");
        assertThat(letters).hasSize(2);
        assertThat(letters.get(0).path("integration").asText()).isEqualTo("gone");
        assertThat(letters.get(0).path("delivery").asText()).isEqualTo(second + "/1/0");
        assertThat(letters.get(0).path("type").asText()).isEqualTo("request.opened");
        assertThat(letters.get(0).path("request").asText()).isEqualTo(second.toString());
        assertThat(letters.get(0).path("reason").asText()).contains("HTTP 410");
        assertThat(letters.get(1).path("delivery").asText()).isEqualTo(first + "/1/0");
        assertThat(fine.all()).hasSize(2);
    }

    @Test
    void an_entry_this_version_cannot_read_is_listed_with_its_stream_id_type_and_request_and_the_next_is_delivered()
            throws Exception {
        var integration = integration("fine", fine.url());
        countersign.start(integration);
        var app = WebApp.create(countersign.service, countersign.store::ping, new Metrics(countersign.store::countByState),
                DomainJson.mapper(), List.of(new WebhookDeadLetters(List.of(integration), countersign.feed)),
                WebTesting.options()).start("127.0.0.1", 0);
        countersign.closeLater(app::stop);
        var unreadable = org.countersign.store.RawStream.add(countersign.prefix, java.util.Map.of("type",
                "request.teleported", "request", "EMG-5", "id", "EMG-5/9/0", "event", "{\"type\":\"REQUEST_TELEPORTED\"}"));
        var next = countersign.open("availability");

        var delivered = fine.take();
        await().atMost(Duration.ofSeconds(5)).until(() -> countersign.feed.deadLettersOf("webhook:fine", 10).size() == 1);
        var response = HttpClient.newHttpClient().send(WebTesting.authorized(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port() + WebhookDeadLetters.PATH))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(delivered.header("Countersign-Delivery")).isEqualTo(next + "/1/0");
        assertThat(response.statusCode()).isEqualTo(200);
        var letter = new ObjectMapper().readTree(response.body()).path("deadLetters").get(0);
        assertThat(letter.path("delivery").asText()).isEqualTo("EMG-5/9/0");
        assertThat(letter.path("type").asText()).isEqualTo("request.teleported");
        assertThat(letter.path("request").asText()).isEqualTo("EMG-5");
        assertThat(letter.path("reason").asText()).startsWith("not readable by this version: ");
        assertThat(countersign.feed.deadLettersOf("webhook:fine", 10).get(0).deliveryId()).isEqualTo(unreadable);
    }

    @Test
    void a_limit_out_of_range_is_400() throws Exception {
        var app = WebApp.create(countersign.service, countersign.store::ping, new Metrics(countersign.store::countByState),
                DomainJson.mapper(), List.of(new WebhookDeadLetters(List.of(), countersign.feed)), WebTesting.options()).start("127.0.0.1", 0);
        countersign.closeLater(app::stop);

        var response = HttpClient.newHttpClient().send(WebTesting.authorized(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port() + WebhookDeadLetters.PATH + "?limit=lots"))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"error\"").contains("limit must be a whole number from 1 to 1000");
    }
}
