package org.countersign.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.countersign.domain.Actor;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Draft;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.chat.Verb.Approve;
import org.countersign.chat.Verb.Cancel;
import org.countersign.chat.Verb.Close;
import org.countersign.chat.Verb.DeployEnded;
import org.countersign.chat.Verb.DeployStarted;
import org.countersign.chat.Verb.Edit;
import org.countersign.chat.Verb.Withdraw;
import org.countersign.chat.Verb.Help;
import org.countersign.chat.Verb.ListOpen;
import org.countersign.chat.Verb.Open;
import org.countersign.chat.Verb.Reject;
import org.countersign.chat.Verb.Status;
import org.countersign.chat.Verb.Usage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What people type in a room (Matrix's spelling, {@code !verb}) or after /emergency, read as verbs, usage errors, or nothing. */
class VerbParserTest {
    private static final RequestId EMG_12 = new RequestId(12);
    static final Syntax MATRIX = Syntax.bang("a Matrix user id", "@alice:example.org",
            id -> id.matches("@[^:\\s]+:\\S+") ? Optional.of(Actor.matrix(id)) : Optional.empty());
    static final Venue VENUE = Venue.chat("room", "MATRIX_SECURITY_ROOM_ID", true, MATRIX, null);

    @Test
    void after_slash_emergency_the_same_commands_are_read_and_anything_else_opens_the_form() {
        var slash = Syntax.slash();
        assertThat(VerbParser.parseAfterSlash("approve EMG-12 sre", slash)).contains(new Approve(EMG_12, "sre"));
        assertThat(VerbParser.parseAfterSlash("reject EMG-12 not like this", slash))
                .contains(new Reject(EMG_12, "not like this"));
        assertThat(VerbParser.parseAfterSlash("LIST", slash)).contains(new ListOpen());
        assertThat(VerbParser.parseAfterSlash("availability API returns 500s", slash)).isEmpty();
        assertThat(VerbParser.parseAfterSlash("emergency availability", slash)).isEmpty();
        assertThat(VerbParser.parseAfterSlash("", slash)).isEmpty();
        assertThat(VerbParser.parseAfterSlash("approve", slash)).contains(new Usage("approve",
                "say which request, e.g. EMG-12", "/emergency approve EMG-n [team]"));
        assertThat(slash.usage("emergency")).isEqualTo("/emergency [reason] [summary…]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "hello team", "approve EMG-12", "please !approve EMG-12", "!", "! approve EMG-12",
            "!approved EMG-12", "!unknown EMG-12", "!emergencies", "> <@a:example.org> !approve EMG-12\n\nthanks!"})
    void ordinary_chat_and_commands_of_other_bots_are_ignored(String body) {
        assertThat(VerbParser.parse(body, MATRIX)).isEmpty();
    }

    @Test
    void a_null_body_is_ignored() {
        assertThat(VerbParser.parse(null, MATRIX)).isEmpty();
    }

    @Test
    void the_command_word_and_the_id_are_read_in_any_case_after_leading_space() {
        assertThat(parse("  !APPROVE emg-12")).isEqualTo(new Approve(EMG_12, null));
        assertThat(parse("!approve 12")).isEqualTo(new Approve(EMG_12, null));
    }

    @Test
    void a_rich_reply_fallback_before_the_command_is_ignored() {
        var body = "> <@sre1:example.org> EMG-12 · Availability\n> Waiting for SRE\n>\n> !reject EMG-1 nope\n\n!approve EMG-12 sre";

        assertThat(parse(body)).isEqualTo(new Approve(EMG_12, "sre"));
    }

    @Test
    void approve_takes_an_id_and_optionally_a_team_which_may_be_quoted() {
        assertThat(parse("!approve EMG-12")).isEqualTo(new Approve(EMG_12, null));
        assertThat(parse("!approve EMG-12 releng")).isEqualTo(new Approve(EMG_12, "releng"));
        assertThat(parse("!approve EMG-12 \"Release Engineering\"")).isEqualTo(new Approve(EMG_12, "Release Engineering"));
    }

    @Test
    void approve_without_an_id_or_with_a_bad_one_or_with_extra_words_answers_with_its_usage() {
        assertThat(parse("!approve")).isEqualTo(new Usage("approve", "say which request, e.g. EMG-12", "!approve EMG-n [team]"));
        assertThat(usage("!approve EMG-twelve").problem()).isEqualTo("\"EMG-twelve\" is not a request id; they look like EMG-12");
        assertThat(usage("!approve EMG-12 sre releng").problem()).isEqualTo("\"releng\" is one word too many");
    }

    @Test
    void break_glass_review_and_reviews_are_read_with_their_text() {
        assertThat(parse("!break-glass EMG-12 the API is down and \"nobody\" answers"))
                .isEqualTo(new Verb.BreakGlass(EMG_12, "the API is down and \"nobody\" answers"));
        assertThat(parse("!review EMG-12 https://phabricator.example.org/T1")).isEqualTo(
                new Verb.Review(EMG_12, "https://phabricator.example.org/T1"));
        assertThat(parse("!reviews")).isEqualTo(new Verb.Reviews());
        assertThat(VerbParser.parseAfterSlash("break-glass EMG-12 down for everyone", Syntax.slash()))
                .contains(new Verb.BreakGlass(EMG_12, "down for everyone"));
    }

    @Test
    void break_glass_and_review_without_their_text_or_reviews_with_words_answer_with_their_usage() {
        assertThat(parse("!break-glass EMG-12")).isInstanceOfSatisfying(Usage.class, u -> assertThat(u.usage())
                .isEqualTo("!break-glass EMG-n <reason…>"));
        assertThat(parse("!review EMG-12")).isInstanceOfSatisfying(Usage.class, u -> assertThat(u.usage())
                .isEqualTo("!review EMG-n <follow-up link or task>"));
        assertThat(parse("!reviews all")).isInstanceOf(Usage.class);
    }

    @Test
    void reject_keeps_the_reason_as_typed_with_its_lines_and_quotes() {
        assertThat(parse("!reject EMG-12 revert instead;\nthe \"fix\" is   risky"))
                .isEqualTo(new Reject(EMG_12, "revert instead;\nthe \"fix\" is   risky"));
        assertThat(parse("!reject EMG-12 it's 5\" too long")).isEqualTo(new Reject(EMG_12, "it's 5\" too long"));
    }

    @Test
    void a_reason_that_is_one_quoted_string_loses_its_quotes() {
        assertThat(parse("!reject EMG-12 \"revert instead\"")).isEqualTo(new Reject(EMG_12, "revert instead"));
        assertThat(parse("!reject EMG-12 \"revert\" or \"fix\"")).isEqualTo(new Reject(EMG_12, "\"revert\" or \"fix\""));
    }

    @Test
    void reject_without_a_reason_or_an_id_answers_with_its_usage() {
        assertThat(parse("!reject EMG-12  ")).isEqualTo(new Usage("reject",
                "say why you reject it, so the requester knows what to fix", "!reject EMG-n <reason…>"));
        assertThat(usage("!reject").problem()).isEqualTo("say which request, e.g. EMG-12");
        assertThat(usage("!reject because").problem()).isEqualTo("\"because\" is not a request id; they look like EMG-12");
    }

    @Test
    void cancel_takes_an_id_and_an_optional_note() {
        assertThat(parse("!cancel EMG-12")).isEqualTo(new Cancel(EMG_12, null));
        assertThat(parse("!cancel EMG-12 fixed by the CDN")).isEqualTo(new Cancel(EMG_12, "fixed by the CDN"));
        assertThat(parse("!cancel")).isEqualTo(new Usage("cancel", "say which request, e.g. EMG-12", "!cancel EMG-n [note…]"));
    }

    @ParameterizedTest
    @CsvSource({"succeeded,SUCCEEDED", "failed,FAILED", "rolled-back,ROLLED_BACK", "rolled_back,ROLLED_BACK",
            "Succeeded,SUCCEEDED"})
    void deploy_reports_how_a_deploy_ended(String typed, DeployResult result) {
        assertThat(parse("!deploy EMG-12 " + typed)).isEqualTo(new DeployEnded(EMG_12, result, null));
    }

    @Test
    void deploy_reports_a_start_and_keeps_a_note() {
        assertThat(parse("!deploy EMG-12 started")).isEqualTo(new DeployStarted(EMG_12, null));
        assertThat(parse("!deploy EMG-12 started on canary first")).isEqualTo(new DeployStarted(EMG_12, "on canary first"));
        assertThat(parse("!deploy EMG-12 failed \"timeout on db1\""))
                .isEqualTo(new DeployEnded(EMG_12, DeployResult.FAILED, "timeout on db1"));
    }

    @Test
    void deploy_without_a_status_or_with_an_unknown_one_answers_with_its_usage() {
        var usage = "!deploy EMG-n started|succeeded|failed|rolled-back [note…]";
        assertThat(parse("!deploy EMG-12")).isEqualTo(new Usage("deploy",
                "say how the deploy went: started, succeeded, failed or rolled-back", usage));
        assertThat(parse("!deploy EMG-12 done")).isEqualTo(new Usage("deploy",
                "\"done\" is not how a deploy goes; say started, succeeded, failed or rolled-back", usage));
        assertThat(usage("!deploy started").problem()).isEqualTo("\"started\" is not a request id; they look like EMG-12");
    }

    @Test
    void close_needs_a_follow_up_note() {
        assertThat(parse("!close EMG-12 proper fix in T12346")).isEqualTo(new Close(EMG_12, "proper fix in T12346"));
        assertThat(parse("!close EMG-12")).isEqualTo(new Usage("close",
                "add a follow-up note: what is left to do (the proper fix, a task, an incident report)",
                "!close EMG-n <note…>"));
    }

    @Test
    void status_shows_one_request_or_every_open_one() {
        assertThat(parse("!status")).isEqualTo(new Status(Optional.empty()));
        assertThat(parse("!status EMG-12")).isEqualTo(new Status(Optional.of(EMG_12)));
        assertThat(usage("!status everything").problem()).isEqualTo("\"everything\" is not a request id; they look like EMG-12");
        assertThat(usage("!status EMG-12 EMG-13").problem()).isEqualTo("\"EMG-13\" is one word too many");
    }

    @Test
    void withdraw_names_the_request_and_perhaps_the_team() {
        assertThat(parse("!withdraw EMG-12")).isEqualTo(new Withdraw(EMG_12, null));
        assertThat(parse("!withdraw emg-12 sre")).isEqualTo(new Withdraw(EMG_12, "sre"));
        assertThat(VerbParser.parseAfterSlash("withdraw EMG-12 releng", Syntax.slash()))
                .contains(new Withdraw(EMG_12, "releng"));
        assertThat(parse("!withdraw")).isEqualTo(new Usage("withdraw", "say which request, e.g. EMG-12",
                "!withdraw EMG-n [team]"));
        assertThat(usage("!withdraw EMG-12 sre now").problem()).isEqualTo("\"now\" is one word too many");
    }

    @Test
    void edit_reads_the_new_changes_which_replace_the_old_ones() {
        assertThat(parse("!edit EMG-12 --change https://gerrit.example.org/r/c/2 --change 123457 987654"))
                .isEqualTo(new Edit(EMG_12, List.of("https://gerrit.example.org/r/c/2", "123457", "987654")));
        assertThat(parse("!edit EMG-12 —change=123457")).isEqualTo(new Edit(EMG_12, List.of("123457")));
        assertThat(VerbParser.parseAfterSlash("edit EMG-12 --change 123457", Syntax.slash()))
                .contains(new Edit(EMG_12, List.of("123457")));
    }

    @Test
    void edit_without_changes_opens_the_form_behind_a_slash_and_is_a_usage_error_in_a_room() {
        assertThat(VerbParser.parseAfterSlash("edit EMG-12", Syntax.slash())).contains(new Edit(EMG_12, null));
        assertThat(parse("!edit EMG-12")).isEqualTo(new Usage("edit", "give the new changes with --change; they "
                + "replace all of EMG-12's", "!edit EMG-n --change REF [--change REF]…"));
        assertThat(usage("!edit EMG-12 123457").problem())
                .isEqualTo("\"123457\" is not an option; give each new change after --change");
        assertThat(usage("!edit EMG-12 --task T1").problem())
                .isEqualTo("there is no option --task here; give the new changes with --change");
        assertThat(usage("!edit EMG-12 --change").problem()).isEqualTo("--change needs a change: a URL or a change number");
        assertThat(Syntax.slash().usage("edit")).isEqualTo("/emergency edit EMG-n [--change REF]…");
    }

    @Test
    void list_takes_no_arguments() {
        assertThat(parse("!list")).isEqualTo(new ListOpen());
        assertThat(parse("!list all")).isEqualTo(new Usage("list", "\"all\" is one word too many", "!list"));
    }

    @Test
    void help_is_help_whatever_follows_and_lists_every_command() {
        assertThat(parse("!help")).isEqualTo(new Help());
        assertThat(parse("!help approve")).isEqualTo(new Help());
        for (var command : List.of("emergency", "approve", "withdraw", "reject", "edit", "cancel", "deploy", "close",
                "status", "list", "help"))
            assertThat(Conversation.help(VENUE)).contains(MATRIX.usage(command));
    }

    @Test
    void emergency_reads_the_reason_the_summary_and_every_option_into_a_draft() {
        var command = parse("!emergency availability Revert the cache change --change 123456 "
                + "--change https://gerrit.example.org/r/c/1 --task T12345 --rollback --deployer @sre1:example.org");

        assertThat(command).isEqualTo(new Open(new Draft("availability", "Revert the cache change", null,
                List.of("123456", "https://gerrit.example.org/r/c/1"), "T12345", true, null,
                Actor.matrix("@sre1:example.org"))));
        assertThat(((Open) command).draft().problems(TestPolicies.standard())).isEmpty();
    }

    @Test
    void emergency_takes_quoted_words_several_changes_after_one_option_and_option_equals_value() {
        var command = (Open) parse("!emergency data-loss \"Stop the \\\"purge\\\" job\" now --change 1 2 "
                + "--change=org/repo#3 --no-rollback \"the bad change also migrated the schema\"");

        assertThat(command.draft()).isEqualTo(new Draft("data-loss", "Stop the \"purge\" job now", null,
                List.of("1", "2", "org/repo#3"), null, false, "the bad change also migrated the schema", null));
    }

    @Test
    void emergency_understands_the_quotes_and_dashes_phones_type() {
        var command = (Open) parse("!emergency availability Revert it —change 123456 —no-rollback “a revert "
                + "would lose today’s writes”");

        assertThat(command.draft().changes()).containsExactly("123456");
        assertThat(command.draft().rollback()).isFalse();
        assertThat(command.draft().whyNotRollback()).isEqualTo("a revert would lose today’s writes");
    }

    @Test
    void a_why_not_rollback_left_unquoted_runs_to_the_next_option() {
        var command = (Open) parse("!emergency availability Fix it --no-rollback schema moved on --change 1");

        assertThat(command.draft().whyNotRollback()).isEqualTo("schema moved on");
        assertThat(command.draft().changes()).containsExactly("1");
    }

    @Test
    void a_draft_missing_what_only_the_domain_checks_is_still_a_draft() {
        var command = (Open) parse("!emergency nonsense");

        assertThat(command.draft()).isEqualTo(new Draft("nonsense", null, null, List.of(), null, null, null, null));
        assertThat(command.draft().problems(TestPolicies.standard())).extracting(p -> p.field())
                .containsExactly("reason", "summary", "changes", "rollback");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "!emergency|start with the reason, then say in a few words what the deploy fixes",
            "!emergency --change 1|start with the reason, then say in a few words what the deploy fixes",
            "!emergency availability Fix --change|--change needs a change: a URL or a change number",
            "!emergency availability Fix --change --rollback|--change needs a change: a URL or a change number",
            "!emergency availability Fix --task|--task needs a task, e.g. --task T12345",
            "!emergency availability Fix --task=|--task needs a task, e.g. --task T12345",
            "!emergency availability Fix --task T1 --task T2|give --task once",
            "!emergency availability Fix --task T1 T2|\"T2\" is not part of --task; quote values with spaces, and put the summary before the options",
            "!emergency availability Fix --rollback now|\"now\" is not part of --rollback; quote values with spaces, and put the summary before the options",
            "!emergency availability Fix --rollback=yes|--rollback takes no value",
            "!emergency availability Fix --rollback --no-rollback why|say --rollback or --no-rollback, once",
            "!emergency availability Fix --no-rollback|--no-rollback needs the reason a rollback will not do, e.g. --no-rollback \"the bad change also migrated the schema\"",
            "!emergency availability Fix --deployer|--deployer needs a Matrix user id, e.g. --deployer @alice:example.org",
            "!emergency availability Fix --deployer alice|--deployer needs a Matrix user id like @alice:example.org, not \"alice\"",
            "!emergency availability Fix --deployer @a:example.org --deployer @b:example.org|give --deployer once",
            "!emergency availability Fix --force|there is no option --force",
            "!emergency availability \"Fix it --change 1|a quote is not closed; end the quoted words with \""})
    void emergency_typed_wrongly_says_what_is_wrong_and_gives_its_usage(String body, String problem) {
        assertThat(parse(body)).isEqualTo(new Usage("emergency", problem, MATRIX.usage("emergency")));
    }

    @Test
    void a_quoted_option_is_summary_text() {
        var command = (Open) parse("!emergency availability Stop \"--force\" pushes --rollback --change 1");

        assertThat(command.draft().summary()).isEqualTo("Stop --force pushes");
    }

    @Test
    void a_long_bad_value_is_quoted_back_short() {
        assertThat(usage("!approve " + "x".repeat(500)).problem())
                .isEqualTo("\"" + "x".repeat(39) + "…\" is not a request id; they look like EMG-12");
    }

    private static Verb parse(String body) {
        return VerbParser.parse(body, MATRIX).orElseThrow(() -> new AssertionError("not a command: " + body));
    }

    private static Usage usage(String body) {
        var command = parse(body);
        assertThat(command).isInstanceOf(Usage.class);
        return (Usage) command;
    }
}
