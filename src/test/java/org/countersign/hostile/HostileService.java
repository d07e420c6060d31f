package org.countersign.hostile;

import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.domain.RequestId;
import org.countersign.slack.fake.FakeSlack;
import org.countersign.slack.fake.HttpReply;
import org.countersign.slack.fake.OpenedView;
import org.countersign.slack.fake.PostedMessage;
import org.countersign.slack.fake.SlackSigner;
import org.countersign.slack.fake.SlashCommand;
import org.countersign.slack.fake.ViewSubmission;
import org.countersign.store.EmbeddedRedis;
import org.countersign.store.RedisConnector;
import redis.clients.jedis.UnifiedJedis;

/**
 * The whole service as Main starts it, on a Redis of the test's own under a prefix of its own (so what it stores
 * can be counted), with a fake Slack, the packaged policy (or another), Slack and the inbound webhook switched on.
 * People are the example policy's: U0DEV1 opens requests, U0SRE1 is SRE, U0REL1 Release Engineering, U0SEC1
 * Security, U0OUT1 nobody.
 */
final class HostileService implements AutoCloseable {
    static final String SIGNING_SECRET = "hostile-signing-secret-5f1c9e0a7b";
    static final String BOT_TOKEN = "xoxb-hostile-bot-token-8d2e4c";
    static final String INBOUND_SECRET = "hostile-inbound-secret-3a9b7d1f";
    /** A pipeline's named API token (deploy-bot): it reaches the actions API, where a pipeline approves nothing. */
    static final String API_TOKEN = "hostile-pipeline-token-6e2a0f4c9b";
    static final String GITHUB_SECRET = "hostile-github-secret-6c2e8f0b4d";
    /** Nothing listens there: a hostile delivery must never get as far as calling GitHub. */
    static final String GITHUB_API = "http://127.0.0.1:9";
    static final String OPS = "C0EMERG1";
    static final String SECURITY = "G0SECURE";
    static final String DEV = "U0DEV1";
    static final String SRE1 = "U0SRE1";
    static final String REL1 = "U0REL1";
    static final String SEC1 = "U0SEC1";
    static final String OUTSIDER = "U0OUT1";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String FORM = "application/x-www-form-urlencoded";

    final FakeSlack slack = new FakeSlack(BOT_TOKEN).withChannel(OPS, "emergencies")
            .withPrivateChannel(SECURITY, "security-emergencies").withUsergroup("S0SRE", List.of());
    final SlackSigner signer = new SlackSigner(SIGNING_SECRET);
    final String prefix = "{hostile:" + UUID.randomUUID() + "}:"; // a hash tag of its own, so keys begin with it
    final EmbeddedRedis redis;
    final UnifiedJedis jedis;
    final Main.Running service;
    final String base;

    HostileService(Path dataDir) throws Exception {
        this(dataDir, Map.of());
    }

    /** With more settings, e.g. POLICY_FILE or Matrix's. */
    HostileService(Path dataDir, Map<String, String> extraEnv) throws Exception {
        redis = EmbeddedRedis.start(dataDir.resolve("redis"));
        jedis = RedisConnector.pooled(redis.uri().toString());
        var env = new HashMap<String, String>();
        env.put("PORT", String.valueOf(freePort()));
        env.put("REDIS_URL", redis.uri().toString());
        env.put("REDIS_PREFIX", prefix);
        env.put("DATA_DIR", dataDir.resolve("data").toString());
        env.put("SLACK_SIGNING_SECRET", SIGNING_SECRET);
        env.put("SLACK_BOT_TOKEN", BOT_TOKEN);
        env.put("SLACK_API_URL", slack.baseUrl());
        env.put("SLACK_CHANNEL", OPS);
        env.put("SLACK_SECURITY_CHANNEL", SECURITY);
        env.put("INBOUND_WEBHOOK_SECRET", INBOUND_SECRET);
        env.put("API_TOKENS", "deploy-bot:sha256:" + java.util.HexFormat.of().formatHex(sha256(API_TOKEN)));
        env.put("GITHUB_APP_ID", "1012345");
        env.put("GITHUB_APP_PRIVATE_KEY", appKey());
        env.put("GITHUB_WEBHOOK_SECRET", GITHUB_SECRET);
        env.put("GITHUB_API_URL", GITHUB_API);
        // Garbage is sent from one address and as many made-up users: let it reach the parsers, not the limiter.
        env.put("RATE_LIMIT_PER_ADDRESS", "1000000/1m");
        env.put("RATE_LIMIT_PER_USER", "1000000/1m");
        // Slack turns the console off by default; on, so the fuzz reaches its routes too.
        env.put("CONSOLE", "on");
        env.putAll(extraEnv);
        service = Main.start(Config.fromEnv(env));
        base = "http://127.0.0.1:" + service.port();
    }

    /** A GitHub App key, PKCS#8 PEM. */
    private static String appKey() throws java.security.GeneralSecurityException {
        var generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(
                generator.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    }

    String slackUrl() { return base + "/slack/events"; }

    /** The header with this run's token (the start-up token: no DASHBOARD_TOKEN is set), for the API. */
    Map<String, String> authorization() {
        return Map.of("Authorization", "Bearer " + service.startupToken().orElseThrow());
    }

    /** The same, as the pairs HttpRequest.Builder.headers takes. */
    String[] bearer() {
        return new String[] {"Authorization", "Bearer " + service.startupToken().orElseThrow()};
    }

    // ---- what is stored ------------------------------------------------------------------------------------

    /** Every key under this service's prefix, without it. */
    Set<String> keys() {
        var keys = new TreeSet<String>();
        for (var key : jedis.keys(prefix + "*")) keys.add(key.substring(prefix.length()));
        return keys;
    }

    long requestCount() { return jedis.zcard(prefix + "all"); }

    long eventCount() { return jedis.exists(prefix + "events") ? jedis.xlen(prefix + "events") : 0; }

    /** The stored JSON of a request and its timeline, to compare before and after. */
    String stored(RequestId id) {
        return jedis.hgetAll(prefix + "req:" + id.number()) + " " + jedis.lrange(prefix + "req:" + id.number() + ":timeline", 0, -1);
    }

    // ---- Slack, signed as Slack signs ------------------------------------------------------------------------

    HttpReply command(String user, String text) {
        return signer.slashCommand(SlashCommand.emergency(user, OPS, text).via(slack)).sendTo(slackUrl());
    }

    /** Runs {@code /emergency} and waits for the form Slack was asked to open. */
    OpenedView openForm(String user) {
        int before = slack.openedViews().size();
        command(user, "");
        await().atMost(WAIT).until(() -> slack.openedViews().size() > before);
        return slack.openedViews().get(slack.openedViews().size() - 1);
    }

    /** The request form filled in with a valid request; the block and action ids are the form's own. */
    static ViewSubmission filled(OpenedView view, String user, String reason, String summary) {
        return ViewSubmission.of(view, user)
                .withSelectedOption("reason", "reason_select", reason)
                .withPlainText("summary", "summary_input", summary)
                .withPlainText("changes", "changes_input", "https://gerrit.example.org/r/c/operations/+/123456\n987654")
                .withPlainText("task", "task_input", "T12345")
                .withSelectedOption("rollback", "rollback_choice", "yes");
    }

    /** Opens a request through the form as {@code user} and waits for its card in {@code channel}. */
    RequestId open(String user, String reason, String summary, String channel) {
        int before = cards(channel).size();
        var reply = signer.viewSubmission(filled(openForm(user), user, reason, summary).via(slack)).sendTo(slackUrl());
        if (reply.status() != 200 || !reply.body().isEmpty())
            throw new AssertionError("submission refused: " + reply.status() + " " + reply.body());
        await().atMost(WAIT).until(() -> cards(channel).size() > before);
        return newest();
    }

    RequestId newest() { return service.service().recent(Set.of(), 1).get(0).id(); }

    List<PostedMessage> cards(String channel) {
        return slack.messages(channel).stream().filter(m -> !m.isReply()).toList();
    }

    PostedMessage card(String channel, RequestId id) {
        return cards(channel).stream().filter(m -> m.text().contains(id.toString())).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no card for " + id + " in " + channel));
    }

    static int freePort() throws Exception {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        try {
            service.close();
        } finally {
            slack.close();
            jedis.close();
            redis.close();
        }
    }

    private static byte[] sha256(String text) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
