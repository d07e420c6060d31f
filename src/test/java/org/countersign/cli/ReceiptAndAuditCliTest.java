package org.countersign.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.domain.Actor;
import org.countersign.domain.Draft;
import org.countersign.domain.Outcome;
import org.countersign.domain.Platform;
import org.countersign.domain.RequestId;
import org.countersign.receipt.Jwks;
import org.countersign.receipt.SigningKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code countersign verify} and {@code verify-audit} on what a running service hands out, and on tampered copies:
 * each kind of tampering is found, and named.
 */
class ReceiptAndAuditCliTest {
    static final String TOKEN = "dashboard-token-0123456789";
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final Actor REQUESTER = new Actor(Platform.CONSOLE, "dave");
    static final Actor SRE = new Actor(Platform.CONSOLE, "alice");
    static final Actor RELENG = new Actor(Platform.CONSOLE, "carol");
    static final Actor SECURITY = new Actor(Platform.CONSOLE, "erin");

    @TempDir
    static Path dataDir;
    @TempDir
    Path dir;

    static Main.Running running;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        var env = new HashMap<String, String>();
        env.put("DATA_DIR", dataDir.toString());
        env.put("PORT", String.valueOf(CliAgainstServiceTest.freePort()));
        env.put("DASHBOARD_TOKEN", TOKEN);
        running = Main.start(Config.fromEnv(env));
    }

    @AfterAll
    static void stop() {
        if (running != null) running.close();
    }

    static Map<String, String> env() {
        return Map.of("COUNTERSIGN_URL", "http://127.0.0.1:" + running.port(), "COUNTERSIGN_TOKEN", TOKEN);
    }

    static String get(String path) throws Exception {
        var response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.port() + path))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return response.body();
    }

    static RequestId approved(String reason, String summary) {
        var draft = new Draft(reason, summary, null, List.of("https://gerrit.example.org/r/c/ops/+/1", COMMIT),
                "T1", true, null, null);
        var id = ((Outcome.Applied) running.service().open(REQUESTER, draft)).request().id();
        running.service().approve(id, SRE, "sre");
        running.service().approve(id, RELENG, "releng");
        return id;
    }

    Path receipt(RequestId id) throws Exception {
        var file = dir.resolve(id + ".json");
        Files.writeString(file, get("/api/requests/" + id + "/receipt"));
        return file;
    }

    @Test
    void a_receipt_from_the_service_verifies_with_its_keys_and_names_its_approvers() throws Exception {
        var id = approved("availability", "Revert the cache change");
        var file = receipt(id);

        var r = CliTest.run(env(), "verify", file.toString(), "--change", COMMIT, "--request", id.toString());

        assertThat(r.code()).as(r.err()).isEqualTo(Exit.OK);
        assertThat(r.out()).contains("verified, signed by key").contains(id + " is approved")
                .contains("sre: alice (console:alice").contains("releng: carol").contains("It covers " + COMMIT);
    }

    @Test
    void a_receipt_checked_against_a_saved_jwks_file_verifies_offline() throws Exception {
        var file = receipt(approved("availability", "Revert"));
        var keys = dir.resolve("keys.json");
        Files.writeString(keys, get("/.well-known/countersign/keys"));
        var offline = Map.of("COUNTERSIGN_URL", "http://127.0.0.1:1"); // nothing there: the file is enough
        assertThat(CliTest.run(offline, "verify", file.toString(), "--keys", keys.toString()).code()).isEqualTo(Exit.OK);
    }

    @Test
    void a_changed_payload_another_key_another_request_or_another_commit_is_refused() throws Exception {
        var id = approved("availability", "Revert");
        var file = receipt(id);
        var text = Files.readString(file);

        // One character of the payload changed: still base64, another statement.
        var payload = text.replaceAll("(?s).*\"payload\":\"([^\"]+)\".*", "$1");
        var bytes = Base64.getDecoder().decode(payload);
        var decoded = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).replace("\"APPROVED\"", "\"APPROVEE\"");
        var tampered = dir.resolve("tampered.json");
        Files.writeString(tampered, text.replace(payload, Base64.getEncoder().encodeToString(decoded.getBytes())));
        var r = CliTest.run(env(), "verify", tampered.toString());
        assertThat(r.code()).isEqualTo(Exit.REFUSED);
        assertThat(r.err()).contains("NOT verified");

        var otherKeys = dir.resolve("other.json");
        Files.writeString(otherKeys, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
                Jwks.of(SigningKeys.ephemeral().published())));
        assertThat(CliTest.run(env(), "verify", file.toString(), "--keys", otherKeys.toString()).code())
                .isEqualTo(Exit.REFUSED);

        var wrongRequest = CliTest.run(env(), "verify", file.toString(), "--request", "EMG-999999");
        assertThat(wrongRequest.code()).isEqualTo(Exit.REFUSED);
        assertThat(wrongRequest.err()).contains("it is the receipt of " + id + ", not EMG-999999");

        var otherCommit = CliTest.run(env(), "verify", file.toString(), "--change", "f".repeat(40));
        assertThat(otherCommit.code()).isEqualTo(Exit.REFUSED);
        assertThat(otherCommit.err()).contains("does not cover");

        assertThat(CliTest.run(env(), "verify", file.toString(), "--change", "abc").code()).isEqualTo(Exit.USAGE);
        assertThat(CliTest.run(env(), "verify", dir.resolve("absent.json").toString()).code()).isEqualTo(Exit.USAGE);
    }

    @Test
    void an_export_verifies_and_every_kind_of_tampering_is_found() throws Exception {
        approved("availability", "Revert one");
        approved("abuse", "Block the scraper");
        var export = get("/api/audit");
        var lines = new ArrayList<>(export.lines().toList());
        assertThat(lines.size()).isGreaterThanOrEqualTo(9); // 2 x (opened, 2 approvals, approved) + the end
        assertThat(verifyAudit(lines).code()).isEqualTo(Exit.OK);
        assertThat(verifyAudit(lines).out()).contains("intact: " + (lines.size() - 1) + " entries");

        var edited = new ArrayList<>(lines);
        edited.set(2, edited.get(2).replace("console:alice", "console:mallory").replace("console:carol", "console:mallory"));
        assertThat(edited.get(2)).isNotEqualTo(lines.get(2));
        assertThat(verifyAudit(edited).err()).contains("line 3 was edited");

        var removed = new ArrayList<>(lines);
        removed.remove(1);
        assertThat(verifyAudit(removed).err()).contains("line 2 does not follow line 1");

        var moved = new ArrayList<>(lines);
        java.util.Collections.swap(moved, 1, 2);
        assertThat(verifyAudit(moved).code()).isEqualTo(Exit.REFUSED);

        var lastEntryGone = new ArrayList<>(lines);
        lastEntryGone.remove(lastEntryGone.size() - 2);
        assertThat(verifyAudit(lastEntryGone).err()).contains("the signed end says");

        var cut = new ArrayList<>(lines.subList(0, lines.size() - 1));
        assertThat(verifyAudit(cut).err()).contains("the last line is not the signed end");

        var appended = new ArrayList<>(lines);
        appended.add(lines.get(1));
        assertThat(verifyAudit(appended).code()).isEqualTo(Exit.REFUSED);
    }

    @Test
    void a_rewritten_chain_is_caught_by_the_signed_end() throws Exception {
        approved("availability", "Revert two");
        var lines = new ArrayList<>(get("/api/audit").lines().toList());
        // Drop the first entry and recompute every hash, as someone covering their tracks would.
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper()
                .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
        var rewritten = new ArrayList<String>();
        var prev = "0".repeat(64);
        long seq = 0;
        for (var line : lines.subList(2, lines.size() - 1)) {
            var entry = mapper.readValue(line, new com.fasterxml.jackson.core.type.TypeReference<java.util.TreeMap<String, Object>>() {});
            entry.remove("hash");
            entry.put("prev", prev);
            entry.put("seq", ++seq);
            var hash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(mapper.writeValueAsBytes(entry)));
            entry.put("hash", hash);
            rewritten.add(mapper.writeValueAsString(entry));
            prev = hash;
        }
        rewritten.add(lines.get(lines.size() - 1));
        var r = verifyAudit(rewritten);
        assertThat(r.code()).isEqualTo(Exit.REFUSED);
        assertThat(r.err()).containsAnyOf("the signed end says", "the chain was rewritten");
    }

    @Test
    void a_confidential_requests_free_text_stays_out_of_the_export() throws Exception {
        var draft = new Draft("security", "XSS in the login form", null, List.of(COMMIT), "T2", true, null, null);
        var id = ((Outcome.Applied) running.service().open(REQUESTER, draft)).request().id();
        running.service().reject(id, SECURITY, "the fix leaks the session cookie too");
        var export = get("/api/audit");
        assertThat(export).contains("\"request\":\"" + id + "\"").contains("\"redacted\":true")
                .doesNotContain("XSS").doesNotContain("session cookie");
    }

    @Test
    void since_keeps_the_later_entries_and_a_bad_since_is_a_400() throws Exception {
        approved("availability", "Revert three");
        var later = get("/api/audit?since=2999-01-01").lines().toList();
        assertThat(later).hasSize(1);
        var file = dir.resolve("empty.jsonl");
        Files.write(file, later);
        assertThat(CliTest.run(env(), "verify-audit", file.toString()).out()).contains("intact: 0 entries");

        var response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.port()
                + "/api/audit?since=yesterday")).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("is not a time: use a date such as 2026-03-01");
    }

    private CliTest.Run verifyAudit(List<String> lines) throws Exception {
        var file = Files.createTempFile(dir, "audit", ".jsonl");
        Files.write(file, lines);
        return CliTest.run(env(), "verify-audit", file.toString());
    }
}
