package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.slack.SlackFixture.OPS;
import static org.countersign.slack.SlackFixture.actionIds;
import static org.countersign.slack.SlackFixture.blocksText;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Prometheus Alertmanager (Debian's prometheus-alertmanager) sending to Countersign: a firing alert
 * becomes one Slack message with the button, and its resolution edits that message.
 */
class RealAlertmanagerTest {
    private static final String TOKEN = "alertmanager-test-token-0123456789";
    private static final String ALERT = """
            [{"labels": {"alertname": "HighErrorRate", "service": "api", "severity": "critical"},
              "annotations": {"summary": "API error rate above 5%%"},
              "startsAt": "%s"%s}]""";

    @TempDir
    Path dir;

    private SlackFixture slack;
    private Process alertmanager;
    private int alertmanagerPort;
    private final HttpClient http = HttpClient.newHttpClient();

    static Optional<Path> binary() {
        for (var name : new String[] {"/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager",
                "/usr/local/bin/alertmanager"})
            if (Files.isExecutable(Path.of(name))) return Optional.of(Path.of(name));
        return Optional.empty();
    }

    @BeforeEach
    void start() throws Exception {
        var binary = binary();
        if (binary.isEmpty()) {
            var hint = "Prometheus Alertmanager is not installed: apt-get install -y prometheus-alertmanager";
            if ("true".equals(System.getenv("CI"))) throw new AssertionError(hint + " (CI=true: this test must run)");
            Assumptions.abort(hint);
        }
        slack = new SlackFixture(dir.resolve("data"), false, Map.of("ALERTMANAGER_TOKEN", TOKEN));
        alertmanagerPort = SlackFixture.freePort();
        var config = dir.resolve("alertmanager.yml");
        Files.writeString(config, """
                route:
                  receiver: countersign
                  group_by: [alertname]
                  group_wait: 1s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: countersign
                    webhook_configs:
                      - url: http://127.0.0.1:%d/webhooks/alertmanager
                        send_resolved: true
                        max_alerts: 50
                        http_config:
                          authorization:
                            credentials: %s
                """.formatted(slack.service.port(), TOKEN));
        alertmanager = new ProcessBuilder(binary.get().toString(), "--config.file=" + config,
                "--storage.path=" + dir.resolve("am-data"), "--web.listen-address=127.0.0.1:" + alertmanagerPort,
                "--cluster.listen-address=", "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + alertmanagerPort + "/-/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    @AfterEach
    void stop() throws Exception {
        if (alertmanager != null) {
            alertmanager.destroy();
            alertmanager.waitFor(10, TimeUnit.SECONDS);
        }
        if (slack != null) slack.close();
    }

    @Test
    void a_real_alertmanager_posts_a_firing_group_once_and_edits_it_when_resolved() throws Exception {
        var started = Instant.now().minusSeconds(60);
        assertThat(sendAlert(ALERT.formatted(started, ""))).isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).until(() -> !slack.cards(OPS).isEmpty());
        var message = slack.cards(OPS).get(0);
        assertThat(blocksText(message)).contains("API error rate above 5%").contains("Open emergency deployment");
        assertThat(actionIds(message)).containsExactly("open_emergency");

        assertThat(sendAlert(ALERT.formatted(started, ", \"endsAt\": \"" + Instant.now().minusSeconds(1) + "\"")))
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).until(() -> actionIds(slack.cards(OPS).get(0)).isEmpty());
        assertThat(blocksText(slack.cards(OPS).get(0))).contains("Resolved");
        assertThat(slack.cards(OPS)).hasSize(1);
        assertThat(slack.fake.calls("chat.postMessage")).hasSize(1);
    }

    private int sendAlert(String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + alertmanagerPort + "/api/v2/alerts"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
