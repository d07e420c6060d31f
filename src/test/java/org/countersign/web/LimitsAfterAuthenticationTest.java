package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.countersign.webhook.Secret;
import org.countersign.webhook.Signature;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authenticate first, then limit: requests that prove nothing count against their client's address, requests with a
 * valid credential against that credential, so junk sent to /signin or /webhooks/deploy from one address (a load
 * balancer's, say) never locks out the pipeline, Alertmanager or a person with the token. The whole service, real
 * HTTP, real Redis, real signatures; 5 a minute of each.
 */
class LimitsAfterAuthenticationTest {
    static final String INBOUND_SECRET = "limits-inbound-secret-7c1e9a2b";
    static final String ALERTMANAGER_TOKEN = "limits-alertmanager-token-4d8f";
    static final String FORM = "application/x-www-form-urlencoded";

    @TempDir
    Path dataDir;
    private WebFixture web;

    @AfterEach
    void stop() {
        if (web != null) web.close();
    }

    private void start(Map<String, String> extra) throws Exception {
        var env = new HashMap<String, String>(Map.of("RATE_LIMIT_PER_ADDRESS", "5/1m",
                "INBOUND_WEBHOOK_SECRET", INBOUND_SECRET, "ALERTMANAGER_TOKEN", ALERTMANAGER_TOKEN));
        env.putAll(extra);
        web = new WebFixture(dataDir, env);
    }

    @Test
    void junk_to_sign_in_and_the_deploy_webhook_holds_back_its_address_but_not_the_pipeline_alertmanager_or_a_token()
            throws Exception {
        start(Map.of());
        var stranger = new WebFixture.Browser(web.base);
        for (int i = 0; i < 5; i++)
            assertThat(stranger.post("/signin", "token=guess-" + i, "Content-Type", FORM).statusCode()).isEqualTo(401);

        var heldSignIn = stranger.post("/signin", "token=guess", "Content-Type", FORM);
        var heldWebhook = stranger.post("/webhooks/deploy", "{\"request\":\"EMG-1\",\"status\":\"started\"}",
                "Content-Type", "application/json", Signature.TIMESTAMP, "1", Signature.SIGNATURE, "v1=00");

        assertThat(heldSignIn.statusCode()).isEqualTo(429);
        assertThat(heldWebhook.statusCode()).isEqualTo(429);
        assertThat(heldWebhook.body()).contains("Too many requests without a valid credential from 127.0.0.1")
                .contains("try again in");
        assertThat(heldWebhook.headers().firstValue("Retry-After")).isPresent();
        // The same address, with credentials: the pipeline, Alertmanager, a person signing in, a script.
        var report = deployReport("EMG-404");
        assertThat(report.statusCode()).as(report.body()).isEqualTo(404);
        assertThat(report.body()).contains("There is no request EMG-404");
        var alert = alertmanager();
        assertThat(alert.statusCode()).as(alert.body()).isNotIn(401, 429).isLessThan(500);
        var signIn = new WebFixture.Browser(web.base).post("/signin", "token=" + web.service.startupToken().orElseThrow(),
                "Content-Type", FORM);
        assertThat(signIn.statusCode()).isEqualTo(303);
        assertThat(web.get("/api/requests", web.bearer()).statusCode()).isEqualTo(200);
    }

    @Test
    void a_valid_credential_used_too_often_is_held_back_alone_before_any_work() throws Exception {
        start(Map.of());
        for (int i = 0; i < 6; i++) assertThat(deployReport("EMG-404").statusCode()).isEqualTo(404);

        var held = deployReport("EMG-404");

        assertThat(held.statusCode()).isEqualTo(429);
        assertThat(held.body()).contains("/webhooks/deploy was called too often with a valid signature")
                .contains("Nothing was recorded");
        assertThat(alertmanager().statusCode()).as("another credential").isNotIn(401, 429);
        assertThat(web.get("/api/requests", web.bearer()).statusCode()).as("another credential").isEqualTo(200);
    }

    @Test
    void without_trusted_proxies_a_forwarded_address_is_not_believed() throws Exception {
        start(Map.of());
        for (int i = 0; i < 5; i++) assertThat(junk("203.0.113.1").statusCode()).isEqualTo(401);

        var other = junk("203.0.113.2");

        assertThat(other.statusCode()).as("the same peer, whatever it says it forwards").isEqualTo(429);
        assertThat(other.body()).contains("from 127.0.0.1");
    }

    @Test
    void behind_a_trusted_proxy_each_client_is_counted_alone() throws Exception {
        start(Map.of("TRUSTED_PROXIES", "127.0.0.1"));
        for (int i = 0; i < 5; i++) assertThat(junk("203.0.113.1").statusCode()).isEqualTo(401);

        var held = junk("203.0.113.1");
        var other = junk("203.0.113.2");

        assertThat(held.statusCode()).isEqualTo(429);
        assertThat(held.body()).contains("from 203.0.113.1");
        assertThat(other.statusCode()).isEqualTo(401);
    }

    private HttpResponse<String> junk(String client) throws Exception {
        return new WebFixture.Browser(web.base).post("/api/requests", "", "X-Forwarded-For", client,
                "Accept", "application/json");
    }

    private HttpResponse<String> deployReport(String id) throws Exception {
        var body = "{\"request\":\"" + id + "\",\"status\":\"started\"}";
        long now = System.currentTimeMillis() / 1000;
        var signature = Signature.sign(Secret.of(INBOUND_SECRET), now, body.getBytes(StandardCharsets.UTF_8));
        return new WebFixture.Browser(web.base).post("/webhooks/deploy", body, "Content-Type", "application/json",
                Signature.TIMESTAMP, Long.toString(now), Signature.SIGNATURE, signature,
                Signature.DELIVERY, UUID.randomUUID().toString());
    }

    private HttpResponse<String> alertmanager() throws Exception {
        var body = "{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"ApiDown\\\"}\",\"status\":\"firing\","
                + "\"receiver\":\"countersign\",\"groupLabels\":{\"alertname\":\"ApiDown\"},\"commonLabels\":"
                + "{\"alertname\":\"ApiDown\"},\"commonAnnotations\":{},\"externalURL\":\"http://alertmanager:9093\","
                + "\"truncatedAlerts\":0,\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"ApiDown\"},"
                + "\"annotations\":{},\"startsAt\":\"2026-12-01T10:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\","
                + "\"generatorURL\":\"http://prometheus:9090/graph\",\"fingerprint\":\"0123456789abcdef\"}]}";
        return new WebFixture.Browser(web.base).post("/webhooks/alertmanager", body, "Content-Type", "application/json",
                "Authorization", "Bearer " + ALERTMANAGER_TOKEN);
    }
}
