package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.countersign.domain.Actor;
import org.countersign.domain.Draft;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Receipts in the service as Main starts it: the zero-config key under DATA_DIR, the packaged policy's hash, access. */
class ReceiptKeysRunTest {
    private static final String TOKEN = "receipt-test-dashboard-token-5b1d";

    @TempDir
    Path dataDir;

    @Test
    void without_settings_the_key_is_generated_once_under_data_dir_and_the_same_after_a_restart() throws Exception {
        String kid;
        try (var countersign = new WebFixture(dataDir, Map.of())) {
            var keys = WebFixture.json(countersign.get(WebApp.KEYS_PATH)).path("keys");
            assertThat(keys).hasSize(1);
            kid = keys.get(0).path("kid").asText();
        }
        assertThat(dataDir.resolve("receipt-keys/signing-key.pem")).exists();

        try (var restarted = new WebFixture(dataDir, Map.of())) {
            var id = approved(restarted);
            var receipt = WebFixture.json(restarted.get("/api/requests/" + id + "/receipt"));

            assertThat(WebFixture.json(restarted.get(WebApp.KEYS_PATH)).path("keys").get(0).path("kid").asText()).isEqualTo(kid);
            assertThat(receipt.path("signatures").get(0).path("keyid").asText()).isEqualTo(kid);
        }
    }

    @Test
    void a_receipt_names_the_policy_file_it_was_opened_under_by_its_sha256() throws Exception {
        try (var countersign = new WebFixture(dataDir, Map.of())) {
            var id = approved(countersign);

            var statement = ReceiptApiTest.statementOf(WebFixture.json(countersign.get("/api/requests/" + id + "/receipt")));

            var policyBytes = Files.readAllBytes(Path.of("infra/policy.example.yml"));
            var expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(policyBytes));
            assertThat(statement.path("predicate").path("policy").path("sha256").asText()).isEqualTo(expected);
            assertThat(statement.path("predicate").path("approvals").findValuesAsText("person")).containsExactly("alice", "carol");
        }
    }

    @Test
    void with_a_dashboard_token_the_keys_stay_public_and_the_receipt_needs_the_token() throws Exception {
        try (var countersign = new WebFixture(dataDir, Map.of("DASHBOARD_TOKEN", TOKEN))) {
            var id = approved(countersign);

            assertThat(countersign.get(WebApp.KEYS_PATH).statusCode()).isEqualTo(200);
            assertThat(countersign.get("/api/requests/" + id + "/receipt").statusCode()).isEqualTo(401);
            assertThat(countersign.get("/api/requests/" + id + "/receipt", "Authorization", "Bearer " + TOKEN).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void a_configured_key_signs_and_the_generated_one_stays_listed() throws Exception {
        try (var zeroConfig = new WebFixture(dataDir, Map.of())) {
            zeroConfig.get(WebApp.KEYS_PATH);
        }
        Tools.require("openssl");
        var keyFile = dataDir.resolve("configured.pem");
        var openssl = new ProcessBuilder("openssl", "genpkey", "-algorithm", "ed25519", "-out", keyFile.toString()).start();
        assertThat(openssl.waitFor()).isZero();

        try (var configured = new WebFixture(dataDir, Map.of("RECEIPT_SIGNING_KEY", keyFile.toString()))) {
            var id = approved(configured);
            var kids = WebFixture.json(configured.get(WebApp.KEYS_PATH)).path("keys").findValuesAsText("kid");
            var receipt = WebFixture.json(configured.get("/api/requests/" + id + "/receipt"));

            assertThat(kids).hasSize(2);
            assertThat(receipt.path("signatures").get(0).path("keyid").asText()).isEqualTo(kids.get(0));
        }
    }

    /** Opened by the example's developer and approved by alice (SRE) and carol (Release Engineering). */
    private static RequestId approved(WebFixture countersign) {
        var service = countersign.service.service();
        var opened = service.open(Actor.parse("console:dev"), new Draft("availability", "API returns 500s", null,
                List.of("0123456789abcdef0123456789abcdef01234567"), null, true, null, null));
        var id = ((Outcome.Applied) opened).request().id();
        service.approve(id, Actor.parse("console:alice"), "sre");
        service.approve(id, Actor.parse("console:carol"), "releng");
        return id;
    }
}
