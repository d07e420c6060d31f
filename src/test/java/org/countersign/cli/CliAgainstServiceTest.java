package org.countersign.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.domain.Actor;
import org.countersign.domain.Outcome;
import org.countersign.domain.Platform;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every exit code of {@code countersign wait} and {@code report}, against the service started as Main starts it. */
class CliAgainstServiceTest {
    static final String TOKEN = "dashboard-token-0123456789";
    static final String SECRET = "inbound-secret-0123456789";
    static final String PIPELINE_TOKEN = "pipeline-token-0123456789abcdef";
    static final Actor REQUESTER = new Actor(Platform.CONSOLE, "erin");
    static final Actor SRE = new Actor(Platform.CONSOLE, "alice");
    static final Actor RELENG = new Actor(Platform.CONSOLE, "carol");

    @TempDir
    static Path dataDir;

    static Main.Running running;

    @BeforeAll
    static void start() throws Exception {
        running = Main.start(config(freePort()));
    }

    @AfterAll
    static void stop() {
        if (running != null) running.close();
    }

    static Config config(int port) {
        var env = new HashMap<String, String>();
        env.put("DATA_DIR", dataDir.toString());
        env.put("PORT", String.valueOf(port));
        env.put("DASHBOARD_TOKEN", TOKEN);
        env.put("INBOUND_WEBHOOK_SECRET", SECRET);
        env.put("API_TOKENS", "deploy-bot:sha256:" + sha256(PIPELINE_TOKEN));
        return Config.fromEnv(env);
    }

    static Map<String, String> env() {
        return Map.of("COUNTERSIGN_URL", "http://127.0.0.1:" + running.port(), "COUNTERSIGN_TOKEN", TOKEN,
                "COUNTERSIGN_WEBHOOK_SECRET", SECRET);
    }

    static RequestId open() {
        var outcome = running.service().open(REQUESTER, TestPolicies.draft("availability"));
        return ((Outcome.Applied) outcome).request().id();
    }

    static RequestId approved() {
        var id = open();
        running.service().approve(id, SRE, "sre");
        running.service().approve(id, RELENG, "releng");
        return id;
    }

    @Test
    void wait_exits_0_when_the_request_is_approved_and_wakes_on_the_live_event() {
        var id = open();
        // The interval is longer than the timeout: only the live event can wake it in time.
        var out = new java.io.StringWriter();
        var waiting = CompletableFuture.supplyAsync(() -> Cli.run(new String[] {"wait", id.toString(),
                "--interval", "10m", "--timeout", "30s"}, new java.io.PrintWriter(out), new java.io.PrintWriter(
                new java.io.StringWriter()), env()));
        await().atMost(Duration.ofSeconds(10)).until(() -> out.toString().contains("is pending"));
        assertThat(out.toString()).contains(id + " is pending: waiting for SRE (0 of 1)");

        running.service().approve(id, SRE, "sre");
        running.service().approve(id, RELENG, "releng");

        assertThat(waiting.join()).isEqualTo(Exit.OK);
        assertThat(out.toString()).contains(id + " is approved (approved by ").contains("console:alice");
    }

    @Test
    void wait_exits_1_when_rejected_and_says_why() {
        var id = open();
        running.service().reject(id, SRE, "roll back first: the cache change can be reverted");
        var r = CliTest.run(env(), "wait", id.toString(), "--timeout", "20s");
        assertThat(r.code()).isEqualTo(Exit.REFUSED);
        assertThat(r.out()).contains(id + " was rejected by console:alice: roll back first");
    }

    @Test
    void wait_exits_1_when_cancelled() {
        var id = open();
        running.service().cancel(id, REQUESTER, "fixed by a rollback");
        assertThat(CliTest.run(env(), "wait", id.toString(), "--timeout", "20s").code()).isEqualTo(Exit.REFUSED);
    }

    @Test
    void wait_exits_2_when_the_request_expires_while_it_waits(@TempDir Path dir) throws Exception {
        // A service of its own, whose requests expire after 2 s and whose sweeper looks every second.
        var policy = dir.resolve("policy.yml");
        java.nio.file.Files.writeString(policy, java.nio.file.Files.readString(Path.of("infra/policy.example.yml"))
                .replace("expire-after: 60m", "expire-after: 2s"));
        var env = new HashMap<String, String>();
        env.put("DATA_DIR", dir.resolve("data").toString());
        env.put("PORT", String.valueOf(freePort()));
        env.put("POLICY_FILE", policy.toString());
        env.put("EXPIRY_SWEEP_INTERVAL", "1s");
        env.put("DASHBOARD_TOKEN", TOKEN);
        try (var quick = Main.start(Config.fromEnv(env))) {
            var id = ((Outcome.Applied) quick.service().open(REQUESTER, TestPolicies.draft("availability"))).request().id();
            var r = CliTest.run(Map.of("COUNTERSIGN_URL", "http://127.0.0.1:" + quick.port(), "COUNTERSIGN_TOKEN", TOKEN),
                    "wait", id.toString(),
                    "--timeout", "30s", "--interval", "1s");
            assertThat(r.code()).as(r.out() + r.err()).isEqualTo(Exit.EXPIRED);
            assertThat(r.out()).contains(id + " is pending").contains(id + " has expired");
        }
    }

    @Test
    void wait_exits_3_when_still_undecided_at_the_timeout() {
        var id = open();
        var r = CliTest.run(env(), "wait", id.toString(), "--timeout", "2s", "--interval", "1s");
        assertThat(r.code()).isEqualTo(Exit.UNDECIDED);
        assertThat(r.out()).contains("no decision within 2s");
    }

    @Test
    void wait_exits_4_for_a_wrong_or_missing_token_and_an_unknown_request() {
        var id = open();
        var wrong = new HashMap<>(env());
        wrong.put("COUNTERSIGN_TOKEN", "not-the-token-at-all");
        var r = CliTest.run(wrong, "wait", id.toString(), "--timeout", "20s");
        assertThat(r.code()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("refused the credentials (401)").contains("COUNTERSIGN_TOKEN");

        var none = new HashMap<>(env());
        none.remove("COUNTERSIGN_TOKEN");
        assertThat(CliTest.run(none, "wait", id.toString(), "--timeout", "20s").code()).isEqualTo(Exit.USAGE);

        var unknown = CliTest.run(env(), "wait", "EMG-999999");
        assertThat(unknown.code()).isEqualTo(Exit.USAGE);
        assertThat(unknown.err()).contains("There is no request EMG-999999");
    }

    @Test
    void wait_rides_out_a_restart_of_the_service() throws Exception {
        var id = open();
        int port = running.port();
        var env = env();
        running.close();
        running = null;
        var err = new java.io.StringWriter();
        var waiting = CompletableFuture.supplyAsync(() -> Cli.run(new String[] {"wait", id.toString(),
                "--unreachable-after", "1m", "--timeout", "40s"}, new java.io.PrintWriter(new java.io.StringWriter()),
                new java.io.PrintWriter(err), env));
        await().atMost(Duration.ofSeconds(10)).until(() -> err.toString().contains("retrying"));
        assertThat(waiting).isNotDone();

        running = Main.start(config(port)); // the same port and data: the request is still there
        running.service().approve(id, SRE, "sre");
        running.service().approve(id, RELENG, "releng");

        assertThat(waiting.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(Exit.OK);
    }

    @Test
    void report_records_each_step_once_and_refuses_what_the_state_does_not_allow() {
        var id = approved();
        var started = CliTest.run(env(), "report", id.toString(), "started");
        assertThat(started.code()).as(started.err()).isEqualTo(Exit.OK);
        var done = CliTest.run(env(), "report", id.toString(), "rolled-back", "--url", "https://ci.example.org/run/7",
                "--note", "rolled back after the canary");
        assertThat(done.code()).as(done.err()).isEqualTo(Exit.OK);
        assertThat(running.service().find(id).orElseThrow().state().name()).isEqualTo("ROLLED_BACK");
        assertThat(running.service().find(id).orElseThrow().deployNote())
                .isEqualTo("rolled back after the canary (https://ci.example.org/run/7)");

        var pending = open();
        var refused = CliTest.run(env(), "report", pending.toString(), "started");
        assertThat(refused.code()).isEqualTo(Exit.REFUSED);
        assertThat(refused.err()).contains("refused").contains(pending.toString());
    }

    @Test
    void report_with_the_wrong_secret_exits_4_and_changes_nothing() {
        var id = approved();
        var wrong = new HashMap<>(env());
        wrong.put("COUNTERSIGN_WEBHOOK_SECRET", "some-other-secret-0123456789");
        var r = CliTest.run(wrong, "report", id.toString(), "started");
        assertThat(r.code()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("Invalid signature").contains("COUNTERSIGN_WEBHOOK_SECRET");
        assertThat(running.service().find(id).orElseThrow().state().name()).isEqualTo("APPROVED");
    }

    @Test
    void report_gives_up_with_5_when_nothing_listens() throws Exception {
        var env = new HashMap<>(env());
        env.put("COUNTERSIGN_URL", "http://127.0.0.1:" + freePort());
        var r = CliTest.run(env, "report", "EMG-1", "started", "--unreachable-after", "1s");
        assertThat(r.code()).isEqualTo(Exit.UNREACHABLE);
    }

    static Map<String, String> pipeline() {
        var env = new HashMap<>(env());
        env.put("COUNTERSIGN_TOKEN", PIPELINE_TOKEN);
        return env;
    }

    static final String[] OPEN = {"open", "--reason", "availability", "--summary", "Revert the cache change",
            "--change", "https://gerrit.example.org/r/c/ops/+/123456", "--change", "0123456789abcdef0123456789abcdef01234567",
            "--rollback"};

    @Test
    void open_with_a_pipeline_token_opens_a_request_the_timeline_says_the_pipeline_asked_for() {
        var r = CliTest.run(pipeline(), OPEN);
        assertThat(r.code()).as(r.err()).isEqualTo(Exit.OK);
        assertThat(r.out()).containsPattern("Opened EMG-[0-9]+").contains("/requests/EMG-");
        var id = RequestId.parse(r.out().replaceAll("(?s).*Opened (EMG-[0-9]+).*", "$1")).orElseThrow();
        var request = running.service().find(id).orElseThrow();
        assertThat(request.requester().toString()).isEqualTo("api:deploy-bot");
        assertThat(request.changes()).hasSize(2);
        assertThat(running.service().timeline(id).get(0).actor().toString()).isEqualTo("api:deploy-bot");
    }

    @Test
    void open_wait_exits_as_wait_does_once_people_decide() {
        var out = new java.io.StringWriter();
        var args = new java.util.ArrayList<>(java.util.List.of(OPEN));
        args.addAll(java.util.List.of("--wait", "--timeout", "30s"));
        var waiting = CompletableFuture.supplyAsync(() -> Cli.run(args.toArray(String[]::new),
                new java.io.PrintWriter(out), new java.io.PrintWriter(new java.io.StringWriter()), pipeline()));
        await().atMost(Duration.ofSeconds(10)).until(() -> out.toString().contains("is pending"));
        var id = RequestId.parse(out.toString().replaceAll("(?s).*Opened (EMG-[0-9]+).*", "$1")).orElseThrow();
        running.service().reject(id, SRE, "roll back instead");
        assertThat(waiting.join()).isEqualTo(Exit.REFUSED);
        assertThat(out.toString()).contains(id + " was rejected by console:alice: roll back instead");
    }

    @Test
    void open_refuses_a_bad_draft_a_missing_rollback_answer_and_the_nameless_dashboard_token() {
        var bad = CliTest.run(pipeline(), "open", "--reason", "boredom", "--summary", "x", "--change", "1", "--rollback");
        assertThat(bad.code()).isEqualTo(Exit.USAGE);
        assertThat(bad.err()).contains("boredom");

        var noRollbackAnswer = CliTest.run(pipeline(), "open", "--reason", "availability", "--summary", "x", "--change", "1");
        assertThat(noRollbackAnswer.code()).isEqualTo(Exit.USAGE);
        assertThat(noRollbackAnswer.err()).contains("--rollback").contains("--no-rollback");

        var dashboard = CliTest.run(env(), OPEN);
        assertThat(dashboard.code()).isEqualTo(Exit.REFUSED);
        assertThat(dashboard.err()).contains("names nobody");

        var wrong = new HashMap<>(env());
        wrong.put("COUNTERSIGN_TOKEN", "not-a-token-at-all-0123");
        assertThat(CliTest.run(wrong, OPEN).code()).isEqualTo(Exit.USAGE);
    }

    static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static int freePort() throws Exception {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
