package org.countersign.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.countersign.domain.RequestId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of malformed, oversized, wrongly encoded and random requests to every endpoint of the running service:
 * Slack's Request URL signed and unsigned (signed garbage reaches the parser and Bolt), the deploy webhook signed
 * and unsigned, the GitHub App's webhook signed and unsigned, the JSON API, random paths and methods, and bytes that are not HTTP at all. None may get a 5xx or
 * an answer naming Java classes, and none may store anything. The inputs come from one seed, printed, and set
 * with {@code -Dhostile.seed=…} to replay a run.
 */
class HostileInputFuzzTest {
    static final long SEED = Long.getLong("hostile.seed", 20261126L);
    /** What an answer must never contain: a stack trace or a Java class name. */
    static final List<String> LEAKS = List.of("Exception", "at org.", "java.", "\tat ");
    private static final int MB = 1_000_000;
    /** The status counted when the server closed the connection while an over-sized body was still being sent. */
    static final int CLOSED_WHILE_SENDING = -1;

    @TempDir
    Path dataDir;

    private HostileService countersign;
    private Garbage g;
    private RequestId pending;
    private RequestId approved;

    /** How a request is signed when it is sent (so a slow run never makes a signature stale by accident). */
    enum Signing { NONE, SLACK, SLACK_STALE, SLACK_OTHER_SECRET, SLACK_TAMPERED, WEBHOOK, WEBHOOK_STALE, WEBHOOK_OTHER_SECRET,
        GITHUB, GITHUB_OTHER_SECRET }

    /** One hostile request: over HTTP with these parts, or {@code raw} bytes on a socket. */
    record Input(String endpoint, String what, String method, String path, Map<String, String> headers, byte[] body,
                 Signing signing, byte[] raw) {
        static Input http(String endpoint, String what, String method, String path, Map<String, String> headers,
                          byte[] body, Signing signing) {
            return new Input(endpoint, what, method, path, headers, body, signing, null);
        }

        static Input raw(String endpoint, String what, String request) {
            return new Input(endpoint, what, null, null, Map.of(), null, Signing.NONE,
                    request.getBytes(StandardCharsets.UTF_8));
        }

        static Input raw(String endpoint, String what, byte[] request) {
            return new Input(endpoint, what, null, null, Map.of(), null, Signing.NONE, request);
        }
    }

    @BeforeEach
    void start() throws Exception {
        countersign = new HostileService(dataDir);
        g = new Garbage(SEED);
        pending = countersign.open(HostileService.DEV, "availability", "API returns 500s since the cache deploy",
                HostileService.OPS);
        // An approved request, so the receipt route signs for real under the garbage too.
        approved = countersign.open(HostileService.DEV, "availability", "Queue workers crash on start", HostileService.OPS);
        countersign.service.service().approve(approved, org.countersign.domain.Actor.slack(HostileService.SRE1), "sre");
        countersign.service.service().approve(approved, org.countersign.domain.Actor.slack(HostileService.REL1), "releng");
        // A confidential one, so the console and the dashboard decide what each caller may see of it.
        countersign.open(HostileService.DEV, "security", "Patch the session fixation hole", HostileService.SECURITY);
        awaitQuiet();
    }

    @AfterEach
    void stop() {
        countersign.close();
    }

    @Test
    void thousands_of_hostile_inputs_to_every_endpoint_get_no_5xx_no_stack_trace_and_store_nothing() throws Exception {
        var inputs = new ArrayList<Input>();
        inputs.addAll(slackSigned(1200));
        inputs.addAll(slackUnsigned(500));
        inputs.addAll(webhookSigned(500));
        inputs.addAll(webhookUnsigned(250));
        inputs.addAll(githubSigned(400));
        inputs.addAll(githubUnsigned(150));
        inputs.addAll(apiList(300));
        inputs.addAll(apiOne(300));
        inputs.addAll(apiReceipt(300));
        inputs.addAll(receiptKeys(100));
        inputs.addAll(audit(150));
        inputs.addAll(windows(100));
        inputs.addAll(apiActions(300));
        inputs.addAll(apiOpen(200));
        inputs.addAll(deadLetters(150));
        inputs.addAll(randomRoutes(300));
        inputs.addAll(notHttp(100));
        inputs.addAll(oversized());
        // Last, so the inputs before them stay what the seed made of them before break-glass and review existed.
        inputs.addAll(aftercareCommands(300));
        inputs.addAll(aftercareActions(200));
        inputs.addAll(apiReviews(150));
        inputs.addAll(consoleAndDashboard(400));
        var keysBefore = countersign.keys();
        long requestsBefore = countersign.requestCount();
        long eventsBefore = countersign.eventCount();
        var pendingBefore = countersign.stored(pending);
        var approvedBefore = countersign.stored(approved);

        var statuses = new TreeMap<String, TreeMap<Integer, Integer>>();
        var problems = new ConcurrentLinkedQueue<String>();
        var pool = Executors.newFixedThreadPool(8);
        for (var input : inputs) {
            pool.execute(() -> {
                Wire.Reply reply;
                try {
                    reply = send(input);
                } catch (java.io.UncheckedIOException e) {
                    // Jetty answers 413 as soon as the headers say too much and closes while we are still sending.
                    if (input.body() == null || input.body().length <= MB)
                        problems.add(input.endpoint() + " · " + input.what() + " · no answer: " + e);
                    reply = new Wire.Reply(CLOSED_WHILE_SENDING, "");
                }
                synchronized (statuses) {
                    statuses.computeIfAbsent(input.endpoint(), k -> new TreeMap<>()).merge(reply.status(), 1, Integer::sum);
                }
                if (reply.status() >= 500 && !unknownHttpVersion(input, reply))
                    problems.add(input.endpoint() + " · " + input.what() + " · " + reply.status() + " " + excerpt(reply.body()));
                for (var leak : LEAKS)
                    if (reply.body().contains(leak))
                        problems.add(input.endpoint() + " · " + input.what() + " · answer contains \"" + leak + "\": "
                                + excerpt(reply.body()));
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(5, TimeUnit.MINUTES)).as("every input sent within 5 minutes").isTrue();
        awaitQuiet();

        var keysAfter = countersign.keys();
        var newKeys = new java.util.TreeSet<>(keysAfter);
        newKeys.removeAll(keysBefore);
        // Rate-limit counters count garbage too, by design; they are fixed windows that expire, not stored data.
        var counters = new java.util.TreeSet<String>();
        for (var key : newKeys) if (key.startsWith("rate:")) counters.add(key);
        newKeys.removeAll(counters);
        var lasting = counters.stream().filter(k -> countersign.jedis.pttl(countersign.prefix + k) < 0).toList();
        var lostKeys = new java.util.TreeSet<>(keysBefore);
        lostKeys.removeAll(keysAfter);
        boolean pendingIntact = pendingBefore.equals(countersign.stored(pending));
        System.out.printf("rate-limit counters made by the garbage: %d, all expiring: %s%n", counters.size(), lasting.isEmpty());
        printSummary(inputs.size(), statuses, problems.size(), newKeys, lostKeys, pendingIntact,
                countersign.requestCount() - requestsBefore, countersign.eventCount() - eventsBefore);

        assertThat(Wire.send(countersign.base, "GET", "/readyz", Map.of(), null).status()).as("ready after it all")
                .isEqualTo(200);
        assertThat(problems).as("answers that were 5xx or leaked Java internals (seed %d)", SEED).isEmpty();
        assertThat(newKeys).as("keys the garbage stored").isEmpty();
        assertThat(lasting).as("rate-limit counters without an expiry").isEmpty();
        assertThat(lostKeys).as("keys the garbage removed").isEmpty();
        assertThat(countersign.requestCount()).as("requests").isEqualTo(requestsBefore);
        assertThat(countersign.eventCount()).as("events on the stream").isEqualTo(eventsBefore);
        assertThat(countersign.stored(pending)).as("the pending request and its timeline").isEqualTo(pendingBefore);
        assertThat(countersign.stored(approved)).as("the approved request and its timeline").isEqualTo(approvedBefore);
    }

    // ---- POST /slack/events ----------------------------------------------------------------------------------

    private List<Input> slackSigned(int n) {
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            var body = slackBody();
            out.add(Input.http("POST /slack/events (signed)", body.what(), "POST", "/slack/events",
                    headers("Content-Type", body.contentType()), body.bytes(), Signing.SLACK));
        }
        return out;
    }

    private List<Input> slackUnsigned(int n) {
        var out = new ArrayList<Input>();
        var signings = List.of(Signing.NONE, Signing.SLACK_STALE, Signing.SLACK_OTHER_SECRET, Signing.SLACK_TAMPERED);
        for (int i = 0; i < n; i++) {
            var body = slackBody();
            var headers = headers("Content-Type", body.contentType());
            var signing = g.pick(signings);
            if (signing == Signing.NONE) {
                // Headers that are there but wrong: empty, not numbers, not hex, another version.
                if (g.chance(0.5)) headers.put("X-Slack-Request-Timestamp", g.pick(List.of("", "abc", "-1", "0",
                        "99999999999999999999", String.valueOf(Instant.now().getEpochSecond()), " 1 ", g.token(12))));
                if (g.chance(0.5)) headers.put("X-Slack-Signature", g.pick(List.of("", "v0=", "v0=zz", "v1=00",
                        "v0=" + "0".repeat(64), "v0=" + HexFormat.of().formatHex(g.bytes(32)), g.token(40))));
            }
            out.add(Input.http("POST /slack/events (unsigned)", signing + " " + body.what(), "POST", "/slack/events",
                    headers, body.bytes(), signing));
        }
        return out;
    }

    private record Body(String what, String contentType, byte[] bytes) {}

    private Body slackBody() {
        var type = g.chance(0.8) ? HostileService.FORM : g.pick(List.of("application/json", "text/plain",
                "multipart/form-data; boundary=xyz", "application/x-www-form-urlencoded; charset=ISO-8859-1",
                "application/xml", "application/octet-stream", g.token(10)));
        return switch (g.random.nextInt(10)) {
            case 0, 1, 2 -> new Body("payload=<interaction>", type, utf8(Garbage.form(List.<String[]>of(new String[] {
                    "payload", g.slackPayload(responseUrl(), triggerId()).toString()}))));
            case 3 -> new Body("payload=<random JSON>", type, utf8(Garbage.form(List.<String[]>of(new String[] {
                    "payload", g.chance(0.8) ? g.json(4).toString() : g.text()}))));
            case 4, 5 -> new Body("slash command", type, utf8(slashCommand()));
            case 6 -> new Body("Events API JSON", g.chance(0.8) ? "application/json" : type, utf8(eventsApi()));
            case 7 -> new Body("broken %-escapes", type, utf8(g.brokenEscapes()));
            case 8 -> new Body("invalid UTF-8", type, g.invalidUtf8(g.chance(0.5) ? slashCommand()
                    : "payload=" + Garbage.encode(g.slackPayload(responseUrl(), triggerId()).toString())));
            default -> g.chance(0.5) ? new Body("random bytes", type, g.bytes(g.between(0, 4096)))
                    : new Body("deeply nested JSON", type, utf8("payload=" + "%5B".repeat(g.between(1_000, 50_000))));
        };
    }

    private String slashCommand() {
        var fields = new ArrayList<String[]>();
        fields.add(new String[] {"token", g.chance(0.8) ? "deprecated-verification-token" : g.text()});
        fields.add(new String[] {"team_id", g.chance(0.8) ? "T0COUNTER" : g.text()});
        fields.add(new String[] {"channel_id", g.chance(0.7) ? HostileService.OPS : g.text()});
        fields.add(new String[] {"user_id", g.stranger()});
        fields.add(new String[] {"user_name", g.text()});
        fields.add(new String[] {"command", g.chance(0.85) ? "/emergency" : g.pick(List.of("/other", "", "emergency", g.text()))});
        fields.add(new String[] {"text", g.chance(0.03) ? g.huge(g.between(100_000, 500_000)) : g.pick(List.of("",
                "help", "list", "status " + g.text(), "status EMG-1", "cancel EMG-1", "cancel " + g.text(),
                "availability " + g.text(), "security " + g.text(), "abuse", g.text(), g.huge(g.between(200, 5_000))))});
        fields.add(new String[] {"response_url", responseUrl()});
        fields.add(new String[] {"trigger_id", triggerId()});
        fields.add(new String[] {"api_app_id", "A0COUNTER"});
        // Leave out, repeat or add fields at random.
        for (int i = g.between(0, 3); i > 0 && !fields.isEmpty(); i--) fields.remove(g.random.nextInt(fields.size()));
        for (int i = g.between(0, 2); i > 0; i--) fields.add(new String[] {g.chance(0.5) ? "user_id" : g.text(), g.text()});
        return Garbage.form(fields);
    }

    private String eventsApi() {
        var json = Garbage.JSON.createObjectNode();
        switch (g.random.nextInt(4)) {
            case 0 -> json.put("type", "url_verification").put("token", g.text()).set("challenge", g.maybeWrong(g.text()));
            case 1 -> {
                json.put("type", "event_callback").put("team_id", "T0COUNTER").put("api_app_id", "A0COUNTER");
                var event = json.putObject("event");
                event.set("type", g.maybeWrong(g.pick(List.of("app_mention", "message", "app_home_opened",
                        "member_joined_channel", g.text()))));
                event.set("user", g.maybeWrong(g.stranger()));
                event.set("text", g.maybeWrong(g.text()));
                event.set("channel", g.maybeWrong(HostileService.OPS));
            }
            case 2 -> json.set("type", g.json(1));
            default -> {
                return g.chance(0.5) ? g.json(4).toString() : g.text();
            }
        }
        return json.toString();
    }

    private String responseUrl() {
        return g.pick(List.of(countersign.slack.newResponseUrl(), countersign.slack.newResponseUrl(),
                "http://127.0.0.1:1/nowhere", "not a url", "", "ftp://127.0.0.1/x"));
    }

    private String triggerId() {
        return g.chance(0.6) ? countersign.slack.newTriggerId() : g.text();
    }

    // ---- POST /webhooks/deploy -------------------------------------------------------------------------------

    private List<Input> webhookSigned(int n) {
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            var body = webhookBody();
            out.add(Input.http("POST /webhooks/deploy (signed)", body.what(), "POST", "/webhooks/deploy",
                    webhookHeaders(body.contentType()), body.bytes(), Signing.WEBHOOK));
        }
        return out;
    }

    private List<Input> webhookUnsigned(int n) {
        var out = new ArrayList<Input>();
        var signings = List.of(Signing.NONE, Signing.WEBHOOK_STALE, Signing.WEBHOOK_OTHER_SECRET);
        for (int i = 0; i < n; i++) {
            var body = webhookBody();
            var headers = webhookHeaders(body.contentType());
            var signing = g.pick(signings);
            if (signing == Signing.NONE) {
                if (g.chance(0.6)) headers.put("Countersign-Timestamp", g.pick(List.of("", "x", "-9223372036854775808",
                        "9223372036854775807", "99999999999999999999", String.valueOf(Instant.now().getEpochSecond()))));
                if (g.chance(0.6)) headers.put("Countersign-Signature", g.pick(List.of("", "v1=", "v1=zz", "v0=00",
                        "v1=" + HexFormat.of().formatHex(g.bytes(32)), "v1=a,v1=b,,,", g.token(80))));
            }
            out.add(Input.http("POST /webhooks/deploy (unsigned)", signing + " " + body.what(), "POST",
                    "/webhooks/deploy", headers, body.bytes(), signing));
        }
        return out;
    }

    private Body webhookBody() {
        var type = g.chance(0.8) ? "application/json" : g.pick(List.of("text/plain", HostileService.FORM, g.token(8)));
        return switch (g.random.nextInt(8)) {
            case 0, 1, 2 -> {
                var json = Garbage.JSON.createObjectNode();
                if (g.chance(0.9)) json.set("request", g.maybeWrong(g.pick(List.of("EMG-1", "emg-1", "1", "EMG-0",
                        "EMG-2", "EMG-999999999999999999", "EMG-99999999999999999999", g.text()))));
                if (g.chance(0.9)) json.set("status", g.maybeWrong(g.pick(List.of("started", "succeeded", "failed",
                        "rolled_back", "rolled-back", "ROLLED_BACK", "deployed", g.text()))));
                if (g.chance(0.5)) json.set("url", g.maybeWrong(g.chance(0.2) ? g.huge(g.between(1_000, 100_000)) : g.text()));
                if (g.chance(0.5)) json.set("note", g.maybeWrong(g.chance(0.2) ? g.huge(g.between(1_000, 100_000)) : g.text()));
                for (int i = g.between(0, 2); i > 0; i--) json.set(g.text(), g.json(2));
                yield new Body("report-shaped JSON", type, utf8(json.toString()));
            }
            case 3 -> new Body("random JSON", type, utf8(g.json(5).toString()));
            case 4 -> new Body("invalid UTF-8", type, g.invalidUtf8("{\"request\":\"EMG-1\",\"status\":\"" + g.text() + "\"}"));
            case 5 -> new Body("deeply nested JSON", type, utf8("[".repeat(g.between(1_000, 100_000))));
            case 6 -> new Body("random bytes", type, g.bytes(g.between(0, 4096)));
            default -> new Body("text", type, utf8(g.text()));
        };
    }

    private Map<String, String> webhookHeaders(String contentType) {
        var headers = headers("Content-Type", contentType);
        if (g.chance(0.85)) headers.put("Countersign-Delivery", g.pick(List.of(g.token(g.between(1, 40)),
                g.token(g.between(1, 40)), "", " ", g.token(201), g.token(2_000), "EMG-1")));
        if (g.chance(0.3)) headers.put("Countersign-Event", g.token(g.between(1, 30)));
        return headers;
    }

    // ---- POST /webhooks/github -------------------------------------------------------------------------------

    private List<Input> githubSigned(int n) {
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            var body = githubBody();
            out.add(Input.http("POST /webhooks/github (signed)", body.what(), "POST", "/webhooks/github",
                    githubHeaders(body.contentType()), body.bytes(), Signing.GITHUB));
        }
        return out;
    }

    private List<Input> githubUnsigned(int n) {
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            var body = githubBody();
            var headers = githubHeaders(body.contentType());
            var signing = g.chance(0.5) ? Signing.GITHUB_OTHER_SECRET : Signing.NONE;
            if (signing == Signing.NONE && g.chance(0.7)) headers.put("X-Hub-Signature-256", g.pick(List.of("", "sha256=",
                    "sha256=zz", "sha1=" + HexFormat.of().formatHex(g.bytes(20)), "sha256=" + HexFormat.of().formatHex(g.bytes(32)),
                    "SHA256=" + HexFormat.of().formatHex(g.bytes(32)), g.token(80))));
            out.add(Input.http("POST /webhooks/github (unsigned)", signing + " " + body.what(), "POST",
                    "/webhooks/github", headers, body.bytes(), signing));
        }
        return out;
    }

    private Map<String, String> githubHeaders(String contentType) {
        var headers = headers("Content-Type", contentType);
        if (g.chance(0.95)) headers.put("X-GitHub-Event", g.chance(0.75) ? "deployment_protection_rule"
                : g.pick(List.of("ping", "push", "", " ", g.token(30))));
        if (g.chance(0.9)) headers.put("X-GitHub-Delivery", g.pick(List.of(java.util.UUID.randomUUID().toString(),
                java.util.UUID.randomUUID().toString(), "", " ", g.token(101), g.token(2_000))));
        return headers;
    }

    /** GitHub's requested payload with parts wrong; its callback is never on GITHUB_API_URL, so nothing may open. */
    private Body githubBody() {
        var type = g.chance(0.9) ? "application/json" : g.pick(List.of("application/x-www-form-urlencoded", g.token(8)));
        return switch (g.random.nextInt(8)) {
            case 0, 1, 2, 3 -> {
                com.fasterxml.jackson.databind.node.ObjectNode json;
                try (var in = getClass().getResourceAsStream("/github/deployment_protection_rule.requested.json")) {
                    json = (com.fasterxml.jackson.databind.node.ObjectNode) Garbage.JSON.readTree(in);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                var deployment = (com.fasterxml.jackson.databind.node.ObjectNode) json.get("deployment");
                var repository = (com.fasterxml.jackson.databind.node.ObjectNode) json.get("repository");
                if (g.chance(0.3)) json.set("action", g.maybeWrong(g.pick(List.of("requested", "approved", g.text()))));
                if (g.chance(0.4)) json.set("environment", g.maybeWrong(g.pick(List.of("production", "", g.huge(300),
                        "prod\u0000uction", g.text()))));
                if (g.chance(0.4)) deployment.set("sha", g.maybeWrong(g.pick(List.of(HexFormat.of().formatHex(g.bytes(20)),
                        "3F786850E387550FDAB836ED7E6DC881DE23001B", "3f78685", g.text()))));
                if (g.chance(0.3)) deployment.set("ref", g.maybeWrong(g.chance(0.2) ? g.huge(1_000) : g.text()));
                if (g.chance(0.3)) repository.set("full_name", g.maybeWrong(g.pick(List.of("octo-org/payments", "../..",
                        "a/b/c", g.text()))));
                if (g.chance(0.3)) repository.set("html_url", g.maybeWrong(g.pick(List.of("javascript:alert(1)",
                        "https://github.com/octo-org/payments\"><x>", g.huge(400), g.text()))));
                if (g.chance(0.3)) json.set("installation", g.chance(0.5) ? g.json(2)
                        : Garbage.JSON.createObjectNode().set("id", g.maybeWrong(g.pick(List.of("0", "-1",
                        "99999999999999999999999", g.text())))));
                if (g.chance(0.5)) json.set("deployment_callback_url", g.maybeWrong(g.pick(List.of(
                        "https://api.github.com/repos/octo-org/payments/actions/runs/1/deployment_protection_rule",
                        "http://127.0.0.1:9@evil.example.org/repos/octo-org/payments/actions/runs/1/deployment_protection_rule",
                        "http://127.0.0.1:9/repos/octo-org/payments/actions/runs/1/deployment_protection_rule?x=1",
                        "http://127.0.0.1:9/repos/octo-org/payments/actions/runs/1/deployment_protection_rule/../../../app",
                        "http://127.0.0.1:9/repos/octo-org/other/actions/runs/1/deployment_protection_rule",
                        "http://127.0.0.1:9/repos/octo-org/payments/actions/runs/99999999999999999999/deployment_protection_rule",
                        "http://127.0.0.1:9/repos/octo-org/payments/actions/runs/9999999999999999999/deployment_protection_rule",
                        "file:///etc/passwd", "http://[::1", g.huge(5_000), g.text()))));
                else json.put("deployment_callback_url", "https://api.github.com/repos/octo-org/payments/actions/runs/1/"
                        + "deployment_protection_rule");
                for (int i = g.between(0, 2); i > 0; i--) json.set(g.text(), g.json(2));
                yield new Body("protection-rule-shaped JSON", type, utf8(json.toString()));
            }
            case 4 -> new Body("random JSON", type, utf8(g.json(5).toString()));
            case 5 -> new Body("deeply nested JSON", type, utf8("{\"a\":".repeat(g.between(1_000, 50_000))));
            case 6 -> new Body("invalid UTF-8", type, g.invalidUtf8("{\"action\":\"requested\",\"environment\":\"" + g.text() + "\"}"));
            default -> new Body("random bytes", type, g.bytes(g.between(0, 4096)));
        };
    }

    // ---- GET /api/requests, GET /api/requests/{id} -----------------------------------------------------------

    private List<Input> apiList(int n) {
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            var query = new ArrayList<String>();
            for (int k = g.between(0, 4); k > 0; k--) {
                var name = g.pick(List.of("state", "state", "limit", "limit", "STATE", g.token(5)));
                var value = g.pick(List.of("PENDING", "pending,approved", "PENDING,,APPROVED", ",", "CLOSED,NOPE",
                        "-1", "0", "1", "500", "501", "99999999999", "1e3", " 5", "0x10", g.token(g.between(1, 30)),
                        Garbage.encode(g.text()), "%zz", "%", "%00", "%E0%A4%A", g.token(3_000)));
                query.add(name + (g.chance(0.9) ? "=" + value : ""));
            }
            var target = "/api/requests" + (query.isEmpty() ? "" : "?" + String.join("&", query));
            out.add(Input.raw("GET /api/requests?…", target, get(g.chance(0.9) ? "GET" : "HEAD", target)));
        }
        return out;
    }

    private List<Input> apiOne(int n) {
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            var id = g.pick(List.of("EMG-1", "emg-1", "1", "EMG-0", "EMG-" + g.random.nextLong(),
                    "EMG-" + "9".repeat(g.between(17, 40)), "EMG-1%00", "%2e%2e", "..", "EMG-1%2Ftimeline",
                    "EMG-1/timeline", "%zz", "%", g.token(g.between(1, 60)), Garbage.encode(g.text()),
                    Garbage.encode(g.unicode(g.between(1, 20))), "EMG-1;x=y", "EMG-%31", g.token(9_000)));
            var target = "/api/requests/" + id;
            out.add(Input.raw("GET /api/requests/{id}", target, get(g.chance(0.9) ? "GET" : "HEAD", target)));
        }
        return out;
    }

    private List<Input> apiReceipt(int n) {
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            var id = g.pick(List.of(pending.toString(), approved.toString(), approved.toString().toLowerCase(),
                    String.valueOf(approved.number()), "EMG-0", "EMG-" + g.random.nextLong(), "EMG-" + "9".repeat(g.between(17, 40)),
                    "EMG-2%00", "%2e%2e", "..", "%zz", "%", g.token(g.between(1, 60)), Garbage.encode(g.text()),
                    Garbage.encode(g.unicode(g.between(1, 20))), "EMG-2;x=y", "EMG-%32", g.token(9_000)));
            var suffix = g.pick(List.of("", "", "", "?" + g.token(g.between(1, 40)), "/", "/x", "%00", "?format=" + g.text()));
            var target = "/api/requests/" + id + "/receipt" + suffix;
            out.add(Input.raw("GET /api/requests/{id}/receipt", target,
                    get(g.pick(List.of("GET", "GET", "GET", "HEAD", "POST", "DELETE")), target)));
        }
        return out;
    }

    private List<Input> receiptKeys(int n) {
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            var suffix = g.pick(List.of("", "", "?" + g.token(g.between(1, 40)), "/", "/" + g.token(8), "%00", "/..%2f..",
                    "?kid=" + Garbage.encode(g.text()), "s", ".json"));
            var target = "/.well-known/countersign/keys" + suffix;
            out.add(Input.raw("GET /.well-known/countersign/keys", target,
                    get(g.pick(List.of("GET", "GET", "HEAD", "POST", "PUT", "OPTIONS")), target)));
        }
        return out;
    }

    private List<Input> audit(int n) {
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            var since = g.pick(List.of("", "2026-01-01", "2026-13-45", "2026-01-01T00:00:00Z", "2026-01-01T25:00:00+01:00",
                    "-999999999-01-01", "+999999999-12-31", "yesterday", "%zz", "%", Garbage.encode(g.text()),
                    Garbage.encode(g.unicode(g.between(1, 20))), g.token(g.between(1, 9_000)), "1e9", "0"));
            var query = g.pick(List.of("", "?since=" + since, "?since=" + since + "&since=" + since, "?" + g.token(20),
                    "/", "/x", "%00"));
            var target = "/api/audit" + query;
            out.add(Input.raw("GET /api/audit", target,
                    get(g.pick(List.of("GET", "GET", "GET", "HEAD", "POST", "DELETE")), target)));
        }
        return out;
    }

    private List<Input> windows(int n) {
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            var suffix = g.pick(List.of("", "", "?at=" + Garbage.encode(g.text()), "?" + g.token(g.between(1, 9_000)),
                    "/", "/" + g.token(8), "%00", "/..%2f..", ".json", "?tz=" + Garbage.encode(g.unicode(g.between(1, 20)))));
            var target = "/api/windows" + suffix;
            out.add(Input.raw("GET /api/windows", target,
                    get(g.pick(List.of("GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS")), target)));
        }
        return out;
    }

    // ---- break-glass, review and reviews: typed in Slack, posted to the actions API, GET /api/reviews ------------

    /**
     * Signed slash commands of the break-glass and review verbs: by strangers with any reason, and by alice (U0SRE1,
     * whom the example policy lets break the glass) with reasons too short, so each one is refused.
     */
    private List<Input> aftercareCommands(int n) {
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            boolean alice = g.chance(0.3);
            var shortText = g.text();
            shortText = shortText.substring(0, Math.min(shortText.length(), 39));
            var text = alice ? g.pick(List.of("break-glass EMG-1 " + shortText, "break-glass EMG-1", "break-glass " + g.text(),
                    "review EMG-1 " + g.text(), "review EMG-2 T1", "reviews", "reviews " + g.text()))
                    : g.pick(List.of("break-glass EMG-1 " + g.text(), "break-glass EMG-1 " + g.huge(g.between(40, 5_000)),
                    "break-glass EMG-2 " + g.text(), "break-glass", "break-glass " + g.text(), "review EMG-1 " + g.text(),
                    "review EMG-2 " + g.pick(List.of("T1", "https://x.example/1", g.text())), "review", "reviews",
                    "reviews " + g.text(), "BREAK-GLASS EMG-1 " + g.huge(g.between(40, 500))));
            var body = utf8(Garbage.form(List.of(new String[] {"token", "deprecated-verification-token"},
                    new String[] {"team_id", "T0COUNTER"}, new String[] {"channel_id", g.chance(0.8) ? HostileService.OPS : g.text()},
                    new String[] {"user_id", alice ? "U0SRE1" : g.stranger()}, new String[] {"user_name", g.text()},
                    new String[] {"command", "/emergency"}, new String[] {"text", text},
                    new String[] {"response_url", responseUrl()}, new String[] {"trigger_id", triggerId()},
                    new String[] {"api_app_id", "A0COUNTER"})));
            out.add(Input.http("POST /slack/events (break-glass, review)", alice ? "alice, reason too short" : "a stranger",
                    "POST", "/slack/events", headers("Content-Type", HostileService.FORM), body, Signing.SLACK));
        }
        return out;
    }

    /** break_glass and review through the actions API, as a pipeline's token (which names no person) or a wrong one. */
    private List<Input> aftercareActions(int n) {
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            var id = g.chance(0.8) ? g.pick(List.of(pending.toString(), approved.toString()))
                    : g.pick(List.of("EMG-0", "%zz", g.token(g.between(1, 60)), Garbage.encode(g.text())));
            var headers = headers("Content-Type", g.chance(0.9) ? "application/json" : g.token(8));
            if (g.chance(0.9)) headers.put("Authorization", "Bearer " + (g.chance(0.8) ? HostileService.API_TOKEN
                    : g.token(g.between(0, 80))));
            var json = Garbage.JSON.createObjectNode();
            json.set("action", g.maybeWrong(g.pick(List.of("break_glass", "review", "BREAK_GLASS", "break-glass"))));
            if (g.chance(0.8)) json.set(g.pick(List.of("reason", "note", "follow_up", "followUp")),
                    g.maybeWrong(g.chance(0.3) ? g.huge(g.between(40, 40_000)) : g.text()));
            out.add(Input.http("POST /api/requests/{id}/actions (break_glass, review)", "action-shaped JSON", "POST",
                    "/api/requests/" + id + "/actions", headers, utf8(json.toString()), Signing.NONE));
        }
        return out;
    }

    private List<Input> apiReviews(int n) {
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            var suffix = g.pick(List.of("", "", "?" + g.token(g.between(1, 40)), "?limit=" + Garbage.encode(g.text()),
                    "/", "/x", "/" + Garbage.encode(g.unicode(g.between(1, 20))), "%zz", ";x=y", "?" + g.token(9_000)));
            var target = "/api/reviews" + suffix;
            out.add(Input.raw("GET /api/reviews", target,
                    get(g.pick(List.of("GET", "GET", "GET", "HEAD", "POST", "DELETE")), target)));
        }
        return out;
    }

    // ---- POST /api/requests/{id}/actions, as a pipeline's API token (which may not approve) or a wrong one ------

    // ---- POST /api/requests, as a pipeline opening its own request, or with a wrong token ----------------------

    private List<Input> apiOpen(int n) {
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            var headers = headers("Content-Type", g.chance(0.85) ? "application/json"
                    : g.pick(List.of("text/plain", HostileService.FORM, g.token(8))));
            if (g.chance(0.8)) headers.put("Authorization", "Bearer " + (g.chance(0.5) ? HostileService.API_TOKEN
                    : g.token(g.between(0, 80))));
            Body body = switch (g.random.nextInt(5)) {
                case 0, 1, 2 -> {
                    var json = Garbage.JSON.createObjectNode();
                    // Never a complete, valid draft: the fuzz must store nothing.
                    json.set("reason", g.maybeWrong(g.pick(List.of("nonsense", "", g.text()))));
                    if (g.chance(0.7)) json.set("summary", g.maybeWrong(g.chance(0.2) ? g.huge(g.between(1_000, 40_000)) : g.text()));
                    if (g.chance(0.7)) {
                        var changes = json.putArray("changes");
                        for (int c = g.between(0, 12); c > 0; c--) changes.add(g.maybeWrong(g.text()));
                    }
                    if (g.chance(0.6)) json.set("rollback", g.chance(0.7) ? Garbage.JSON.getNodeFactory().booleanNode(g.chance(0.5))
                    : g.maybeWrong(g.text()));
                    if (g.chance(0.4)) json.set("why_not_rollback", g.maybeWrong(g.text()));
                    yield new Body("draft-shaped JSON", "", utf8(json.toString()));
                }
                case 3 -> new Body("random JSON", "", utf8(g.json(5).toString()));
                default -> new Body("random bytes", "", g.bytes(g.between(0, 4096)));
            };
            out.add(Input.http("POST /api/requests", body.what(), "POST", "/api/requests", headers, body.bytes(),
                    Signing.NONE));
        }
        return out;
    }

    private List<Input> apiActions(int n) {
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            // No %00 here: Jetty answers such a request line 400 before the body is read, and a client still sending a
            // body can then see a reset instead (paths like it are fuzzed with GET above).
            var id = g.chance(0.7) ? pending.toString() : g.pick(List.of("EMG-0", "emg-1", "%zz", "EMG-",
                    g.token(g.between(1, 60)), Garbage.encode(g.text())));
            var headers = headers("Content-Type", g.chance(0.85) ? "application/json"
                    : g.pick(List.of("text/plain", HostileService.FORM, g.token(8))));
            if (g.chance(0.8)) headers.put("Authorization", "Bearer " + (g.chance(0.7) ? HostileService.API_TOKEN
                    : g.token(g.between(0, 80))));
            Body body = switch (g.random.nextInt(5)) {
                case 0, 1, 2 -> {
                    var json = Garbage.JSON.createObjectNode();
                    if (g.chance(0.9)) json.set("action", g.maybeWrong(g.pick(List.of("approve", "reject", "cancel",
                            "deploy_started", "deployed", "rolled_back", "failed", "close", "withdraw", "edit", "edit",
                            "APPROVE", g.text()))));
                    if (g.chance(0.4)) json.set("changes", g.chance(0.5) ? g.json(2) : g.maybeWrong(g.chance(0.2)
                            ? g.huge(g.between(1_000, 40_000)) : g.text()));
                    if (g.chance(0.6)) json.set("team", g.maybeWrong(g.pick(List.of("sre", "releng", "security", g.text()))));
                    if (g.chance(0.5)) json.set(g.pick(List.of("note", "reason")),
                            g.maybeWrong(g.chance(0.2) ? g.huge(g.between(1_000, 40_000)) : g.text()));
                    yield new Body("action-shaped JSON", "", utf8(json.toString()));
                }
                case 3 -> new Body("random JSON", "", utf8(g.json(5).toString()));
                default -> new Body("random bytes", "", g.bytes(g.between(0, 4096)));
            };
            out.add(Input.http("POST /api/requests/{id}/actions", body.what(), "POST", "/api/requests/" + id + "/actions",
                    headers, body.bytes(), Signing.NONE));
        }
        return out;
    }

    private List<Input> deadLetters(int n) {
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            var value = g.pick(List.of("-1", "0", "1", "1000", "1001", "99999999999999999999", "1e3", "%zz", "%",
                    g.token(g.between(1, 30)), Garbage.encode(g.text())));
            var target = "/api/webhooks/dead-letters" + (g.chance(0.9) ? "?" + g.pick(List.of("limit", "LIMIT", g.token(4)))
                    + "=" + value : "");
            out.add(Input.raw("GET /api/webhooks/dead-letters?…", target, get(g.chance(0.9) ? "GET" : "HEAD", target)));
        }
        return out;
    }

    // ---- the console and the dashboard, signed in (this run's token) and not ----------------------------------

    /**
     * Every page and partial of the dashboard and the console, and the console's POSTs with garbage bodies, made-up
     * people and ids: signed in (the start-up token) and not, with the page's token pair and without.
     */
    private List<Input> consoleAndDashboard(int n) {
        var out = new ArrayList<Input>();
        var ids = List.of(pending.toString(), approved.toString(), "EMG-3", "EMG-0", "emg-1", "%zz", "%", "..",
                "EMG-" + "9".repeat(30), Garbage.encode(g.text()), g.token(g.between(1, 60)));
        for (int i = 0; i < n; i++) {
            var id = g.pick(ids);
            var query = g.pick(List.of("", "", "?as=" + g.pick(List.of("alice", "dev", "", "nobody", "%zz",
                    Garbage.encode(g.text()))), "?" + g.token(g.between(1, 40)), "?state=" + Garbage.encode(g.text())));
            var signedIn = g.chance(0.5) ? authorization() : "";
            if (g.chance(0.6)) {
                var path = g.pick(List.of("/", "/partials/dashboard", "/requests/" + id, "/partials/requests/" + id,
                        "/console", "/console/cards", "/console/cards/" + id, "/assets/" + g.pick(List.of("app.css",
                        "console.js", "favicon.svg", "..%2fapp.css", g.token(8)))));
                out.add(Input.raw("GET console and dashboard", path, g.pick(List.of("GET", "GET", "HEAD")) + " " + path
                        + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + signedIn + "Connection: close\r\n\r\n"));
                continue;
            }
            var path = g.pick(List.of("/console/command", "/console/requests", "/console/requests/" + id + "/actions"));
            var as = g.pick(List.of("\"nobody\"", "\"\"", "null", "1", "\"" + g.token(8) + "\"", "[\"alice\"]"));
            var body = g.pick(List.of("{\"as\":" + as + ",\"text\":\"/emergency " + g.token(g.between(0, 20)) + "\"}",
                    "{\"as\":" + as + ",\"action\":\"" + g.pick(List.of("approve", "reject", "close", "deployed", g.token(5)))
                            + "\",\"team\":\"" + g.token(4) + "\",\"note\":\"" + g.token(10) + "\"}",
                    "{\"as\":" + as + ",\"reason\":\"" + g.token(6) + "\",\"summary\":\"" + g.token(20) + "\"}",
                    "[]", "{", "null", g.token(g.between(0, 200)), "{\"a\":".repeat(g.between(1, 5_000))));
            var csrf = g.token(64);
            var pair = g.chance(0.7) ? "Cookie: " + "countersign_console=" + csrf + "\r\nX-Countersign-Csrf: "
                    + (g.chance(0.9) ? csrf : g.token(64)) + "\r\n" : "";
            var bytes = body.getBytes(StandardCharsets.UTF_8);
            out.add(Input.raw("POST console", path, "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + signedIn + pair
                    + "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n"
                    + body));
        }
        return out;
    }

    // ---- everything else -------------------------------------------------------------------------------------

    private List<Input> randomRoutes(int n) {
        var segments = List.of("api", "requests", "slack", "events", "webhooks", "deploy", "github", "console", "dashboard",
                "metrics", "healthz", "readyz", "..", "%2e%2e", "%00", ";jsessionid=x", "", "EMG-1", "favicon.ico",
                "WEB-INF", "index.html", "%zz", "~", "*", "signin", "signout", "assets", ".well-known", "partials",
                "%2F", "%2f", "\\", "API", "%61pi", ".", "app.css");
        var methods = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND",
                "FOO", "get", "CONNECT");
        var out = new ArrayList<Input>();
        for (int i = 0; i < n; i++) {
            var path = new StringBuilder();
            for (int k = g.between(1, 5); k > 0; k--) path.append('/').append(g.chance(0.8) ? g.pick(segments) : g.token(g.between(1, 12)));
            if (g.chance(0.3)) path.append('?').append(g.token(g.between(1, 40)));
            else if (g.chance(0.1)) path.append("?token=").append(g.pick(List.of(g.token(64), "", "%00", g.token(3_000))));
            var method = g.pick(methods);
            var body = g.chance(0.4) ? g.text() : "";
            var host = g.chance(0.8) ? "127.0.0.1" : g.pick(List.of("localhost:7000", "[::1]", "evil.example", "",
                    "127.0.0.1.nip.io", "localhost.", g.token(g.between(1, 40)), "[::1", "a b", "127.0.0.1:99999"));
            var request = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
                    + (g.chance(0.5) ? authorization() : "") + "Connection: close\r\n"
                    + (body.isEmpty() ? "" : "Content-Type: " + g.pick(List.of("application/json", HostileService.FORM, "text/plain"))
                    + "\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n") + "\r\n" + body;
            out.add(Input.raw("random paths and methods", method + " " + path, request));
        }
        // Sign-in with garbage for a token and where to go next.
        for (int i = 0; i < n / 10; i++) {
            var body = "token=" + Garbage.encode(g.text()) + "&next=" + Garbage.encode(g.pick(List.of("//evil.example",
                    "https://evil.example", "/\\evil.example", g.text(), "/requests/EMG-1")));
            out.add(Input.raw("random paths and methods", "POST /signin (garbage)", "POST /signin HTTP/1.1\r\nHost: "
                    + "127.0.0.1\r\nConnection: close\r\nContent-Type: " + HostileService.FORM + "\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body));
        }
        // The real routes with the wrong methods.
        for (var route : List.of("PUT /slack/events", "GET /slack/events", "GET /webhooks/deploy", "DELETE /webhooks/deploy",
                "POST /api/requests", "DELETE /api/requests/EMG-1", "PATCH /api/requests/EMG-1", "POST /metrics",
                "POST /healthz", "PUT /readyz"))
            out.add(Input.raw("random paths and methods", route, get(route.split(" ")[0], route.split(" ")[1])));
        return out;
    }

    /** Bytes that are not a valid HTTP request, or barely one. */
    private List<Input> notHttp(int n) {
        var fixed = List.of("GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\nHost: x\r\n\r\n", "GET /\r\n\r\n",
                "GET /api/requests HTTP/1.1\r\n\r\n", "GET /api/requests HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
                "GET /api/requests HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n",
                "POST /webhooks/deploy HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}",
                "POST /webhooks/deploy HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{}",
                "POST /slack/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
                "POST /slack/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                "GET /api/requests/\u0000 HTTP/1.1\r\nHost: x\r\n\r\n", "GET http://evil.example/api/requests HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /api/requests HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
                "\r\n\r\n\r\n", "GET " + "/a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        var out = new ArrayList<Input>();
        for (var request : fixed) out.add(Input.raw("malformed HTTP", excerpt(request), request));
        for (int i = out.size(); i < n; i++) {
            if (g.chance(0.5)) out.add(Input.raw("malformed HTTP", "random bytes", g.bytes(g.between(1, 2_000))));
            else out.add(Input.raw("malformed HTTP", "random request line",
                    g.token(g.between(1, 8)) + " /" + g.token(g.between(0, 30)) + " " + g.token(g.between(1, 10)) + "\r\n"
                            + g.token(g.between(1, 10)) + ": " + g.text().replaceAll("[\r\n]", "") + "\r\n\r\n"));
        }
        return out;
    }

    /** More than the 1 MB a request may have, and bodies that claim an encoding they do not have. */
    private List<Input> oversized() {
        var out = new ArrayList<Input>();
        for (int i = 0; i < 15; i++) {
            var huge = utf8("command=%2Femergency&user_id=U9X1&text=" + Garbage.encode(g.huge(MB + g.between(1, MB / 2))));
            out.add(Input.http("POST /slack/events (signed)", "over 1 MB", "POST", "/slack/events",
                    headers("Content-Type", HostileService.FORM), huge, Signing.SLACK));
            out.add(Input.http("POST /slack/events (unsigned)", "over 1 MB", "POST", "/slack/events",
                    headers("Content-Type", HostileService.FORM), huge, Signing.NONE));
            var json = utf8("{\"request\":\"EMG-1\",\"status\":\"started\",\"note\":\"" + "x".repeat(MB + g.between(1, MB)) + "\"}");
            out.add(Input.http("POST /webhooks/deploy (signed)", "over 1 MB", "POST", "/webhooks/deploy",
                    webhookHeaders("application/json"), json, Signing.WEBHOOK));
            out.add(Input.http("POST /webhooks/deploy (unsigned)", "over 1 MB", "POST", "/webhooks/deploy",
                    webhookHeaders("application/json"), json, Signing.NONE));
            out.add(Input.http("random paths and methods", "POST /api/requests over 1 MB", "POST", "/api/requests",
                    headers("Content-Type", "application/json"), json, Signing.NONE));
        }
        for (var encoding : List.of("gzip", "deflate", "br", "gzip, gzip", "identity, gzip")) {
            for (int i = 0; i < 4; i++) {
                var form = slashCommand();
                var claimed = headers("Content-Type", HostileService.FORM);
                claimed.put("Content-Encoding", encoding);
                out.add(Input.http("POST /slack/events (signed)", "claims " + encoding + ", is not", "POST",
                        "/slack/events", claimed, utf8(form), Signing.SLACK));
                var report = webhookHeaders("application/json");
                report.put("Content-Encoding", encoding);
                out.add(Input.http("POST /webhooks/deploy (signed)", "claims " + encoding + ", is not", "POST",
                        "/webhooks/deploy", report, utf8("{\"request\":\"EMG-1\",\"status\":\"failed\"}"), Signing.WEBHOOK));
            }
        }
        // Really gzipped, and a gzip bomb: 20 MB of zeros in 20 KB.
        var zipped = headers("Content-Type", "application/json");
        zipped.put("Content-Encoding", "gzip");
        out.add(Input.http("POST /webhooks/deploy (signed)", "real gzip", "POST", "/webhooks/deploy",
                new LinkedHashMap<>(zipped), gzip(utf8("{\"request\":\"EMG-1\",\"status\":\"failed\"}")), Signing.WEBHOOK));
        out.add(Input.http("POST /webhooks/deploy (signed)", "gzip bomb", "POST", "/webhooks/deploy",
                new LinkedHashMap<>(zipped), gzip(new byte[20 * MB]), Signing.WEBHOOK));
        out.add(Input.http("POST /slack/events (signed)", "gzip bomb", "POST", "/slack/events",
                new LinkedHashMap<>(zipped), gzip(new byte[20 * MB]), Signing.SLACK));
        return out;
    }

    /**
     * Jetty's 505 to a request line whose protocol is not HTTP/1.x (RFC 9110 §15.6.6): the right answer to that
     * input, from the HTTP parser before any handler runs, so it is counted but not a failure.
     */
    static boolean unknownHttpVersion(Input input, Wire.Reply reply) {
        return input.raw() != null && reply.status() == 505
                && (reply.body().contains("Unknown Version") || reply.body().contains("HTTP/0.9 not supported"));
    }

    // ---- sending ---------------------------------------------------------------------------------------------

    private Wire.Reply send(Input input) {
        if (input.raw() != null) return Wire.raw(countersign.service.port(), input.raw());
        var headers = new LinkedHashMap<>(input.headers());
        var now = Instant.now().getEpochSecond();
        var text = new String(input.body(), StandardCharsets.UTF_8); // what the server decodes and verifies
        switch (input.signing()) {
            case NONE -> { }
            case SLACK -> slackSign(headers, HostileService.SIGNING_SECRET, now, text);
            case SLACK_STALE -> slackSign(headers, HostileService.SIGNING_SECRET, now - 6 * 60, text);
            case SLACK_OTHER_SECRET -> slackSign(headers, "another-workspace-secret", now, text);
            case SLACK_TAMPERED -> slackSign(headers, HostileService.SIGNING_SECRET, now, text + "&user_id=U0SRE1");
            case WEBHOOK -> webhookSign(headers, HostileService.INBOUND_SECRET, now, input.body());
            case WEBHOOK_STALE -> webhookSign(headers, HostileService.INBOUND_SECRET, now - 6 * 60, input.body());
            case WEBHOOK_OTHER_SECRET -> webhookSign(headers, "another-secret-of-16-chars", now, input.body());
            case GITHUB -> headers.put("X-Hub-Signature-256", "sha256=" + hmac(HostileService.GITHUB_SECRET, input.body()));
            case GITHUB_OTHER_SECRET -> headers.put("X-Hub-Signature-256", "sha256=" + hmac("another-github-secret", input.body()));
        }
        return Wire.send(countersign.base, input.method(), input.path(), headers, input.body());
    }

    private static void slackSign(Map<String, String> headers, String secret, long timestamp, String body) {
        headers.put("X-Slack-Request-Timestamp", String.valueOf(timestamp));
        headers.put("X-Slack-Signature", "v0=" + hmac(secret, utf8("v0:" + timestamp + ":" + body)));
    }

    private static void webhookSign(Map<String, String> headers, String secret, long timestamp, byte[] body) {
        var signed = new ByteArrayOutputStream();
        signed.writeBytes(utf8(timestamp + "."));
        signed.writeBytes(body);
        headers.put("Countersign-Timestamp", String.valueOf(timestamp));
        headers.put("Countersign-Signature", "v1=" + hmac(secret, signed.toByteArray()));
    }

    static String hmac(String secret, byte[] message) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(utf8(secret), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the work Slack's acks left behind (forms, ephemeral replies) has stopped reaching the fake. */
    private void awaitQuiet() {
        var last = new int[] {-1};
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            int now = countersign.slack.calls().size() + countersign.slack.responseUrlPosts().size();
            boolean quiet = now == last[0];
            last[0] = now;
            return quiet;
        });
    }

    private void printSummary(int sent, Map<String, TreeMap<Integer, Integer>> statuses, int problems,
                              java.util.Set<String> newKeys, java.util.Set<String> lostKeys, boolean pendingIntact,
                              long newRequests, long newEvents) {
        var out = new StringBuilder();
        out.append(String.format("%nHostile input fuzz, seed %d (replay: -Dhostile.seed=%d)%n", SEED, SEED));
        out.append(String.format("%-36s %7s  %s%n", "endpoint", "inputs", "status codes seen"));
        int fiveXx = 0;
        int versions = 0;
        for (var e : statuses.entrySet()) {
            int count = e.getValue().values().stream().mapToInt(Integer::intValue).sum();
            fiveXx += e.getValue().entrySet().stream().filter(s -> s.getKey() >= 500 && s.getKey() != 505)
                    .mapToInt(Map.Entry::getValue).sum();
            versions += e.getValue().getOrDefault(505, 0);
            out.append(String.format("%-36s %7d  %s%n", e.getKey(), count, e.getValue()));
        }
        out.append(String.format("inputs sent: %d; 5xx seen: %d (besides %d × 505 from Jetty's parser for request lines "
                + "that are not HTTP/1.x); failures (5xx, stack traces, class names, no answer): %d%n",
                sent, fiveXx, versions, problems));
        out.append("status -1: the server closed the connection while a body over 1 MB was still being sent (after a 413)\n");
        out.append(String.format("stored by the garbage: %d requests, %d events, keys added %s, keys removed %s; "
                + "the pending request %s%n", newRequests, newEvents, newKeys, lostKeys,
                pendingIntact ? "unchanged (data lost: 0)" : "CHANGED"));
        System.out.print(out);
    }

    private static Map<String, String> headers(String name, String value) {
        var headers = new LinkedHashMap<String, String>();
        headers.put(name, value);
        return headers;
    }

    /** A request with this run's token, so the garbage reaches the parsers behind it, not only the sign-in check. */
    private String get(String method, String target) {
        return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + authorization() + "Connection: close\r\n\r\n";
    }

    private String authorization() {
        return "Authorization: Bearer " + countersign.service.startupToken().orElseThrow() + "\r\n";
    }

    private static byte[] gzip(byte[] bytes) {
        var out = new ByteArrayOutputStream();
        try (var zip = new GZIPOutputStream(out)) {
            zip.write(bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] utf8(String text) { return text.getBytes(StandardCharsets.UTF_8); }

    static String excerpt(String text) {
        var flat = text.replaceAll("\\s+", " ");
        return flat.length() <= 300 ? flat : flat.substring(0, 300) + "…";
    }
}
