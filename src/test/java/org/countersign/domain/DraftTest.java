package org.countersign.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.DraftBuilder.aDraft;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DraftTest {
    private static final Policy POLICY = TestPolicies.standard();

    @Test
    void a_complete_draft_has_no_problems() {
        assertThat(aDraft().build().problems(POLICY)).isEmpty();
    }

    @Test
    void the_fixture_draft_is_complete_for_every_reason() {
        POLICY.reasons().keySet().forEach(reason -> assertThat(TestPolicies.draft(reason).problems(POLICY)).isEmpty());
    }

    @Test
    void a_missing_reason_lists_the_reasons_to_pick_from() {
        assertThat(aDraft().forReason(" ").build().problems(POLICY)).containsExactly(new Problem("reason",
                "Pick a reason: Security issue (security), Data loss or corruption (data-loss), Availability, Abuse, "
                        + "Major loss of functionality or appearance (functionality)"));
    }

    @Test
    void an_unknown_reason_is_named_with_the_reasons_to_pick_from() {
        assertThat(fields(aDraft().forReason("boredom"))).containsExactly("reason");
        assertThat(aDraft().forReason("boredom").build().problems(POLICY).get(0).message())
                .startsWith("Unknown reason \"boredom\"; pick one of Security issue (security),");
    }

    @Test
    void a_summary_is_required() {
        assertThat(fields(aDraft().withSummary("  "))).containsExactly("summary");
    }

    @Test
    void a_summary_of_one_character_is_enough() {
        assertThat(fields(aDraft().withSummary("x"))).isEmpty();
    }

    @Test
    void a_summary_of_200_characters_is_accepted() {
        assertThat(fields(aDraft().withSummary("s".repeat(200)))).isEmpty();
    }

    @Test
    void a_summary_over_200_characters_is_refused_with_its_length() {
        assertThat(aDraft().withSummary("s".repeat(201)).build().problems(POLICY)).containsExactly(new Problem("summary",
                "Keep the summary to 200 characters (it has 201); put the rest in the details"));
    }

    @Test
    void the_summary_is_trimmed_before_it_is_counted() {
        assertThat(fields(aDraft().withSummary("  " + "s".repeat(200) + "  "))).isEmpty();
    }

    @Test
    void details_are_optional() {
        assertThat(fields(aDraft().withDetails(null))).isEmpty();
    }

    @Test
    void details_of_3000_characters_are_accepted() {
        assertThat(fields(aDraft().withDetails("d".repeat(3000)))).isEmpty();
    }

    @Test
    void details_over_3000_characters_are_refused() {
        assertThat(fields(aDraft().withDetails("d".repeat(3001)))).containsExactly("details");
    }

    @Test
    void at_least_one_change_is_required() {
        assertThat(aDraft().withChanges(" ", "").build().problems(POLICY)).containsExactly(new Problem("changes",
                "List the changes to deploy, one per line (a URL or a change number)"));
    }

    @Test
    void ten_changes_are_accepted() {
        assertThat(fields(aDraft().withChanges(numbers(10)))).isEmpty();
    }

    @Test
    void more_than_ten_changes_are_refused() {
        assertThat(fields(aDraft().withChanges(numbers(11)))).containsExactly("changes");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://gerrit.example.org/r/c/operations/+/123456",
            "http://git.example.org/commit/abc",
            "12345",
            "I0123456789abcdef0123456789abcdef01234567",
            "deadbee",
            "0123456789abcdef0123456789abcdef01234567",
            "org/repo#12",
            "my.org/my-repo#7",
            "!34",
            "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "registry.example.org:5000/team/api@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"})
    void a_change_may_be_a_url_a_change_number_a_change_id_a_commit_a_pull_request_or_an_artifact_digest(String change) {
        assertThat(fields(aDraft().withChanges(change))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"fix the cache", "ftp://example.org/patch", "I0123", "abc", "DEADBEEF", "org/repo", "#",
            "0123456789abcdef0123456789abcdef0123456789" /* 42 hex digits: longer than a commit */,
            "sha256:9f86d081" /* a digest cut short */, "api@sha512:00", "api @sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"})
    void anything_else_is_not_a_change(String change) {
        assertThat(aDraft().withChanges(change).build().problems(POLICY)).containsExactly(new Problem("changes",
                "\"" + change + "\" is not a change: use a URL (https://…) or a change number (12345, I0123…, org/repo#12), a commit or an artifact digest (sha256:…)"));
    }

    @Test
    void a_change_listed_twice_is_refused() {
        assertThat(aDraft().withChanges("12345", " 12345 ").build().problems(POLICY))
                .containsExactly(new Problem("changes", "A change is listed twice"));
    }

    @Test
    void whether_it_is_a_rollback_must_be_answered() {
        assertThat(fields(aDraft().withRollback(null))).containsExactly("rollback");
    }

    @Test
    void a_deploy_that_is_not_a_rollback_must_say_why() {
        assertThat(aDraft().notARollbackBecause(" ").build().problems(POLICY)).containsExactly(new Problem(
                "why_not_rollback", "Rollback first, fix later: say why a rollback or revert will not do"));
    }

    @Test
    void a_deploy_that_is_not_a_rollback_with_a_why_is_accepted() {
        assertThat(fields(aDraft().notARollbackBecause("The bad change also migrated the schema"))).isEmpty();
    }

    @Test
    void a_rollback_needs_no_why() {
        assertThat(fields(aDraft().withRollback(true))).isEmpty();
    }

    @Test
    void every_problem_is_reported_at_once() {
        var draft = aDraft().forReason(null).withSummary("s".repeat(201)).withDetails("d".repeat(3001))
                .withChanges("fix the cache").withTask("t".repeat(201)).notARollbackBecause(null);

        assertThat(fields(draft)).containsExactly("reason", "summary", "details", "changes", "task", "why_not_rollback");
    }

    @Test
    void an_empty_draft_says_what_to_fill_in() {
        var draft = new Draft(null, null, null, null, null, null, null, null);

        assertThat(fields(draft)).containsExactly("reason", "summary", "changes", "rollback");
    }

    private static List<String> fields(DraftBuilder draft) { return fields(draft.build()); }

    private static List<String> fields(Draft draft) {
        return draft.problems(POLICY).stream().map(Problem::field).toList();
    }

    private static List<String> numbers(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> String.valueOf(10000 + i)).toList();
    }
}
