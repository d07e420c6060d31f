package org.countersign.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.webhook.WebhookFixture.SECRET;
import static org.countersign.webhook.WebhookFixture.integration;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.countersign.app.StreamConsumer.Retries;
import org.countersign.domain.EventType;
import org.countersign.receipt.Dsse;
import org.countersign.webhook.Integration.Format;
import org.countersign.webhook.Receiver.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Outbound webhooks to real HTTP receivers on loopback, from the real events stream on Redis. */
class WebhookDeliveryTest {
    private final WebhookFixture countersign = new WebhookFixture();
    private final Receiver receiver = countersign.closeLater(new Receiver());

    @AfterEach
    void stop() {
        countersign.close();
    }

    @Test
    void a_delivery_arrives_signed_with_the_event_id_as_its_delivery_id() throws Exception {
        countersign.start(integration("pipeline", receiver.url()));
        var id = countersign.open("availability");

        var got = receiver.take();

        assertThat(got.header("Countersign-Event")).isEqualTo("request.opened");
        assertThat(got.header("Countersign-Delivery")).isEqualTo(id + "/1/0");
        assertThat(got.header("Content-Type")).isEqualTo("application/json");
        assertThat(got.header("User-Agent")).isEqualTo("Countersign");
        long timestamp = Long.parseLong(got.header("Countersign-Timestamp"));
        assertThat(timestamp).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(5L));
        assertThat(got.header("Countersign-Signature")).isEqualTo(Signature.sign(SECRET, timestamp, got.body()));
        assertThat(Signature.verify(SECRET, got.header("Countersign-Timestamp"), got.header("Countersign-Signature"),
                got.body(), Instant.now())).isTrue();
    }

    @Test
    void a_standard_webhooks_integration_signs_id_timestamp_and_body_so_the_reference_library_verifies_it() throws Exception {
        var secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        countersign.start(new Integration("pipeline", receiver.url(), java.util.Set.of(), Format.COUNTERSIGN,
                "TEST_SECRET", Secret.of(secret), false, Integration.Scheme.STANDARD_WEBHOOKS));
        var id = countersign.open("availability");

        var got = receiver.take();

        assertThat(got.header("webhook-id")).isEqualTo(id + "/1/0");
        assertThat(Long.parseLong(got.header("webhook-timestamp")))
                .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(5L));
        assertThat(got.header("webhook-signature")).startsWith("v1,");
        assertThat(got.header("Countersign-Event")).isEqualTo("request.opened");
        assertThat(got.header("Countersign-Signature")).as("one scheme at a time").isNull();
        var headers = new java.util.HashMap<String, List<String>>();
        got.headers().forEach((name, value) -> headers.put(name, List.of(value)));
        new com.standardwebhooks.Webhook(secret).verify(got.text(), headers); // throws when it does not verify
        headers.put("webhook-id", List.of(id + "/2/0"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new com.standardwebhooks.Webhook(secret)
                .verify(got.text(), headers)).as("the id is signed").isInstanceOf(Exception.class);
    }

    @Test
    void the_body_is_the_event_and_the_request_as_it_stands() throws Exception {
        countersign.start(integration("pipeline", receiver.url()));
        var id = countersign.approved();

        var opened = receiver.take().json();
        var sre = receiver.take().json();

        assertThat(opened.path("id").asText()).isEqualTo(id + "/1/0");
        assertThat(opened.path("type").asText()).isEqualTo("request.opened");
        assertThat(Instant.parse(opened.path("occurredAt").asText())).isBefore(Instant.now().plusSeconds(1));
        var request = opened.path("request");
        assertThat(request.path("id").asText()).isEqualTo(id.toString());
        assertThat(request.path("reason").asText()).isEqualTo("availability");
        assertThat(request.path("summary").asText()).isEqualTo("Revert the cache change that took the API down");
        assertThat(request.path("changes").get(0).asText()).isEqualTo("https://gerrit.example.org/r/c/operations/+/123456");
        assertThat(request.path("requester").asText()).isEqualTo("slack:U0DEV1");
        assertThat(request.path("requiredTeams")).hasSize(2);
        assertThat(request.has("created") && request.has("updated") && request.has("expires")).isTrue();
        assertThat(sre.path("type").asText()).isEqualTo("approval.added");
        assertThat(sre.path("team").asText()).isEqualTo("sre");
        assertThat(sre.path("actor").asText()).isEqualTo("slack:U0SRE1");
        receiver.take(); // Release Engineering's approval
        var approved = receiver.take().json();
        assertThat(approved.path("type").asText()).isEqualTo("request.approved");
        assertThat(approved.path("request").path("state").asText()).isEqualTo("APPROVED");
        assertThat(approved.path("request").path("approvals").get(0).path("team").asText()).isEqualTo("sre");
        assertThat(approved.path("request").path("approvals").get(0).path("by").asText()).isEqualTo("slack:U0SRE1");
    }

    @Test
    void a_late_delivery_shows_the_state_and_version_the_request_had_at_its_event_not_the_state_since() throws Exception {
        var pipeline = integration("pipeline", receiver.url(), Format.COUNTERSIGN, false, EventType.REQUEST_APPROVED,
                EventType.REQUEST_CANCELLED);
        countersign.feed.join(pipeline.group()); // the integration's group exists; its instance is down for now
        var id = countersign.approved();
        countersign.service.cancel(id, org.countersign.domain.TestPolicies.DEV, "the incident resolved itself");
        assertThat(countersign.service.find(id).orElseThrow().state().name()).isEqualTo("CANCELLED");

        countersign.start(pipeline); // back: the approval goes out late, after the cancel

        var approved = receiver.take().json();
        var cancelled = receiver.take().json();
        assertThat(approved.path("type").asText()).isEqualTo("request.approved");
        assertThat(approved.path("request").path("state").asText()).isEqualTo("APPROVED");
        assertThat(approved.path("request").path("version").asLong()).isEqualTo(3);
        assertThat(cancelled.path("type").asText()).isEqualTo("request.cancelled");
        assertThat(cancelled.path("request").path("state").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.path("request").path("version").asLong()).isEqualTo(4);
    }

    @Test
    void an_endpoint_that_fails_gets_the_event_again_with_the_same_delivery_id_until_it_answers() throws Exception {
        receiver.answer(Answer.status(500), Answer.status(503), Answer.after(WebhookFixture.TIMEOUT.plusMillis(300)), Answer.status(200));
        countersign.start(integration("pipeline", receiver.url()));
        var id = countersign.open("availability");

        var tries = List.of(receiver.take(), receiver.take(), receiver.take(), receiver.take());

        assertThat(tries).extracting(r -> r.header("Countersign-Delivery")).containsOnly(id + "/1/0");
        await().atMost(Duration.ofSeconds(2)).until(() -> countersign.feed.unacknowledged("webhook:pipeline", "test", 10).isEmpty());
        assertThat(countersign.feed.deadLettersOf("webhook:pipeline", 10)).isEmpty();
        assertThat(receiver.all()).hasSize(4);
    }

    @Test
    void a_429_is_tried_again() throws Exception {
        receiver.answer(Answer.status(429));
        countersign.start(integration("pipeline", receiver.url()));
        var id = countersign.open("availability");

        assertThat(receiver.take().header("Countersign-Delivery")).isEqualTo(id + "/1/0");
        assertThat(receiver.take().header("Countersign-Delivery")).isEqualTo(id + "/1/0");
    }

    @Test
    void a_dead_endpoint_does_not_delay_a_healthy_one() throws Exception {
        var hanging = countersign.closeLater(new Receiver()).otherwise(Answer.after(WebhookFixture.TIMEOUT.multipliedBy(2)));
        countersign.start(integration("hanging", hanging.url()), integration("refused", closedPort()),
                integration("healthy", receiver.url()));
        var started = System.nanoTime();
        var ids = new ArrayList<String>();
        for (int i = 0; i < 3; i++) ids.add(countersign.open("availability") + "/1/0");

        var got = List.of(receiver.take(), receiver.take(), receiver.take());

        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("before the hanging one even timed out")
                .isLessThan(WebhookFixture.TIMEOUT);
        assertThat(got).extracting(r -> r.header("Countersign-Delivery")).containsExactlyElementsOf(ids);
        // The hanging endpoint got the first event too (on a loaded machine perhaps after the healthy one got all three).
        org.awaitility.Awaitility.await().atMost(WebhookFixture.TIMEOUT).until(() -> !hanging.all().isEmpty());
        assertThat(hanging.all()).extracting(r -> r.header("Countersign-Delivery")).containsOnly(ids.get(0));
    }

    @Test
    void a_4xx_answer_is_dead_lettered_at_once_with_the_status_and_the_next_event_goes_through() throws Exception {
        receiver.answer(new Answer(404, Duration.ZERO, "{\"error\":\"no such hook\"}"));
        countersign.start(integration("pipeline", receiver.url()));
        var first = countersign.open("availability");
        var second = countersign.open("availability");

        assertThat(receiver.take().header("Countersign-Delivery")).isEqualTo(first + "/1/0");
        assertThat(receiver.take().header("Countersign-Delivery")).isEqualTo(second + "/1/0");
        var letters = countersign.feed.deadLettersOf("webhook:pipeline", 10);
        assertThat(letters).singleElement().satisfies(l -> {
            assertThat(l.event().id()).isEqualTo(first + "/1/0");
            assertThat(l.reason()).contains("HTTP 404").contains("no such hook");
        });
        assertThat(receiver.all()).hasSize(2);
    }

    @Test
    void an_endpoint_that_never_recovers_is_dead_lettered_when_the_time_is_up() {
        receiver.otherwise(Answer.status(502));
        countersign.start("test", new Retries(Integer.MAX_VALUE, Duration.ofMillis(300),
                Retries.exponential(Duration.ofMillis(10), Duration.ofMillis(40))), integration("pipeline", receiver.url()));
        var id = countersign.open("availability");

        await().atMost(Duration.ofSeconds(3)).until(() -> !countersign.feed.deadLettersOf("webhook:pipeline", 10).isEmpty());
        var letter = countersign.feed.deadLettersOf("webhook:pipeline", 10).get(0);
        assertThat(letter.event().id()).isEqualTo(id + "/1/0");
        assertThat(letter.reason()).startsWith("gave up after PT0.3S").contains("HTTP 502");
        assertThat(receiver.all().size()).isGreaterThan(2);
    }

    @Test
    void deliveries_resume_after_a_restart_with_the_same_delivery_id() throws Exception {
        receiver.otherwise(Answer.status(500));
        var before = countersign.start("instance-1", WebhookFixture.FAST, integration("pipeline", receiver.url()));
        var id = countersign.open("availability");
        receiver.take();
        before.close(); // Countersign stops mid-retry
        receiver.otherwise(Answer.status(200));

        countersign.start("instance-1", WebhookFixture.FAST, integration("pipeline", receiver.url()));

        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.all().stream()
                .filter(r -> r.header("Countersign-Delivery").equals(id + "/1/0")).count() >= 2);
        await().atMost(Duration.ofSeconds(2)).until(() -> countersign.feed.unacknowledged("webhook:pipeline", "instance-1", 10).isEmpty());
        assertThat(countersign.feed.deadLettersOf("webhook:pipeline", 10)).isEmpty();
    }

    @Test
    void only_the_events_an_integration_wants_are_sent() throws Exception {
        countersign.start(integration("pipeline", receiver.url(), Format.COUNTERSIGN, false, EventType.REQUEST_APPROVED));
        var id = countersign.approved();

        var got = receiver.take();

        assertThat(got.header("Countersign-Event")).isEqualTo("request.approved");
        assertThat(got.json().path("request").path("id").asText()).isEqualTo(id.toString());
        Thread.sleep(200);
        assertThat(receiver.all()).hasSize(1);
    }

    @Test
    void the_approval_carries_the_signed_receipt_and_the_steps_before_it_none() throws Exception {
        countersign.start(integration("pipeline", receiver.url(), Format.COUNTERSIGN, false, EventType.APPROVAL_ADDED,
                EventType.REQUEST_APPROVED));
        var id = countersign.approved();

        var sre = receiver.take().json();
        receiver.take();
        var approved = receiver.take().json();

        assertThat(sre.has("receipt")).isFalse();
        var envelope = WebhookJson.MAPPER.treeToValue(approved.path("receipt"), Dsse.Envelope.class);
        assertThat(Dsse.verifiedBy(envelope, Dsse.IN_TOTO, countersign.receipts.keys().published()))
                .contains(countersign.receipts.keys().kid());
        var statement = WebhookJson.MAPPER.readTree(envelope.payloadBytes().orElseThrow());
        assertThat(statement.path("predicate").path("request").asText()).isEqualTo(id.toString());
        assertThat(statement.path("predicate").path("state").asText()).isEqualTo("APPROVED");
    }

    @Test
    void the_end_of_an_approved_request_carries_its_receipt_and_a_plain_endpoint_gets_a_confidential_one_redacted()
            throws Exception {
        countersign.start(integration("pipeline", receiver.url(), Format.COUNTERSIGN, false, EventType.REQUEST_CANCELLED));
        var id = countersign.open(confidentialDraft());
        countersign.service.approve(id, org.countersign.domain.TestPolicies.SRE1, "sre");
        countersign.service.approve(id, org.countersign.domain.TestPolicies.REL1, "releng");
        countersign.service.approve(id, org.countersign.domain.TestPolicies.SEC1, "security");
        countersign.service.cancel(id, org.countersign.domain.TestPolicies.DEV, "fixed upstream");

        var cancelled = receiver.take();

        var envelope = WebhookJson.MAPPER.treeToValue(cancelled.json().path("receipt"), Dsse.Envelope.class);
        var statement = WebhookJson.MAPPER.readTree(envelope.payloadBytes().orElseThrow());
        assertThat(statement.path("predicate").path("state").asText()).isEqualTo("CANCELLED");
        assertThat(statement.path("predicate").path("redacted").asBoolean()).isTrue();
        assertThat(new String(envelope.payloadBytes().orElseThrow())).doesNotContain("CVE-2099-0001").doesNotContain("123456");
    }

    @Test
    void a_confidential_request_goes_without_summary_details_or_changes_to_a_plain_endpoint() throws Exception {
        countersign.start(integration("pipeline", receiver.url()));
        countersign.open(confidentialDraft());

        var request = receiver.take().json().path("request");

        assertThat(request.path("confidential").asBoolean()).isTrue();
        assertThat(request.path("redacted").asBoolean()).isTrue();
        assertThat(request.has("summary")).isFalse();
        assertThat(request.has("details")).isFalse();
        assertThat(request.has("changes")).isFalse();
        assertThat(request.has("task")).isFalse();
        assertThat(receiver.all().get(0).text()).doesNotContain("CVE-2099-0001").doesNotContain("123456");
    }

    @Test
    void a_confidential_request_goes_whole_to_an_endpoint_marked_confidential() throws Exception {
        countersign.start(integration("security-pipeline", receiver.url(), Format.COUNTERSIGN, true));
        countersign.open(confidentialDraft());

        var request = receiver.take().json().path("request");

        assertThat(request.path("redacted").asBoolean()).isFalse();
        assertThat(request.path("summary").asText()).contains("CVE-2099-0001");
        assertThat(request.path("details").asText()).isEqualTo("Exploit in the wild");
        assertThat(request.path("changes").get(0).asText()).isEqualTo("https://gerrit.example.org/r/c/operations/+/123456");
    }

    private static org.countersign.domain.Draft confidentialDraft() {
        return new org.countersign.domain.Draft("security", "Patch CVE-2099-0001 in the login form", "Exploit in the wild",
                List.of("https://gerrit.example.org/r/c/operations/+/123456"), "T999", true, null, null);
    }

    /** A loopback URL nothing listens on: connections are refused at once. */
    private static URI closedPort() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        return URI.create("http://127.0.0.1:" + port + "/hook");
    }
}
