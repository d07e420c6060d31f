package org.countersign.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.countersign.matrix.fake.FakeHomeserver;
import org.countersign.slack.fake.BlockAction;
import org.countersign.slack.fake.FakeSlack;
import org.countersign.slack.fake.Failure;
import org.countersign.slack.fake.OpenedView;
import org.countersign.slack.fake.PostedMessage;
import org.countersign.slack.fake.SlackSigner;
import org.countersign.slack.fake.SlashCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;

/**
 * Countersign run as a real process (java -cp … org.countersign.Main) with every secret it can be given, through a
 * flow that also makes it log warnings and errors: a password-protected Redis, Slack (with a Slack outage), Matrix,
 * signed outbound webhooks (one failing at first), a webhook URL that is itself a secret, PagerDuty's routing key,
 * the inbound deploy webhook, forged requests. Everything it writes to stdout and stderr is kept, and no secret may
 * be in it. A separate process, because integration secrets are read from the process environment.
 */
class SecretsInLogsTest {
    private static final String OPS = "C0EMERG1";
    private static final String SECURITY = "G0SECURE";
    private static final String BOT = "@countersign:example.org";
    private static final String ROOM = "!ops:example.org";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The fixed secrets other test classes give the service; their reports must not show them either. */
    private static final List<String> SUITE_SECRETS = List.of("0123456789abcdef0123456789abcdef",
            "xoxb-countersign-test", "syt_Y291bnRlcnNpZ24_bot_token", "it's a secret to everybody",
            HostileService.SIGNING_SECRET, HostileService.BOT_TOKEN, HostileService.INBOUND_SECRET, HostileService.API_TOKEN,
            // web.OidcFixture's: the sign-in client secret, a pipeline's API token, the dashboard token
            "client-secret-for-the-mock-provider", "pipeline-token-4b1f0c9e2d7a6b3c8e5f", "dashboard-token-for-the-oidc-tests",
            HostileService.GITHUB_SECRET, "github-webhook-secret-0123456789");

    private final Map<String, String> secrets = new LinkedHashMap<>();
    private final List<AutoCloseable> started = new ArrayList<>();
    private Process process;

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        if (process != null && process.isAlive()) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        for (int i = started.size() - 1; i >= 0; i--) started.get(i).close();
    }

    @Test
    void no_secret_appears_in_anything_a_running_countersign_writes() throws Exception {
        var signing = secret("SLACK_SIGNING_SECRET", "signing-");
        var botToken = secret("SLACK_BOT_TOKEN", "xoxb-");
        var inbound = secret("INBOUND_WEBHOOK_SECRET", "inbound-");
        var matrixToken = secret("MATRIX_ACCESS_TOKEN", "syt_");
        var redisPassword = secret("REDIS_URL password", "redispw");
        var webhookSecret = secret("HOSTILE_WEBHOOK_SECRET", "hook-");
        var routingKey = secret("HOSTILE_PAGERDUTY_KEY", "R0");
        var adminLogToken = secret("HOSTILE_ADMIN_LOG_URL token", "T0");
        var dashboardToken = secret("DASHBOARD_TOKEN", "dash-");
        var receiptKey = java.util.Base64.getEncoder().encodeToString(java.security.KeyPairGenerator.getInstance("Ed25519")
                .generateKeyPair().getPrivate().getEncoded());
        secrets.put("RECEIPT_SIGNING_KEY", receiptKey);
        var githubSecret = secret("GITHUB_WEBHOOK_SECRET", "gh-hook-");
        var appKeys = java.security.KeyPairGenerator.getInstance("RSA");
        appKeys.initialize(2048);
        var app = appKeys.generateKeyPair();
        var appKey = java.util.Base64.getEncoder().encodeToString(app.getPrivate().getEncoded());
        secrets.put("GITHUB_APP_PRIVATE_KEY", appKey.substring(200, 264)); // any line of the PEM would be a leak

        int redisPort = HostileService.freePort();
        var redis = RedisServer.newRedisServer().port(redisPort).bind("127.0.0.1").setting("requirepass " + redisPassword)
                .setting("save \"\"").setting("appendonly no").setting("dir " + dir.toAbsolutePath()).build();
        redis.start();
        started.add(redis::stop);
        var slack = closeLater(new FakeSlack(botToken).withChannel(OPS, "emergencies").withPrivateChannel(SECURITY, "security")
                .withUsergroup("S0SRE", List.of()));
        var homeserver = closeLater(new FakeHomeserver().withUser(BOT, matrixToken)
                .withRoom(ROOM, BOT, "@sre1:example.org", "@dev:example.org"));
        var github = closeLater(new org.countersign.github.fake.FakeGithub("1012345",
                (java.security.interfaces.RSAPublicKey) app.getPublic()).installed(51234567, "octo-org/payments"));
        var pipeline = closeLater(new Receiver(2));
        var adminLog = closeLater(new Receiver());
        var pager = closeLater(new Receiver());
        var policy = dir.resolve("policy.yml");
        Files.writeString(policy, Files.readString(Path.of("infra/policy.example.yml")) + "\nintegrations:\n"
                + "  - { name: pipeline, url: \"" + pipeline.url("/hook") + "\", secret-env: HOSTILE_WEBHOOK_SECRET }\n"
                + "  - { name: admin-log, url-env: HOSTILE_ADMIN_LOG_URL, format: slack-incoming }\n"
                + "  - { name: pager, url: \"" + pager.url("/enqueue") + "\", format: pagerduty, "
                + "secret-env: HOSTILE_PAGERDUTY_KEY }\n");

        int port = HostileService.freePort();
        var base = "http://127.0.0.1:" + port;
        var env = new LinkedHashMap<String, String>();
        env.put("PORT", String.valueOf(port));
        env.put("REDIS_URL", "redis://:" + redisPassword + "@127.0.0.1:" + redisPort);
        env.put("REDIS_PREFIX", "secrets:");
        env.put("POLICY_FILE", policy.toString());
        env.put("SLACK_SIGNING_SECRET", signing);
        env.put("SLACK_BOT_TOKEN", botToken);
        env.put("SLACK_API_URL", slack.baseUrl());
        env.put("SLACK_CHANNEL", OPS);
        env.put("SLACK_SECURITY_CHANNEL", SECURITY);
        env.put("MATRIX_HOMESERVER_URL", homeserver.baseUrl());
        env.put("MATRIX_ACCESS_TOKEN", matrixToken);
        env.put("MATRIX_ROOM_ID", ROOM);
        env.put("INBOUND_WEBHOOK_SECRET", inbound);
        env.put("DASHBOARD_TOKEN", dashboardToken);
        env.put("HOSTILE_WEBHOOK_SECRET", webhookSecret);
        env.put("HOSTILE_PAGERDUTY_KEY", routingKey);
        env.put("HOSTILE_ADMIN_LOG_URL", adminLog.url("/services/T0/B0/" + adminLogToken));
        env.put("RECEIPT_SIGNING_KEY", "-----BEGIN PRIVATE KEY-----\n" + receiptKey + "\n-----END PRIVATE KEY-----\n");
        env.put("DATA_DIR", dir.resolve("data").toString());
        env.put("COUNTERSIGN_INSTANCE", "secrets-test");
        env.put("GITHUB_APP_ID", "1012345");
        env.put("GITHUB_APP_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----\n" + appKey + "\n-----END PRIVATE KEY-----");
        env.put("GITHUB_WEBHOOK_SECRET", githubSecret);
        env.put("GITHUB_API_URL", github.url());
        var log = dir.resolve("countersign.log");
        process = start(env, log);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> Wire.send(base, "GET", "/readyz", Map.of(), null).status() == 200);

        // Slack: a request opened and approved while chat.update fails, so the log has warnings to write.
        var signer = new SlackSigner(signing);
        var slackUrl = base + "/slack/events";
        var id = openThroughSlack(slack, signer, slackUrl, "availability", OPS);
        slack.failNext("chat.update", 2, Failure.down());
        press(slack, signer, slackUrl, OPS, id, "approve:sre", "U0SRE1");
        press(slack, signer, slackUrl, OPS, id, "approve:releng", "U0REL1");
        var forged = signer.slashCommand(SlashCommand.emergency("U0OUT1", OPS, "list").via(slack));
        assertThat(forged.withSignature("v0=" + "0".repeat(64)).sendTo(slackUrl).status()).isEqualTo(401);
        openThroughSlack(slack, signer, slackUrl, "security", SECURITY);

        assertThat(Wire.send(base, "GET", "/api/requests/" + id + "/receipt",
                Map.of("Authorization", "Bearer " + dashboardToken), null).status())
                .as("a receipt signed with RECEIPT_SIGNING_KEY").isEqualTo(200);

        // The pipeline reports back, signed; and someone without the secret tries.
        assertThat(report(base, inbound, id, "started").status()).isEqualTo(200);
        assertThat(report(base, inbound, id, "succeeded").status()).isEqualTo(200);
        assertThat(report(base, "not-the-secret-at-all", id, "failed").status()).isEqualTo(401);

        // GitHub: a deployment waits on a request; GitHub fails once when it is approved; a forged delivery tries.
        var rule = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(getClass().getResourceAsStream("/github/deployment_protection_rule.requested.json"));
        rule.put("deployment_callback_url", github.url() + "/repos/octo-org/payments/actions/runs/77/deployment_protection_rule");
        var ruleBody = rule.toString().getBytes(StandardCharsets.UTF_8);
        var gated = Wire.post(base, "/webhooks/github", Map.of("Content-Type", "application/json",
                "X-GitHub-Event", "deployment_protection_rule", "X-GitHub-Delivery", "d-77",
                "X-Hub-Signature-256", "sha256=" + HostileInputFuzzTest.hmac(githubSecret, ruleBody)), ruleBody);
        assertThat(gated.status()).as(gated.body()).isEqualTo(200);
        assertThat(Wire.post(base, "/webhooks/github", Map.of("Content-Type", "application/json", "X-GitHub-Event",
                "deployment_protection_rule", "X-Hub-Signature-256", "sha256=" + HostileInputFuzzTest.hmac("forged-secret",
                ruleBody)), ruleBody).status()).isEqualTo(401);
        var gatedId = org.countersign.domain.RequestId.parse(gated.body().replaceAll(".*\"request\":\"(EMG-\\d+)\".*", "$1"))
                .orElseThrow();
        github.failNext(1);
        press(slack, signer, slackUrl, OPS, gatedId, "approve:sre", "U0SRE1");
        press(slack, signer, slackUrl, OPS, gatedId, "approve:releng", "U0REL1");
        await().atMost(WAIT).until(() -> github.reviews().size() == 1);
        github.issued().forEach(t -> secrets.put("a GitHub installation token", t.token()));

        // Matrix: commands answered in the room.
        homeserver.postText(ROOM, "@dev:example.org", "!status " + id);
        homeserver.postText(ROOM, "@dev:example.org", "!emergency");
        await().atMost(WAIT).until(() -> pipeline.bodies().contains("deploy.finished")
                && adminLog.bodies().contains("deployed") && pager.all().size() >= 2
                && homeserver.notices(ROOM).stream().anyMatch(e -> e.body().contains("Usage")));
        assertThat(pipeline.all()).allSatisfy(r -> assertThat(r.headers().get("countersign-signature")).startsWith("v1="));

        process.destroy(); // SIGTERM: the shutdown hook stops everything and says so
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("stopped within 20 s").isTrue();
        var written = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println("---- what Countersign wrote ----\n" + written + "---- end ----");

        assertThat(written).contains("Countersign is ready").contains("Slack on").contains("Matrix on")
                .contains("3 webhook integration(s)").contains("Countersign stopped");
        secrets.forEach((name, value) -> assertThat(written).as("the log shows %s", name).doesNotContain(value));
    }

    @Test
    void the_test_reports_of_this_run_show_no_secret_the_tests_gave_the_service() throws IOException {
        var reports = Path.of("target", "surefire-reports");
        if (!Files.isDirectory(reports)) return;
        var scanned = 0;
        try (var files = Files.list(reports)) {
            for (var file : files.filter(f -> f.toString().endsWith(".txt")).toList()) {
                // This class's own output holds its assertions' descriptions, not a service's log of our secrets.
                if (file.getFileName().toString().contains(getClass().getSimpleName())) continue;
                var text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
                for (var secret : SUITE_SECRETS)
                    assertThat(text).as("%s shows a secret", file.getFileName()).doesNotContain(secret);
                scanned++;
            }
        }
        System.out.println("scanned " + scanned + " report files under " + reports + " for " + SUITE_SECRETS.size() + " secrets");
    }

    private String secret(String name, String prefix) {
        var bytes = new byte[12];
        ThreadLocalRandom.current().nextBytes(bytes);
        var value = prefix + HexFormat.of().formatHex(bytes);
        secrets.put(name, value);
        return value;
    }

    private Process start(Map<String, String> env, Path log) throws IOException {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "org.countersign.Main");
        var inherited = builder.environment();
        inherited.keySet().removeIf(k -> !List.of("PATH", "HOME", "LANG", "TMPDIR").contains(k));
        inherited.putAll(env);
        builder.redirectErrorStream(true).redirectOutput(log.toFile()).directory(dir.toFile());
        return builder.start();
    }

    private static org.countersign.domain.RequestId openThroughSlack(FakeSlack slack, SlackSigner signer, String url,
                                                                     String reason, String channel) {
        int views = slack.openedViews().size();
        int cards = slack.messages(channel).size();
        signer.slashCommand(SlashCommand.emergency("U0DEV1", OPS, "").via(slack)).sendTo(url);
        await().atMost(WAIT).until(() -> slack.openedViews().size() > views);
        OpenedView form = slack.openedViews().get(views);
        var reply = signer.viewSubmission(HostileService.filled(form, "U0DEV1", reason, "Checkout fails for everyone")
                .via(slack)).sendTo(url);
        assertThat(reply.body()).as("form accepted").isEmpty();
        await().atMost(WAIT).until(() -> slack.messages(channel).size() > cards);
        var text = slack.messages(channel).get(cards).text();
        var m = java.util.regex.Pattern.compile("EMG-\\d+").matcher(text);
        assertThat(m.find()).as("a request id in %s", text).isTrue();
        return org.countersign.domain.RequestId.parse(m.group()).orElseThrow();
    }

    private static void press(FakeSlack slack, SlackSigner signer, String url, String channel,
                              org.countersign.domain.RequestId id, String action, String user) {
        PostedMessage card = slack.messages(channel).stream().filter(m -> !m.isReply() && m.text().contains(id.toString()))
                .reduce((a, b) -> b).orElseThrow();
        assertThat(signer.blockAction(BlockAction.press(card, action, user).via(slack)).sendTo(url).status()).isEqualTo(200);
    }

    private static Wire.Reply report(String base, String secret, org.countersign.domain.RequestId id, String status) {
        var body = "{\"request\":\"" + id + "\",\"status\":\"" + status + "\",\"url\":\"https://ci.example.org/7\"}";
        var timestamp = String.valueOf(Instant.now().getEpochSecond());
        return Wire.post(base, "/webhooks/deploy", Map.of("Content-Type", "application/json",
                "Countersign-Delivery", "run-7-" + status, "Countersign-Timestamp", timestamp,
                "Countersign-Signature", "v1=" + HostileInputFuzzTest.hmac(secret, HostileInputFuzzTest.utf8(timestamp + "." + body))),
                HostileInputFuzzTest.utf8(body));
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        started.add(resource);
        return resource;
    }
}
