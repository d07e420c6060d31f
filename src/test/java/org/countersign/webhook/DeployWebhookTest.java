package org.countersign.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.countersign.domain.EventType;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.countersign.store.DomainJson;
import org.countersign.web.Metrics;
import org.countersign.web.WebApp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST /webhooks/deploy mounted in the real WebApp, signed like a pipeline would sign it. */
class DeployWebhookTest {
    /** A Standard Webhooks secret, which the Countersign scheme takes as it is too. */
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final WebhookFixture countersign = new WebhookFixture();
    private final HttpClient http = HttpClient.newHttpClient();
    private Javalin app;

    @BeforeEach
    void start() {
        var s = countersign.service;
        app = WebApp.create(s, countersign.store::ping, new Metrics(countersign.store::countByState), DomainJson.mapper(),
                List.of(new DeployWebhook(s, countersign.kv, SECRET, Clock.systemUTC()))).start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        app.stop();
        countersign.close();
    }

    @Test
    void started_then_succeeded_moves_the_request_to_deployed_with_the_url_and_note() throws Exception {
        var id = countersign.approved();

        var started = post(report(id, "started"));
        var succeeded = post("{\"request\":\"" + id + "\",\"status\":\"succeeded\",\"url\":\"https://ci.example.org/runs/7\","
                + "\"note\":\"canary clean\"}");

        assertThat(started.statusCode()).isEqualTo(200);
        assertThat(json(started).path("state").asText()).isEqualTo("DEPLOYING");
        assertThat(succeeded.statusCode()).isEqualTo(200);
        assertThat(json(succeeded).path("state").asText()).isEqualTo("DEPLOYED");
        var request = countersign.service.find(id).orElseThrow();
        assertThat(request.state()).isEqualTo(State.DEPLOYED);
        assertThat(request.deployNote()).isEqualTo("canary clean (https://ci.example.org/runs/7)");
        var finished = countersign.service.timeline(id).stream().filter(e -> e.type() == EventType.DEPLOY_FINISHED).findFirst();
        assertThat(finished).get().satisfies(e -> assertThat(e.actor()).isEqualTo(DeployWebhook.PIPELINE));
    }

    @Test
    void failed_and_rolled_back_are_recorded_as_such() throws Exception {
        var failed = countersign.approved();
        var rolledBack = countersign.approved();

        assertThat(post(report(failed, "failed")).statusCode()).isEqualTo(200);
        assertThat(post(report(rolledBack, "rolled_back")).statusCode()).isEqualTo(200);

        assertThat(countersign.service.find(failed).orElseThrow().state()).isEqualTo(State.FAILED);
        assertThat(countersign.service.find(rolledBack).orElseThrow().state()).isEqualTo(State.ROLLED_BACK);
    }

    @Test
    void the_same_delivery_id_twice_gets_the_first_answer_and_changes_nothing() throws Exception {
        var id = countersign.approved();
        var delivery = UUID.randomUUID().toString();

        var first = post(report(id, "started"), delivery, now());
        var again = post(report(id, "started"), delivery, now());

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(countersign.service.timeline(id).stream().filter(e -> e.type() == EventType.DEPLOY_STARTED)).hasSize(1);
    }

    @Test
    void a_refused_report_can_be_sent_again_with_the_same_delivery_id_once_the_state_allows_it() throws Exception {
        var id = countersign.open("availability");
        var delivery = UUID.randomUUID().toString();
        assertThat(post(report(id, "started"), delivery, now()).statusCode()).isEqualTo(409);
        countersign.service.approve(id, org.countersign.domain.TestPolicies.SRE1, "sre");
        countersign.service.approve(id, org.countersign.domain.TestPolicies.REL1, "releng");

        assertThat(post(report(id, "started"), delivery, now()).statusCode()).isEqualTo(200);
    }

    @Test
    void a_report_signed_by_the_standard_webhooks_library_is_recorded_under_its_webhook_id() throws Exception {
        var id = countersign.approved();
        var body = report(id, "started");
        long ts = now();

        var response = sendStandard(body, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", ts,
                new com.standardwebhooks.Webhook(SECRET).sign("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", ts, body));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("state").asText()).isEqualTo("DEPLOYING");
        assertThat(countersign.kv.get("webhook:deploy:delivery:msg_2KWPBgLlAfxdpx2AI54pPJ85f4W")).isPresent();
    }

    @Test
    void a_standard_webhooks_report_replayed_gets_the_first_answer_and_under_a_new_id_its_signature_breaks() throws Exception {
        var id = countersign.approved();
        var started = report(id, "started");
        long ts = now();
        var signature = StandardWebhooks.sign(StandardWebhooks.key(Secret.of(SECRET)).orElseThrow(), "msg_1", ts, bytes(started));
        var first = sendStandard(started, "msg_1", ts, signature);
        var succeeded = report(id, "succeeded");
        sendStandard(succeeded, "msg_2", ts, new com.standardwebhooks.Webhook(SECRET).sign("msg_2", ts, succeeded));

        var replay = sendStandard(started, "msg_1", ts, signature);
        var underAnotherId = sendStandard(started, "msg_3", ts, signature);

        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(replay.body()).isEqualTo(first.body());
        assertThat(underAnotherId.statusCode()).isEqualTo(401);
        assertThat(json(underAnotherId).path("error").asText()).contains("webhook-signature");
        assertThat(countersign.service.find(id).orElseThrow().state()).isEqualTo(State.DEPLOYED);
        assertThat(countersign.service.timeline(id).stream().filter(e -> e.type() == EventType.DEPLOY_STARTED)).hasSize(1);
    }

    @Test
    void a_standard_webhooks_report_with_another_key_an_old_timestamp_or_no_id_is_401() throws Exception {
        var id = countersign.approved();
        var body = report(id, "started");
        long ts = now();
        var other = new com.standardwebhooks.Webhook("whsec_" + java.util.Base64.getEncoder()
                .encodeToString("another key of 24 bytes!".getBytes(StandardCharsets.UTF_8)));

        assertThat(sendStandard(body, "m1", ts, other.sign("m1", ts, body)).statusCode()).isEqualTo(401);
        var old = ts - 301;
        assertThat(sendStandard(body, "m2", old, new com.standardwebhooks.Webhook(SECRET).sign("m2", old, body))
                .statusCode()).isEqualTo(401);
        var signed = new com.standardwebhooks.Webhook(SECRET).sign("m3", ts, body);
        var withoutId = http.send(HttpRequest.newBuilder(uri()).POST(HttpRequest.BodyPublishers.ofString(body))
                .header(StandardWebhooks.TIMESTAMP, Long.toString(ts)).header(StandardWebhooks.SIGNATURE, signed).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(withoutId.statusCode()).isEqualTo(401);
        assertThat(countersign.service.find(id).orElseThrow().state()).isEqualTo(State.APPROVED);
    }

    @Test
    void with_a_secret_that_is_not_whsec_a_standard_webhooks_report_is_401_saying_so() throws Exception {
        var plain = WebApp.create(countersign.service, countersign.store::ping, new Metrics(countersign.store::countByState),
                DomainJson.mapper(), List.of(new DeployWebhook(countersign.service, countersign.kv,
                        "a-plain-secret-of-some-length", Clock.systemUTC()))).start("127.0.0.1", 0);
        try {
            var body = report(countersign.approved(), "started");
            var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plain.port()
                    + DeployWebhook.PATH)).POST(HttpRequest.BodyPublishers.ofString(body))
                    .header(StandardWebhooks.ID, "m1").header(StandardWebhooks.TIMESTAMP, Long.toString(now()))
                    .header(StandardWebhooks.SIGNATURE, "v1,AAAA").build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(json(response).path("error").asText()).contains("not a Standard Webhooks secret");
        } finally {
            plain.stop();
        }
    }

    @Test
    void a_missing_signature_is_401() throws Exception {
        var response = http.send(HttpRequest.newBuilder(uri()).POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header(Signature.DELIVERY, "d1").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).path("error").asText()).contains("Countersign-Signature");
    }

    @Test
    void a_signature_made_with_another_secret_is_401() throws Exception {
        var id = countersign.approved();
        var body = report(id, "started");
        long ts = now();

        var response = send(body, "d2", ts, Signature.sign(Secret.of("not-the-secret"), ts, bytes(body)));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(countersign.service.find(id).orElseThrow().state()).isEqualTo(State.APPROVED);
    }

    @Test
    void a_body_changed_after_signing_is_401() throws Exception {
        var id = countersign.approved();
        long ts = now();
        var signature = Signature.sign(Secret.of(SECRET), ts, bytes(report(id, "started")));

        assertThat(send(report(id, "failed"), "d3", ts, signature).statusCode()).isEqualTo(401);
    }

    @Test
    void a_timestamp_more_than_five_minutes_old_is_401() throws Exception {
        var id = countersign.approved();

        var response = post(report(id, "started"), "d4", now() - 301);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).path("error").asText()).contains("5 minutes");
    }

    @Test
    void a_missing_delivery_id_is_400() throws Exception {
        var id = countersign.approved();
        var body = report(id, "started");
        long ts = now();
        var response = http.send(HttpRequest.newBuilder(uri()).POST(HttpRequest.BodyPublishers.ofString(body))
                .header(Signature.TIMESTAMP, Long.toString(ts))
                .header(Signature.SIGNATURE, Signature.sign(Secret.of(SECRET), ts, bytes(body))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).contains("Countersign-Delivery");
    }

    @Test
    void an_unknown_request_is_404() throws Exception {
        var response = post(report(new RequestId(999_999), "started"));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).path("error").asText()).isEqualTo("There is no request EMG-999999");
    }

    @Test
    void a_step_the_state_does_not_allow_is_409_with_the_reason() throws Exception {
        var id = countersign.open("availability");

        var response = post(report(id, "succeeded"));

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(json(response).path("error").asText()).isEqualTo(id + " is not approved yet; it still needs SRE and Release Engineering");
    }

    @Test
    void a_body_that_is_not_json_is_400() throws Exception {
        var response = post("{\"request\": EMG-1");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).startsWith("The body is not JSON");
    }

    @Test
    void a_body_that_is_not_an_object_is_400() throws Exception {
        assertThat(post("[1, 2]").statusCode()).isEqualTo(400);
    }

    @Test
    void a_missing_request_is_400() throws Exception {
        var response = post("{\"status\":\"started\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).startsWith("\"request\" is missing");
    }

    @Test
    void a_request_id_in_the_wrong_form_is_400() throws Exception {
        var response = post("{\"request\":\"deploy-12\",\"status\":\"started\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).isEqualTo("\"deploy-12\" is not a request id; use the form EMG-12");
    }

    @Test
    void a_missing_status_is_400() throws Exception {
        var id = countersign.approved();

        var response = post("{\"request\":\"" + id + "\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).isEqualTo("\"status\" is missing: use started, succeeded, failed or rolled_back");
    }

    @Test
    void an_unknown_status_is_400_with_the_ones_that_work() throws Exception {
        var id = countersign.approved();

        var response = post(report(id, "done"));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).isEqualTo("Unknown status \"done\"; use started, succeeded, failed or rolled_back");
        assertThat(countersign.service.find(id).orElseThrow().state()).isEqualTo(State.APPROVED);
    }

    @Test
    void a_note_that_is_not_text_is_400() throws Exception {
        var id = countersign.approved();

        var response = post("{\"request\":\"" + id + "\",\"status\":\"failed\",\"note\":{\"a\":1}}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).isEqualTo("\"note\" must be text");
    }

    @Test
    void a_note_too_long_for_the_timeline_is_400() throws Exception {
        var id = countersign.approved();

        var response = post("{\"request\":\"" + id + "\",\"status\":\"failed\",\"note\":\"" + "x".repeat(2001) + "\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).contains("2000 characters");
    }

    private static String report(RequestId id, String status) {
        return "{\"request\":\"" + id + "\",\"status\":\"" + status + "\"}";
    }

    private HttpResponse<String> post(String body) throws Exception {
        return post(body, UUID.randomUUID().toString(), now());
    }

    private HttpResponse<String> post(String body, String delivery, long timestamp) throws Exception {
        return send(body, delivery, timestamp, Signature.sign(Secret.of(SECRET), timestamp, bytes(body)));
    }

    private HttpResponse<String> send(String body, String delivery, long timestamp, String signature) throws Exception {
        var response = http.send(HttpRequest.newBuilder(uri())
                .header("Content-Type", "application/json")
                .header(Signature.DELIVERY, delivery)
                .header(Signature.TIMESTAMP, Long.toString(timestamp))
                .header(Signature.SIGNATURE, signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("never a 5xx: %s", response.body()).isLessThan(500);
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        return response;
    }

    private HttpResponse<String> sendStandard(String body, String id, long timestamp, String signature) throws Exception {
        return http.send(HttpRequest.newBuilder(uri()).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header(StandardWebhooks.ID, id)
                .header(StandardWebhooks.TIMESTAMP, Long.toString(timestamp)).header(StandardWebhooks.SIGNATURE, signature)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri() { return URI.create("http://127.0.0.1:" + app.port() + DeployWebhook.PATH); }

    private static long now() { return Instant.now().getEpochSecond(); }

    private static byte[] bytes(String body) { return body.getBytes(StandardCharsets.UTF_8); }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }
}
