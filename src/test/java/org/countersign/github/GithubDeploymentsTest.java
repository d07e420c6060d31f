package org.countersign.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.github.GithubPayloads.INSTALLATION;
import static org.countersign.github.GithubPayloads.REPO;
import static org.countersign.github.GithubPayloads.deliver;
import static org.countersign.github.GithubPayloads.requested;
import static org.countersign.github.GithubPayloads.sha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.domain.Actor;
import org.countersign.domain.Draft;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Outcome;
import org.countersign.domain.Platform;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.countersign.github.fake.FakeGithub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GitHub round trip against the service as Main starts it (the packaged example policy plus a github: section,
 * the console on) and a fake GitHub API: a signed deployment_protection_rule opens a request with its card, the
 * teams decide in the console, and GitHub hears the decision as the App.
 */
class GithubDeploymentsTest {
    static final String APP_ID = "1012345";
    static final String SECRET = "github-webhook-secret-0123456789";
    static final Actor ALICE = new Actor(Platform.CONSOLE, "alice");
    static final Actor CAROL = new Actor(Platform.CONSOLE, "carol");
    static final Actor DEV = new Actor(Platform.CONSOLE, "dev");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;

    static KeyPair keys;
    static FakeGithub github;
    static Main.Running running;

    @BeforeAll
    static void start() throws Exception {
        keys = GithubPayloads.keyPair();
        github = new FakeGithub(APP_ID, (RSAPublicKey) keys.getPublic()).installed(INSTALLATION, REPO);
        var policy = dir.resolve("policy.yml");
        try (var in = Main.class.getResourceAsStream("/policy.example.yml")) {
            Files.writeString(policy, new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    + "\ngithub: { reason: availability, environments: [production, staging] }\n");
        }
        var keyFile = dir.resolve("app.pem");
        Files.writeString(keyFile, GithubPayloads.pkcs1Pem(keys));
        var env = new HashMap<String, String>();
        env.put("DATA_DIR", dir.resolve("data").toString());
        env.put("PORT", String.valueOf(freePort()));
        env.put("POLICY_FILE", policy.toString());
        env.put("GITHUB_APP_ID", APP_ID);
        env.put("GITHUB_APP_PRIVATE_KEY", keyFile.toString());
        env.put("GITHUB_WEBHOOK_SECRET", SECRET);
        env.put("GITHUB_API_URL", github.url());
        running = Main.start(Config.fromEnv(env));
    }

    @AfterAll
    static void stop() {
        if (running != null) running.close();
        if (github != null) github.close();
    }

    @Test
    void a_signed_protection_rule_opens_a_request_with_its_card_and_approval_tells_github_approved() throws Exception {
        var sha = sha();
        var run = 9_000_000_001L;

        var answer = deliver(running.port(), SECRET, "deployment_protection_rule", requested(github.url(), sha, "production", run));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(json(answer).path("linked").asBoolean()).isFalse();
        var id = RequestId.parse(json(answer).path("request").asText()).orElseThrow();
        var request = request(id);
        assertThat(request.summary()).isEqualTo("Deploy " + sha.substring(0, 7) + " of " + REPO + " to production");
        assertThat(request.changes()).containsExactly("https://github.com/" + REPO + "/commit/" + sha);
        assertThat(request.requester()).isEqualTo(new Actor(Platform.WEBHOOK, "github:" + REPO));
        assertThat(request.rollback()).isFalse();
        assertThat(request.whyNotRollback()).startsWith("not known: GitHub");
        var card = get("/console/cards/" + id + "?as=alice");
        assertThat(card).contains("Deploy " + sha.substring(0, 7) + " of " + REPO + " to production")
                .contains("github:" + REPO).contains("/commit/" + sha).contains("not known: GitHub");
        assertThat(github.reviews()).noneMatch(r -> r.runId() == run);

        running.service().approve(id, ALICE, "sre");
        running.service().approve(id, CAROL, "releng");

        var review = reviewOf(run);
        assertThat(review.repo()).isEqualTo(REPO);
        assertThat(review.installation()).isEqualTo(INSTALLATION);
        assertThat(review.environment()).isEqualTo("production");
        assertThat(review.state()).isEqualTo("approved");
        assertThat(review.comment()).contains(id + " was approved in Countersign")
                .contains("SRE (console:alice)").contains("Release Engineering (console:carol)");
        assertThat(github.refusals()).isEmpty();
    }

    @Test
    void a_rejection_tells_github_rejected_with_who_and_why() {
        var run = 9_000_000_002L;
        var id = opened(sha(), "production", run);

        running.service().reject(id, ALICE, "the canary is still red; roll back first");

        var review = reviewOf(run);
        assertThat(review.state()).isEqualTo("rejected");
        assertThat(review.comment()).isEqualTo(id + " was rejected in Countersign by console:alice: the canary is "
                + "still red; roll back first");
    }

    @Test
    void a_cancelled_request_tells_github_rejected() {
        var run = 9_000_000_003L;
        var id = opened(sha(), "staging", run);

        running.service().cancel(id, CAROL, "not needed after all");

        var review = reviewOf(run);
        assertThat(review.state()).isEqualTo("rejected");
        assertThat(review.environment()).isEqualTo("staging");
        assertThat(review.comment()).contains("cancelled in Countersign by console:carol: not needed after all");
    }

    @Test
    void a_bad_or_missing_signature_is_401_and_opens_nothing() {
        var before = running.service().countByState();
        var body = GithubPayloads.bytes(requested(github.url(), sha(), "production", 9_000_000_004L));
        var other = GithubPayloads.signature("another-secret-0123456789abcdef", body);
        var changed = body.clone();
        changed[changed.length - 2] ^= 1;

        var missing = deliver(running.port(), "deployment_protection_rule", UUID.randomUUID().toString(), body, null);
        var wrong = deliver(running.port(), "deployment_protection_rule", UUID.randomUUID().toString(), body, other);
        var tampered = deliver(running.port(), "deployment_protection_rule", UUID.randomUUID().toString(), changed,
                GithubPayloads.signature(SECRET, body));
        var notHex = deliver(running.port(), "deployment_protection_rule", UUID.randomUUID().toString(), body, "sha256=zz");

        for (var answer : List.of(missing, wrong, tampered, notHex)) {
            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(answer.body()).contains("X-Hub-Signature-256").contains("GITHUB_WEBHOOK_SECRET");
        }
        assertThat(running.service().countByState()).isEqualTo(before);
    }

    @Test
    void a_second_run_for_the_same_commit_links_to_the_open_request_and_both_runs_hear_the_decision() {
        var sha = sha();
        var first = opened(sha, "production", 9_000_000_005L);

        var again = deliver(running.port(), SECRET, "deployment_protection_rule", requested(github.url(), sha, "production",
                9_000_000_006L));

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).path("request").asText()).isEqualTo(first.toString());
        assertThat(json(again).path("linked").asBoolean()).isTrue();
        running.service().approve(first, ALICE, "sre");
        running.service().approve(first, CAROL, "releng");
        assertThat(reviewOf(9_000_000_005L).state()).isEqualTo("approved");
        assertThat(reviewOf(9_000_000_006L).state()).isEqualTo("approved");
    }

    @Test
    void five_runs_for_one_commit_delivered_at_once_wait_on_one_request() throws Exception {
        var sha = sha();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(5);
        try {
            var answers = new java.util.ArrayList<java.util.concurrent.Future<HttpResponse<String>>>();
            for (long run = 9_000_000_101L; run <= 9_000_000_105L; run++) {
                var payload = requested(github.url(), sha, "production", run);
                answers.add(pool.submit(() -> deliver(running.port(), SECRET, "deployment_protection_rule", payload)));
            }
            var ids = new java.util.HashSet<String>();
            for (var answer : answers) {
                var response = answer.get();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                ids.add(json(response).path("request").asText());
            }
            assertThat(ids).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void a_request_opened_by_hand_that_lists_the_commit_is_linked_instead_of_a_second_one() {
        var sha = sha();
        var draft = new Draft("availability", "Payments 500s: deploy the fix", null,
                List.of("https://github.com/" + REPO + "/commit/" + sha), null, false, "the bug is a year old", null);
        var byHand = ((Outcome.Applied) running.service().open(DEV, draft)).request().id();

        var answer = deliver(running.port(), SECRET, "deployment_protection_rule", requested(github.url(), sha, "production",
                9_000_000_007L));

        assertThat(json(answer).path("request").asText()).isEqualTo(byHand.toString());
        assertThat(json(answer).path("linked").asBoolean()).isTrue();
    }

    @Test
    void a_run_linked_to_an_already_approved_request_is_told_approved_at_once() {
        var sha = sha();
        var id = opened(sha, "production", 9_000_000_008L);
        running.service().approve(id, ALICE, "sre");
        running.service().approve(id, CAROL, "releng");
        reviewOf(9_000_000_008L);

        var late = deliver(running.port(), SECRET, "deployment_protection_rule", requested(github.url(), sha, "production",
                9_000_000_009L));

        assertThat(json(late).path("state").asText()).isEqualTo("APPROVED");
        assertThat(reviewOf(9_000_000_009L).state()).isEqualTo("approved");
    }

    @Test
    void the_same_delivery_twice_opens_one_request_and_gets_the_first_answer() {
        var body = GithubPayloads.bytes(requested(github.url(), sha(), "production", 9_000_000_010L));
        var delivery = UUID.randomUUID().toString();
        var signature = GithubPayloads.signature(SECRET, body);

        var first = deliver(running.port(), "deployment_protection_rule", delivery, body, signature);
        var redelivered = deliver(running.port(), "deployment_protection_rule", delivery, body, signature);

        assertThat(redelivered.statusCode()).isEqualTo(200);
        assertThat(redelivered.body()).isEqualTo(first.body());
    }

    @Test
    void a_callback_url_on_another_host_is_refused_and_opens_nothing() {
        var before = running.service().countByState();
        var foreign = requested(github.url(), sha(), "production", 9_000_000_011L);
        foreign.put("deployment_callback_url", "https://attacker.example.org/repos/" + REPO
                + "/actions/runs/9000000011/deployment_protection_rule");
        var otherRepo = requested(github.url(), sha(), "production", 9_000_000_012L);
        otherRepo.put("deployment_callback_url", github.url() + "/repos/octo-org/other/actions/runs/9000000012/"
                + "deployment_protection_rule");
        var otherPath = requested(github.url(), sha(), "production", 9_000_000_013L);
        otherPath.put("deployment_callback_url", github.url() + "/app/installations/" + INSTALLATION + "/access_tokens");

        var answers = List.of(deliver(running.port(), SECRET, "deployment_protection_rule", foreign),
                deliver(running.port(), SECRET, "deployment_protection_rule", otherRepo),
                deliver(running.port(), SECRET, "deployment_protection_rule", otherPath));

        for (var answer : answers) {
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(422);
            assertThat(answer.body()).contains("deployment_callback_url");
        }
        assertThat(answers.get(0).body()).contains("is not on " + github.url());
        assertThat(running.service().countByState()).isEqualTo(before);
    }

    @Test
    void github_down_when_the_request_is_decided_is_told_later() {
        var run = 9_000_000_014L;
        var id = opened(sha(), "production", run);
        int calls = github.reviewCalls();
        github.failNext(2);

        running.service().reject(id, ALICE, "wrong commit");

        assertThat(reviewOf(run).state()).isEqualTo("rejected");
        // Two answers of 502 (the token, or the review itself), then the review that was taken.
        assertThat(github.reviewCalls() - calls).isGreaterThanOrEqualTo(2);
    }

    @Test
    void a_ping_is_answered_200_and_other_events_are_acknowledged() {
        var ping = deliver(running.port(), SECRET, "ping", GithubPayloads.resource("ping.json"));
        var push = deliver(running.port(), SECRET, "push", JSON.createObjectNode().put("ref", "refs/heads/main"));

        assertThat(ping.statusCode()).isEqualTo(200);
        assertThat(ping.body()).contains("pong");
        assertThat(push.statusCode()).isEqualTo(200);
        assertThat(push.body()).contains("ignored");
    }

    @Test
    void an_environment_the_policy_does_not_gate_opens_nothing() {
        var before = running.service().countByState();

        var answer = deliver(running.port(), SECRET, "deployment_protection_rule", requested(github.url(), sha(), "preview",
                9_000_000_015L));

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("ignored").contains("preview");
        assertThat(running.service().countByState()).isEqualTo(before);
    }

    @Test
    void a_payload_without_what_countersign_needs_is_400_with_what_is_missing() {
        var noSha = requested(github.url(), sha(), "production", 9_000_000_016L);
        ((com.fasterxml.jackson.databind.node.ObjectNode) noSha.get("deployment")).remove("sha");
        var noInstallation = requested(github.url(), sha(), "production", 9_000_000_017L);
        noInstallation.remove("installation");

        var a = deliver(running.port(), SECRET, "deployment_protection_rule", noSha);
        var b = deliver(running.port(), SECRET, "deployment_protection_rule", noInstallation);

        assertThat(a.statusCode()).isEqualTo(400);
        assertThat(a.body()).contains("deployment.sha");
        assertThat(b.statusCode()).isEqualTo(400);
        assertThat(b.body()).contains("installation.id");
    }

    @Test
    void one_installation_token_serves_several_answers_until_it_nears_its_expiry() {
        var before = github.issued().stream().filter(t -> t.installation() == INSTALLATION).count();
        var a = opened(sha(), "production", 9_000_000_018L);
        var b = opened(sha(), "production", 9_000_000_019L);

        running.service().reject(a, ALICE, "no");
        reviewOf(9_000_000_018L);
        running.service().reject(b, ALICE, "no");
        reviewOf(9_000_000_019L);

        // Earlier tests may have bought the one token; these two answers bought at most one more.
        assertThat(github.issued().stream().filter(t -> t.installation() == INSTALLATION).count() - before).isLessThanOrEqualTo(1);
        assertThat(github.issued()).isNotEmpty();
    }

    @Test
    void github_on_with_a_policy_that_lacks_the_reason_stops_the_service_at_start_saying_so() throws Exception {
        var policy = dir.resolve("no-availability.yml");
        Files.writeString(policy, """
                teams:
                  sre: { label: SRE, console-users: [alice] }
                reasons:
                  outage: { label: Outage, teams: [sre] }
                """);
        var env = new HashMap<String, String>();
        env.put("DATA_DIR", dir.resolve("data-2").toString());
        env.put("PORT", String.valueOf(freePort()));
        env.put("POLICY_FILE", policy.toString());
        env.put("GITHUB_APP_ID", APP_ID);
        env.put("GITHUB_APP_PRIVATE_KEY", GithubPayloads.pkcs8Pem(keys));
        env.put("GITHUB_WEBHOOK_SECRET", SECRET);

        var e = org.assertj.core.api.Assertions.catchThrowableOfType(Config.Invalid.class,
                () -> Main.start(Config.fromEnv(env)).close());

        assertThat(e.problems()).singleElement().asString().contains("no reason 'availability'").contains("github.reason");
    }

    // --- helpers

    static RequestId opened(String sha, String environment, long run) {
        var answer = deliver(running.port(), SECRET, "deployment_protection_rule", requested(github.url(), sha, environment, run));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return RequestId.parse(json(answer).path("request").asText()).orElseThrow();
    }

    static FakeGithub.Review reviewOf(long run) {
        return await().atMost(Duration.ofSeconds(20)).until(
                () -> github.reviews().stream().filter(r -> r.runId() == run).findFirst(), java.util.Optional::isPresent).get();
    }

    static EmergencyRequest request(RequestId id) { return running.service().find(id).orElseThrow(); }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    static String get(String path) throws Exception {
        // The console is behind this run's start-up token, as for anyone who opens it.
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.port() + path))
                .header("Authorization", "Bearer " + running.startupToken().orElseThrow()).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static int freePort() throws Exception {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
