package org.countersign.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.RequestBuilder.aRequest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.countersign.domain.DeployResult;
import org.countersign.domain.RequestBuilder;
import org.countersign.domain.TestPolicies;
import org.junit.jupiter.api.Test;

class StatementTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final String IMAGE_DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private static final String POLICY_SHA256 = "ab".repeat(32);

    private static RequestBuilder approvedRequest() { return requestWithFourChanges().approved(); }

    private static RequestBuilder requestWithFourChanges() {
        return aRequest().withPolicy(TestPolicies.standard().withSha256(POLICY_SHA256))
                .withChanges("https://gerrit.example.org/r/c/operations/+/123456", COMMIT,
                        "registry.example.org:5000/api@sha256:" + IMAGE_DIGEST,
                        "https://github.com/example/api/commit/" + COMMIT.replace('0', 'f'));
    }

    private static JsonNode statement(RequestBuilder builder, boolean hide) throws Exception {
        var built = builder.buildWithTimeline();
        return JSON.readTree(Statement.bytes(built.request(), built.timeline(), hide));
    }

    @Test
    void it_is_an_in_toto_statement_v1_with_countersigns_predicate_type() throws Exception {
        var statement = statement(approvedRequest(), false);

        assertThat(statement.path("_type").asText()).isEqualTo("https://in-toto.io/Statement/v1");
        assertThat(statement.path("predicateType").asText()).isEqualTo("https://countersign.org/attestation/approval/v1");
    }

    @Test
    void the_bytes_are_canonical_keys_sorted_no_spaces_and_the_same_every_time() {
        var built = approvedRequest().buildWithTimeline();

        var once = Statement.bytes(built.request(), built.timeline(), false);
        var again = Statement.bytes(built.request(), built.timeline(), false);

        var text = new String(once, StandardCharsets.UTF_8);
        assertThat(once).isEqualTo(again);
        assertThat(text).startsWith("{\"_type\":").doesNotContain("\": ").doesNotContain(", \"");
        assertThat(text.indexOf("\"predicate\":")).isLessThan(text.indexOf("\"predicateType\":"));
        assertThat(text.indexOf("\"predicateType\":")).isLessThan(text.indexOf("\"subject\":"));
    }

    @Test
    void the_subjects_are_the_list_of_changes_and_each_change_that_carries_a_digest() throws Exception {
        var built = approvedRequest().buildWithTimeline();
        var subjects = JSON.readTree(Statement.bytes(built.request(), built.timeline(), false)).path("subject");

        assertThat(subjects).hasSize(4);
        assertThat(subjects.get(0).path("name").asText()).isEqualTo("EMG-1/changes");
        assertThat(subjects.get(0).path("digest").path("sha256").asText())
                .isEqualTo(Statement.changesSha256(built.request().changes()));
        assertThat(subjects.get(1).path("name").asText()).isEqualTo(COMMIT);
        assertThat(subjects.get(1).path("digest").path("sha1").asText()).isEqualTo(COMMIT);
        assertThat(subjects.get(1).path("digest").path("gitCommit").asText()).isEqualTo(COMMIT);
        assertThat(subjects.get(2).path("digest").path("sha256").asText()).isEqualTo(IMAGE_DIGEST);
        assertThat(subjects.get(3).path("digest").path("sha1").asText()).isEqualTo(COMMIT.replace('0', 'f'));
    }

    @Test
    void the_list_digest_is_sha256_of_the_changes_as_a_compact_json_array() {
        assertThat(Statement.changesSha256(List.of("12345", "abc1234")))
                .isEqualTo(Canonical.sha256Hex("[\"12345\",\"abc1234\"]"));
    }

    @Test
    void the_predicate_says_who_approved_what_under_which_policy() throws Exception {
        var predicate = statement(approvedRequest(), false).path("predicate");

        assertThat(predicate.path("request").asText()).isEqualTo("EMG-1");
        assertThat(predicate.path("reason").asText()).isEqualTo("availability");
        assertThat(predicate.path("summary").asText()).isEqualTo("Revert the cache change that took the API down");
        assertThat(predicate.path("state").asText()).isEqualTo("APPROVED");
        assertThat(predicate.path("policy").path("sha256").asText()).isEqualTo(POLICY_SHA256);
        assertThat(predicate.path("policy").path("requiredTeams").toString()).isEqualTo("[\"sre\",\"releng\"]");
        assertThat(predicate.path("requester").path("account").asText()).isEqualTo("slack:U0DEV1");
        var approvals = predicate.path("approvals");
        assertThat(approvals).hasSize(2);
        var sre = approvals.get(0);
        assertThat(sre.path("team").asText()).isEqualTo("sre");
        assertThat(sre.path("person").asText()).isEqualTo("sre1");
        assertThat(sre.path("account").asText()).isEqualTo("slack:U0SRE1");
        assertThat(sre.path("platform").asText()).isEqualTo("slack");
        assertThat(sre.path("at").asText()).isEqualTo("2025-03-01T10:01:00Z");
        assertThat(sre.path("changes").path("revision").asInt()).isEqualTo(1);
        assertThat(sre.path("changes").path("sha256").asText())
                .isEqualTo(predicate.path("changes").path("sha256").asText());
        assertThat(approvals.get(1).path("person").asText()).isEqualTo("slack:U0REL1");
    }

    @Test
    void the_predicate_has_the_state_and_when_each_step_happened() throws Exception {
        var predicate = statement(requestWithFourChanges().deployEnded(DeployResult.SUCCEEDED).closed(), false).path("predicate");

        assertThat(predicate.path("state").asText()).isEqualTo("CLOSED");
        var times = predicate.path("times");
        assertThat(times.path("opened").asText()).isEqualTo("2025-03-01T10:00:00Z");
        assertThat(times.path("approved").asText()).isEqualTo("2025-03-01T10:02:00Z");
        assertThat(times.path("approvalsValidUntil").asText()).isEqualTo("2025-03-01T12:02:00Z");
        assertThat(times.path("deployStarted").asText()).isEqualTo("2025-03-01T10:03:00Z");
        assertThat(times.path("deployEnded").asText()).isEqualTo("2025-03-01T10:04:00Z");
        assertThat(times.path("ended").asText()).isEqualTo("2025-03-01T10:05:00Z");
        var states = new ArrayList<String>();
        predicate.path("states").forEach(s -> states.add(s.path("state").asText() + "@" + s.path("since").asText()));
        assertThat(states).containsExactly("PENDING@2025-03-01T10:00:00Z", "APPROVED@2025-03-01T10:02:00Z",
                "DEPLOYING@2025-03-01T10:03:00Z", "DEPLOYED@2025-03-01T10:04:00Z", "CLOSED@2025-03-01T10:05:00Z");
    }

    @Test
    void approvals_after_an_edit_saw_the_second_revision_of_the_changes() throws Exception {
        var predicate = statement(aRequest().approvedBy(TestPolicies.SRE1, "sre").editedTo("12345", "67890").approved(),
                false).path("predicate");

        assertThat(predicate.path("changes").path("revision").asInt()).isEqualTo(2);
        assertThat(predicate.path("changes").path("references").toString()).isEqualTo("[\"12345\",\"67890\"]");
        predicate.path("approvals").forEach(a -> assertThat(a.path("changes").path("revision").asInt()).isEqualTo(2));
        predicate.path("approvals").forEach(a -> assertThat(a.path("changes").path("sha256").asText())
                .isEqualTo(Statement.changesSha256(List.of("12345", "67890"))));
    }

    @Test
    void hidden_from_the_reader_a_confidential_request_keeps_its_digests_but_not_its_summary_or_change_names()
            throws Exception {
        var builder = aRequest().forReason("security").withChanges("https://gerrit.example.org/r/c/sec/+/1", COMMIT)
                .approved();

        var hidden = statement(builder, true);
        var shown = statement(builder, false);

        var text = hidden.toString();
        assertThat(text).doesNotContain("Revert the cache").doesNotContain("gerrit.example.org");
        assertThat(hidden.path("predicate").path("redacted").asBoolean()).isTrue();
        assertThat(hidden.path("predicate").path("confidential").asBoolean()).isTrue();
        assertThat(hidden.path("subject").get(1).path("name").asText()).isEqualTo("EMG-1/changes/2");
        assertThat(hidden.path("subject").get(1).path("digest").path("sha1").asText()).isEqualTo(COMMIT);
        assertThat(hidden.path("predicate").path("approvals")).hasSize(3);
        assertThat(shown.path("predicate").path("summary").asText()).isEqualTo("Revert the cache change that took the API down");
        assertThat(shown.path("subject").get(1).path("name").asText()).isEqualTo(COMMIT);
    }

    @Test
    void a_pending_request_or_one_whose_approvals_an_edit_cleared_has_no_receipt() {
        var receipts = new Receipts(SigningKeys.ephemeral());
        var pending = aRequest().approvedBy(TestPolicies.SRE1, "sre").buildWithTimeline();
        var cleared = aRequest().approved().editedTo("12345").buildWithTimeline();
        var approved = aRequest().approved().buildWithTimeline();
        var rejectedAfterApproval = aRequest().approved().rejectedBy(TestPolicies.REL1, "the fix is wrong").buildWithTimeline();

        assertThat(receipts.receipt(pending.request(), pending.timeline(), false)).isInstanceOf(Receipts.Answer.NotApproved.class);
        assertThat(receipts.receipt(cleared.request(), cleared.timeline(), false)).isInstanceOf(Receipts.Answer.NotApproved.class);
        assertThat(receipts.receipt(approved.request(), approved.timeline(), false)).isInstanceOf(Receipts.Answer.Signed.class);
        assertThat(receipts.receipt(rejectedAfterApproval.request(), rejectedAfterApproval.timeline(), false))
                .isInstanceOf(Receipts.Answer.Signed.class);
    }

    @Test
    void events_written_after_the_version_read_do_not_change_its_receipt() {
        var receipts = new Receipts(SigningKeys.ephemeral());
        var approved = aRequest().approved().buildWithTimeline();
        var later = aRequest().deploying().buildWithTimeline();

        var read = receipts.receipt(approved.request(), approved.timeline(), false);
        var racing = receipts.receipt(approved.request(), later.timeline(), false);

        assertThat(racing).isEqualTo(read);
    }

    @Test
    void digests_are_read_from_commits_artifact_digests_and_commit_links_only() {
        assertThat(Statement.digestOf(COMMIT)).containsEntry("sha1", COMMIT).containsEntry("gitCommit", COMMIT);
        assertThat(Statement.digestOf("sha256:" + IMAGE_DIGEST)).containsEntry("sha256", IMAGE_DIGEST);
        assertThat(Statement.digestOf("https://gitlab.example.org/ops/api/-/commit/" + COMMIT + "?view=parallel"))
                .containsEntry("sha1", COMMIT);
        assertThat(Statement.digestOf("abc1234")).isEmpty();
        assertThat(Statement.digestOf("12345")).isEmpty();
        assertThat(Statement.digestOf("I" + COMMIT)).isEmpty();
        assertThat(Statement.digestOf("https://github.com/example/api/pull/12")).isEmpty();
    }
}
