package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.TestPolicies.DEV;
import static org.countersign.domain.TestPolicies.REL1;
import static org.countersign.domain.TestPolicies.SEC1;
import static org.countersign.domain.TestPolicies.SRE1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.app.Throttle;
import org.countersign.domain.Draft;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.receipt.Dsse;
import org.countersign.receipt.Receipts;
import org.countersign.receipt.SigningKeys;
import org.countersign.store.DomainJson;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /api/requests/{id}/receipt and the JWKS on the real app over HTTP and a real Redis, the receipt checked with
 * openssl through the script the README shows ({@code infra/receipts/verify-receipt.sh}).
 */
class ReceiptApiTest {
    static final Path VERIFY_SCRIPT = Path.of("infra/receipts/verify-receipt.sh");
    private static final ObjectMapper JSON = DomainJson.mapper();
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final String POLICY_SHA256 = "cd".repeat(32);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final java.security.KeyPair pair = newPair();
    private final SigningKeys keys = SigningKeys.of(pair, List.of());
    private RedisRequestStore store;
    private RequestService service;
    private Javalin app;

    @BeforeEach
    void start() {
        store = TestRedis.store();
        var policy = TestPolicies.standard().withSha256(POLICY_SHA256);
        service = new RequestService(store, new PolicyDirectory(policy), new Workflow(policy), Clock.systemUTC(),
                new Metrics(store::countByState));
        app = app(keys);
    }

    private Javalin app(SigningKeys signing) {
        var options = new WebApp.Options(WebTesting.TOKEN, null, null, Throttle.none(), Throttle.none(), new Receipts(signing));
        return WebApp.create(service, store::ping, new Metrics(store::countByState), JSON, List.of(), options)
                .start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    @Test
    void the_receipt_of_an_approved_request_verifies_with_openssl_over_the_dsse_pae() throws Exception {
        var id = approved("availability", "https://gerrit.example.org/r/c/ops/+/1", COMMIT);

        var receipt = get(app, "/api/requests/" + id + "/receipt");

        assertThat(receipt.statusCode()).isEqualTo(200);
        assertThat(receipt.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        var verified = verifyWithOpenssl(receipt.body(), get(app, WebApp.KEYS_PATH).body());
        assertThat(verified.exit()).as(verified.output()).isZero();
        assertThat(verified.output()).contains("Signature Verified Successfully");
    }

    @Test
    void the_statement_names_the_commit_the_policy_and_every_approval() throws Exception {
        var id = approved("availability", "https://gerrit.example.org/r/c/ops/+/1", COMMIT);

        var statement = statementOf(JSON.readTree(get(app, "/api/requests/" + id + "/receipt").body()));

        assertThat(statement.path("_type").asText()).isEqualTo("https://in-toto.io/Statement/v1");
        assertThat(statement.path("subject").get(1).path("digest").path("sha1").asText()).isEqualTo(COMMIT);
        var predicate = statement.path("predicate");
        assertThat(predicate.path("request").asText()).isEqualTo(id.toString());
        assertThat(predicate.path("state").asText()).isEqualTo("APPROVED");
        assertThat(predicate.path("policy").path("sha256").asText()).isEqualTo(POLICY_SHA256);
        assertThat(predicate.path("approvals").findValuesAsText("account")).containsExactly("slack:U0SRE1", "slack:U0REL1");
    }

    @Test
    void a_changed_payload_a_changed_signature_or_another_key_is_refused_by_openssl() throws Exception {
        var id = approved("availability", COMMIT);
        var receipt = (ObjectNode) JSON.readTree(get(app, "/api/requests/" + id + "/receipt").body());
        var jwks = get(app, WebApp.KEYS_PATH).body();

        var payload = Base64.getDecoder().decode(receipt.path("payload").asText());
        payload[payload.length / 2] ^= 1;
        var changedPayload = receipt.deepCopy().put("payload", Base64.getEncoder().encodeToString(payload));
        var sig = Base64.getDecoder().decode(receipt.path("signatures").get(0).path("sig").asText());
        sig[0] ^= 1;
        var changedSig = receipt.deepCopy();
        ((ObjectNode) changedSig.path("signatures").get(0)).put("sig", Base64.getEncoder().encodeToString(sig));
        var otherKey = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
        var wrongKey = jwks.replace(SigningKeys.x(keys.published().get(keys.kid())), SigningKeys.x(otherKey));

        for (var tampered : Map.of("payload", List.of(changedPayload.toString(), jwks),
                "signature", List.of(changedSig.toString(), jwks), "key", List.of(receipt.toString(), wrongKey)).entrySet()) {
            var result = verifyWithOpenssl(tampered.getValue().get(0), tampered.getValue().get(1));
            assertThat(result.exit()).as("changed " + tampered.getKey() + ": " + result.output()).isNotZero();
            assertThat(result.output()).as("changed " + tampered.getKey()).contains("Signature Verification Failure");
        }
        assertThat(verifyWithOpenssl(receipt.toString(), jwks).exit()).as("the untouched receipt").isZero();
    }

    @Test
    void the_receipt_verifies_with_the_published_keys_and_is_the_same_on_every_call_and_instance() throws Exception {
        var id = approved("availability", COMMIT);
        var other = app(SigningKeys.of(pair, List.of()));
        try {
            var first = get(app, "/api/requests/" + id + "/receipt").body();
            var second = get(app, "/api/requests/" + id + "/receipt").body();
            var elsewhere = get(other, "/api/requests/" + id + "/receipt").body();

            assertThat(second).isEqualTo(first);
            assertThat(elsewhere).isEqualTo(first);
            var envelope = JSON.readValue(first, Dsse.Envelope.class);
            var published = JSON.readTree(get(app, WebApp.KEYS_PATH).body()).path("keys");
            var trusted = new java.util.LinkedHashMap<String, java.security.PublicKey>();
            published.forEach(k -> trusted.put(k.path("kid").asText(), SigningKeys.fromX(k.path("x").asText())));
            assertThat(Dsse.verifiedBy(envelope, Dsse.IN_TOTO, trusted)).contains(keys.kid());
        } finally {
            other.stop();
        }
    }

    @Test
    void the_keys_are_a_jwks_of_ed25519_keys_the_signing_one_first_and_earlier_ones_kept() throws Exception {
        var earlier = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
        var rotated = SigningKeys.of(KeyPairGenerator.getInstance("Ed25519").generateKeyPair(), List.of(earlier));
        var rotatedApp = app(rotated);
        try {
            var response = get(rotatedApp, WebApp.KEYS_PATH);

            assertThat(response.statusCode()).isEqualTo(200);
            var published = JSON.readTree(response.body()).path("keys");
            assertThat(published).hasSize(2);
            for (var key : published) {
                assertThat(key.path("kty").asText()).isEqualTo("OKP");
                assertThat(key.path("crv").asText()).isEqualTo("Ed25519");
                assertThat(key.path("alg").asText()).isEqualTo("EdDSA");
                assertThat(key.path("x").asText()).matches("[A-Za-z0-9_-]{43}");
                assertThat(key.has("d")).as("never the private part").isFalse();
            }
            assertThat(published.findValuesAsText("kid")).containsExactly(rotated.kid(), SigningKeys.kidOf(earlier));
        } finally {
            rotatedApp.stop();
        }
    }

    @Test
    void a_pending_request_gets_409_with_its_state_and_the_teams_it_still_needs() throws Exception {
        var id = opened("availability", COMMIT);
        service.approve(id, SRE1, "sre");

        var response = get(app, "/api/requests/" + id + "/receipt");

        assertThat(response.statusCode()).isEqualTo(409);
        var body = JSON.readTree(response.body());
        assertThat(body.path("state").asText()).isEqualTo("PENDING");
        assertThat(body.path("error").asText()).isEqualTo(id + " is pending: it gets a receipt once Release Engineering "
                + "approve (ask again then, or wait for request.approved)");
    }

    @Test
    void a_request_rejected_before_approval_gets_409_and_one_rejected_after_it_a_receipt_saying_so() throws Exception {
        var never = opened("availability", COMMIT);
        service.reject(never, SRE1, "wrong fix");
        var later = approved("availability", COMMIT);
        service.reject(later, REL1, "found a problem before the deploy");

        var refused = get(app, "/api/requests/" + never + "/receipt");
        var receipt = get(app, "/api/requests/" + later + "/receipt");

        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(refused.body()).path("state").asText()).isEqualTo("REJECTED");
        assertThat(JSON.readTree(refused.body()).path("error").asText()).contains("before every required team had approved");
        assertThat(receipt.statusCode()).isEqualTo(200);
        assertThat(statementOf(JSON.readTree(receipt.body())).path("predicate").path("state").asText()).isEqualTo("REJECTED");
    }

    @Test
    void an_unknown_request_is_404_and_something_that_is_not_an_id_400() throws Exception {
        var unknown = get(app, "/api/requests/EMG-999999/receipt");
        var bad = get(app, "/api/requests/nope/receipt");

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).path("error").asText()).isEqualTo("There is no request EMG-999999");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).path("error").asText()).isEqualTo("\"nope\" is not a request id; use the form EMG-12");
    }

    @Test
    void a_confidential_requests_receipt_leaves_out_its_summary_and_change_names_but_keeps_the_digests() throws Exception {
        var id = approved("security", "https://gerrit.example.org/r/c/sec/+/9", COMMIT);

        var body = get(app, "/api/requests/" + id + "/receipt").body();

        var statement = statementOf(JSON.readTree(body));
        assertThat(statement.toString()).doesNotContain("Revert the cache").doesNotContain("gerrit.example.org/r/c/sec");
        assertThat(statement.path("predicate").path("redacted").asBoolean()).isTrue();
        assertThat(statement.path("subject").get(1).path("name").asText()).isEqualTo(id + "/changes/2");
        assertThat(statement.path("subject").get(1).path("digest").path("sha1").asText()).isEqualTo(COMMIT);
        assertThat(verifyWithOpenssl(body, get(app, WebApp.KEYS_PATH).body()).exit()).isZero();
    }

    @Test
    void the_readme_shows_the_very_script_this_test_runs() throws Exception {
        var readme = Files.readString(Path.of("README.md"));
        var script = Files.readString(VERIFY_SCRIPT);

        assertThat(readme).contains("## Receipts").contains("```sh\n" + script + "```");
    }

    private RequestId opened(String reason, String... changes) {
        var outcome = service.open(DEV, new Draft(reason, "Revert the cache change that took the API down", null,
                List.of(changes), null, true, null, null));
        return ((Outcome.Applied) outcome).request().id();
    }

    private RequestId approved(String reason, String... changes) {
        var id = opened(reason, changes);
        service.approve(id, SRE1, "sre");
        service.approve(id, REL1, "releng");
        if (reason.equals("security")) service.approve(id, SEC1, "security");
        assertThat(service.find(id).orElseThrow().state().name()).isEqualTo("APPROVED");
        return id;
    }

    static JsonNode statementOf(JsonNode envelope) throws Exception {
        return JSON.readTree(Base64.getDecoder().decode(envelope.path("payload").asText()));
    }

    record Result(int exit, String output) {}

    /** Runs the README's script (jq, base64, xxd, openssl) on a receipt and a JWKS. */
    Result verifyWithOpenssl(String receipt, String jwks) throws Exception {
        Tools.require("openssl", "jq", "xxd", "base64");
        var receiptFile = Files.writeString(Files.createTempFile(dir, "receipt", ".json"), receipt);
        var keysFile = Files.writeString(Files.createTempFile(dir, "keys", ".json"), jwks);
        var process = new ProcessBuilder("sh", VERIFY_SCRIPT.toString(), receiptFile.toString(), keysFile.toString())
                .redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    private HttpResponse<String> get(Javalin on, String path) throws Exception {
        return http.send(WebTesting.authorized(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + on.port() + path)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static java.security.KeyPair newPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
