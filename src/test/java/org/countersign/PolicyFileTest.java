package org.countersign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.net.URI;
import java.util.Map;
import org.countersign.domain.Actor;
import org.countersign.domain.EventType;
import org.countersign.domain.Platform;
import org.countersign.domain.Policy.InvalidPolicy;
import org.countersign.domain.Team;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.countersign.webhook.Integration;
import org.countersign.webhook.Integration.Format;

class PolicyFileTest {
    /** A small valid policy; tests change one line of it. */
    private static final String VALID = """
            teams:
              sre:      { label: SRE, slack-users: [U0SRE1], slack-usergroup: S0SRE, matrix-users: ["@sre1:example.org"] }
              releng:   { label: Release Engineering, slack-users: [U0REL1], matrix-users: ["@rel1:example.org"] }
            reasons:
              availability: { label: Availability, teams: [sre, releng] }
            approvals-per-team: 1
            expire-after: 60m
            """;

    @TempDir Path dir;

    @Test
    void the_packaged_example_loads_with_its_teams_and_reasons() {
        var policy = PolicyFile.loadDefault();

        assertThat(policy.teams()).containsOnlyKeys("sre", "releng", "security");
        assertThat(policy.reasons()).containsOnlyKeys("security", "data-loss", "availability", "abuse", "functionality");
        assertThat(policy.reasons().get("security").teams()).containsExactly("sre", "releng", "security");
        assertThat(policy.reasons().get("security").confidential()).isTrue();
        assertThat(policy.reasons().get("availability").confidential()).isFalse();
        assertThat(policy.teams().values()).extracting(Team::quorum).containsOnly(1);
        assertThat(policy.expireAfter()).isEqualTo(Duration.ofMinutes(60));
    }

    @Test
    void the_packaged_example_names_who_may_break_the_glass_and_who_reviews() {
        var policy = PolicyFile.loadDefault();

        assertThat(policy.breakGlass().people()).containsExactly("alice");
        assertThat(policy.breakGlass().reasons()).containsExactlyInAnyOrder("availability", "data-loss", "security");
        assertThat(policy.breakGlass().minReason()).isEqualTo(40);
        assertThat(policy.review().teams()).containsExactly("sre");
        assertThat(policy.review().requiredFor()).containsExactly("break-glass");
        assertThat(policy.review().dueAfter()).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void break_glass_and_review_are_read_with_their_defaults() throws IOException {
        var policy = PolicyFile.load(write(VALID + """
                people:
                  alice: { slack: U0SRE1 }
                break-glass: { people: [alice], reasons: [availability] }
                review: { teams: [sre] }
                """));

        assertThat(policy.breakGlass().minReason()).isEqualTo(40);
        assertThat(policy.review().requiredFor()).isEmpty();
        assertThat(policy.review().dueAfter()).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void every_problem_with_break_glass_and_review_is_listed_where_it_is() throws IOException {
        var file = write(VALID + """
                people:
                  alice: { slack: U0SRE1 }
                break-glass: { people: [mallory], reasons: [abuse], min-reason: lots, colour: red }
                review: { teams: [auditors], required-for: [sometimes], due-after: soon }
                """);

        assertThat(invalid(file).problems()).anySatisfy(p -> assertThat(p).contains("break-glass.colour"))
                .anySatisfy(p -> assertThat(p).contains("break-glass.min-reason: must be a number"))
                .anySatisfy(p -> assertThat(p).contains("review.due-after: must be"))
                .anySatisfy(p -> assertThat(p).contains("break-glass.people names mallory"))
                .anySatisfy(p -> assertThat(p).contains("break-glass.reasons names unknown reason abuse"))
                .anySatisfy(p -> assertThat(p).contains("review.teams names unknown team auditors"))
                .anySatisfy(p -> assertThat(p).contains("review.required-for names sometimes"));
    }

    @Test
    void a_policy_is_known_by_the_sha256_of_its_files_bytes_as_sha256sum_prints_it() throws Exception {
        var file = Files.writeString(dir.resolve("policy.yml"), VALID);
        var sha256sum = new ProcessBuilder("sha256sum", file.toString()).start();
        var printed = new String(sha256sum.getInputStream().readAllBytes()).split(" ")[0];

        assertThat(PolicyFile.load(file).sha256()).isEqualTo(printed).hasSize(64);
        assertThat(PolicyFile.loadDefault().sha256())
                .isEqualTo(PolicyFile.sha256(Files.readString(Path.of("infra/policy.example.yml"))));
    }

    @Test
    void one_byte_more_in_the_policy_file_is_another_policy_hash() throws Exception {
        var before = PolicyFile.load(Files.writeString(dir.resolve("a.yml"), VALID)).sha256();
        var after = PolicyFile.load(Files.writeString(dir.resolve("b.yml"), VALID + "\n")).sha256();

        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void the_packaged_example_gives_every_team_two_slack_and_two_console_members() {
        var policy = PolicyFile.loadDefault();

        for (var team : policy.teams().values()) {
            assertThat(team.members().stream().filter(a -> a.platform() == Platform.SLACK)).as(team.key()).hasSizeGreaterThanOrEqualTo(2);
            assertThat(team.members().stream().filter(a -> a.platform() == Platform.CONSOLE)).as(team.key()).hasSizeGreaterThanOrEqualTo(2);
        }
        assertThat(policy.listedTeamsOf(console("alice"))).containsExactly("sre");
        assertThat(policy.listedTeamsOf(console("carol"))).containsExactly("releng");
        assertThat(policy.listedTeamsOf(console("erin"))).containsExactly("security");
    }

    @Test
    void the_packaged_example_has_a_developer_in_no_team_to_open_requests() {
        var policy = PolicyFile.loadDefault();

        assertThat(policy.personOf(console("dev"))).isEqualTo("dev");
        assertThat(policy.listedTeamsOf(console("dev"))).isEmpty();
    }

    @Test
    void the_packaged_example_links_each_persons_accounts() {
        var policy = PolicyFile.loadDefault();

        assertThat(policy.personOf(Actor.slack("U0SRE1"))).isEqualTo("alice");
        assertThat(policy.personOf(Actor.matrix("@sre1:example.org"))).isEqualTo("alice");
        assertThat(policy.personOf(console("alice"))).isEqualTo("alice");
        assertThat(policy.personOf(Actor.slack("U0DEV1"))).isEqualTo("dev");
    }

    @Test
    void the_file_in_the_repository_is_the_one_packaged() throws IOException {
        var repo = Path.of("infra/policy.example.yml");
        try (var in = PolicyFile.class.getResourceAsStream(PolicyFile.DEFAULT_RESOURCE)) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(Files.readString(repo));
        }
    }

    @Test
    void a_policy_file_loads_from_a_path() throws IOException {
        var policy = PolicyFile.load(write(VALID));

        assertThat(policy.teams()).containsOnlyKeys("sre", "releng");
        assertThat(policy.team("sre").orElseThrow().members())
                .containsExactlyInAnyOrder(Actor.slack("U0SRE1"), Actor.matrix("@sre1:example.org"));
        assertThat(policy.team("sre").orElseThrow().slackUsergroup()).isEqualTo("S0SRE");
        assertThat(policy.teamLabel("releng")).isEqualTo("Release Engineering");
    }

    @Test
    void approvals_per_team_expire_after_and_approval_valid_for_have_defaults() throws IOException {
        var policy = PolicyFile.load(write(VALID.replace("approvals-per-team: 1\n", "").replace("expire-after: 60m\n", "")));

        assertThat(policy.team("sre").orElseThrow().quorum()).isEqualTo(1);
        assertThat(policy.expireAfter()).isEqualTo(Duration.ofMinutes(60));
        assertThat(policy.approvalValidFor()).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void approval_valid_for_is_read_like_expire_after() throws IOException {
        assertThat(PolicyFile.load(write(VALID + "approval-valid-for: 90s\n")).approvalValidFor())
                .isEqualTo(Duration.ofSeconds(90));
        assertThat(PolicyFile.load(write(VALID + "approval-valid-for: PT30M\n")).approvalValidFor())
                .isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void the_packaged_example_with_its_reminder_keys_uncommented_and_the_pager_reads_every_one() throws IOException {
        var example = Files.readString(Path.of("infra/policy.example.yml"))
                .replace("# remind-after: 15m", "remind-after: 15m")
                .replace("# escalate-after: 30m", "escalate-after: 30m")
                .replace("# warn-before-expiry: 10m", "warn-before-expiry: 10m")
                + "integrations:\n  - { name: pager, format: pagerduty, secret-env: PD_KEY }\n";

        var loaded = PolicyFile.read(write(example), Map.of("PD_KEY", "R0UT1NGKEY0123456789"));

        assertThat(loaded.policy().reminders()).isEqualTo(new org.countersign.domain.Reminders(Duration.ofMinutes(15),
                Duration.ofMinutes(30), Duration.ofMinutes(10)));
        assertThat(PolicyFile.load(write(VALID)).reminders()).isEqualTo(org.countersign.domain.Reminders.NONE);
    }

    @Test
    void escalate_after_without_a_pagerduty_integration_that_takes_request_escalated_is_reported() throws IOException {
        var file = write(VALID + """
                escalate-after: 30m
                integrations:
                  - { name: pager, format: pagerduty, secret-env: PD_KEY, events: [request.opened] }
                """);

        var e = catchThrowableOfType(InvalidPolicy.class, () -> PolicyFile.read(file,
                Map.of("PD_KEY", "R0UT1NGKEY0123456789")));

        assertThat(e.problems()).containsExactly(file + ": escalate-after: pages the on-call through a pagerduty "
                + "integration, and none is listed (with request.escalated among its events)");
    }

    @Test
    void a_reminder_that_could_never_come_before_the_expiry_or_a_bad_one_is_reported() throws IOException {
        var file = write(VALID + "remind-after: 1h\nwarn-before-expiry: soon\n");

        assertThat(invalid(file).problems()).containsExactly(
                file + ": warn-before-expiry: must be a duration such as 90s, 60m, 2h, 1d or PT1H, not 'soon'",
                file + ": remind-after (PT1H) must be shorter than expire-after (PT1H), or no reminder is ever sent");
    }

    @Test
    void a_bad_approval_valid_for_is_reported_with_the_forms_that_work() throws IOException {
        var file = write(VALID + "approval-valid-for: two hours\n");

        assertThat(invalid(file).problems()).containsExactly(
                file + ": approval-valid-for: must be a duration such as 90s, 60m, 2h, 1d or PT1H, not 'two hours'");
    }

    @Test
    void an_approval_valid_for_of_zero_is_reported() throws IOException {
        var e = invalid(write(VALID + "approval-valid-for: 0s\n"));

        assertThat(e.problems()).singleElement().asString()
                .endsWith("approval-valid-for must be a positive duration such as 2h, not PT0S");
    }

    @Test
    void a_teams_approvals_override_approvals_per_team() throws IOException {
        var policy = PolicyFile.load(write(VALID
                .replace("approvals-per-team: 1", "approvals-per-team: 2")
                .replace("label: SRE,", "label: SRE, approvals: 3,")));

        assertThat(policy.team("sre").orElseThrow().quorum()).isEqualTo(3);
        assertThat(policy.team("releng").orElseThrow().quorum()).isEqualTo(2);
    }

    @Test
    void console_users_are_members_on_the_console() throws IOException {
        var policy = PolicyFile.load(write(VALID.replace("label: SRE,", "label: SRE, console-users: [alice],")));

        assertThat(policy.team("sre").orElseThrow().members()).contains(console("alice"));
        assertThat(policy.listedTeamsOf(console("alice"))).containsExactly("sre");
    }

    @Test
    void people_link_accounts_given_alone_or_as_a_list() throws IOException {
        var policy = PolicyFile.load(write(VALID + """
                people:
                  alice: { slack: U0SRE1, matrix: ["@sre1:example.org", "@alice:example.com"], console: alice }
                """));

        assertThat(policy.accountsOf(console("alice"))).containsExactlyInAnyOrder(console("alice"),
                Actor.slack("U0SRE1"), Actor.matrix("@sre1:example.org"), Actor.matrix("@alice:example.com"));
        assertThat(policy.listedTeamsOf(console("alice"))).containsExactly("sre");
    }

    @Test
    void a_missing_file_is_reported_with_its_path_and_what_to_do() {
        var missing = dir.resolve("nope.yml");

        var e = invalid(missing);

        assertThat(e.problems()).singleElement().asString()
                .startsWith(missing + ": no such file").contains("POLICY_FILE");
    }

    @Test
    void a_yaml_syntax_error_is_reported_with_its_line_and_column() throws IOException {
        var e = invalid(write(VALID.replace("reasons:", "reasons: [")));

        assertThat(e.problems()).singleElement().asString()
                .startsWith(dir.resolve("policy.yml") + ": not valid YAML: while parsing a flow sequence (line 4, column 10)");
    }

    @Test
    void an_empty_file_is_reported() throws IOException {
        var e = invalid(write(""));

        assertThat(e.problems()).singleElement().asString().contains("is empty");
    }

    @Test
    void a_file_that_is_not_a_map_is_reported() throws IOException {
        var e = invalid(write("- sre\n- releng\n"));

        assertThat(e.problems()).singleElement().asString().contains("must be a map with teams and reasons, not a list");
    }

    @Test
    void an_unknown_team_in_a_reason_is_reported_with_the_known_teams() throws IOException {
        var file = write(VALID.replace("teams: [sre, releng]", "teams: [sre, relenj]"));

        var e = invalid(file);

        assertThat(e.problems()).containsExactly(
                file + ": reason availability requires unknown team relenj (known: sre, releng)");
    }

    @Test
    void a_team_with_no_members_is_reported() throws IOException {
        var file = write(VALID.replace("{ label: Release Engineering, slack-users: [U0REL1], matrix-users: [\"@rel1:example.org\"] }",
                "{ label: Release Engineering }"));

        var e = invalid(file);

        assertThat(e.problems()).singleElement().asString().startsWith(file + ": team releng has no members");
    }

    @Test
    void retain_for_is_400_days_unless_the_policy_says_otherwise_in_the_forms_of_other_durations() throws IOException {
        assertThat(PolicyFile.load(write(VALID)).retainFor()).isEqualTo(Duration.ofDays(400));
        assertThat(PolicyFile.load(write(VALID + "retain-for: 90d\n")).retainFor()).isEqualTo(Duration.ofDays(90));
        assertThat(PolicyFile.load(write(VALID + "retain-for: P30D\n")).retainFor()).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void a_retain_for_that_is_no_duration_or_under_a_day_is_reported() throws IOException {
        var file = write(VALID + "retain-for: a year\n");
        assertThat(invalid(file).problems()).containsExactly(
                file + ": retain-for: must be a duration such as 90s, 60m, 2h, 1d or PT1H, not 'a year'");
        assertThat(invalid(write(VALID + "retain-for: 2h\n")).problems()).singleElement().asString()
                .contains("retain-for: must be at least 1d");
    }

    @Test
    void a_bad_duration_is_reported_with_the_forms_that_work() throws IOException {
        var file = write(VALID.replace("expire-after: 60m", "expire-after: an hour"));

        var e = invalid(file);

        assertThat(e.problems()).containsExactly(
                file + ": expire-after: must be a duration such as 90s, 60m, 2h, 1d or PT1H, not 'an hour'");
    }

    @Test
    void a_duration_of_zero_is_reported() throws IOException {
        var e = invalid(write(VALID.replace("expire-after: 60m", "expire-after: 0m")));

        assertThat(e.problems()).singleElement().asString().contains("expire-after must be a positive duration");
    }

    @Test
    void an_unknown_top_level_key_is_reported_with_the_known_keys() throws IOException {
        var file = write(VALID + "expire_after: 30m\n");

        var e = invalid(file);

        assertThat(e.problems()).containsExactly(file + ": expire_after: unknown key "
                + "(known: teams, reasons, approvals-per-team, expire-after, approval-valid-for, retain-for, remind-after, escalate-after, warn-before-expiry, people, integrations, identity, github, windows, freezes, may-open, open-limit, break-glass, review)");
    }

    @Test
    void the_github_section_says_what_a_github_deployment_opens_and_which_environments_it_gates() throws IOException {
        var loaded = PolicyFile.read(write(VALID + "github: { reason: availability, environments: [production, staging] }\n"),
                Map.of());

        assertThat(loaded.github()).isEqualTo(new org.countersign.github.GithubGate("availability",
                java.util.List.of("production", "staging")));
        assertThat(loaded.github().gates("staging")).isTrue();
        assertThat(loaded.github().gates("preview")).isFalse();
        assertThat(PolicyFile.read(write(VALID), Map.of()).github().gates("anything")).isTrue();
    }

    @Test
    void a_github_section_with_an_unknown_reason_or_key_or_no_environments_lists_every_problem() throws IOException {
        var file = write(VALID + "github: { reason: outage, environment: [production], environments: [] }\n");

        var e = invalid(file);

        assertThat(e.problems()).containsExactlyInAnyOrder(
                file + ": github.environment: unknown key (known: reason, environments)",
                file + ": github.reason: unknown reason 'outage' (known: availability)",
                file + ": github.environments: is empty: list the environments to gate, or leave it out for all");
    }

    @Test
    void a_key_longer_than_slack_lets_a_button_or_form_option_carry_is_reported_and_64_characters_are_fine()
            throws IOException {
        var longest = "a".repeat(PolicyProblems.KEY_MAX);
        var fits = VALID.replace("availability: { label: Availability, teams: [sre, releng] }",
                "availability: { label: Availability, teams: [sre, releng] }\n  " + longest + ": { label: L, teams: [sre] }");
        var tooLong = fits.replace(longest, longest + "a");

        assertThat(PolicyFile.read(write(fits), Map.of()).policy().reasons()).containsKey(longest);
        assertThat(invalid(write(tooLong)).problems()).singleElement().asString()
                .contains("reasons." + longest + "a: a key is lower-case letters, digits, dashes and underscores, at most 64");
    }

    @Test
    void an_unknown_key_in_a_team_is_reported() throws IOException {
        var e = invalid(write(VALID.replace("slack-users: [U0REL1]", "slack-user: [U0REL1], slack-users: [U0REL2]")));

        assertThat(e.problems()).singleElement().asString().contains(": teams.releng.slack-user: unknown key (known: label, ");
    }

    @Test
    void a_key_given_twice_is_reported() throws IOException {
        var e = invalid(write(VALID + "expire-after: 30m\n"));

        assertThat(e.problems()).singleElement().asString().contains("not valid YAML").contains("expire-after");
    }

    @Test
    void a_word_where_a_number_belongs_is_reported_where_it_is() throws IOException {
        var file = write(VALID.replace("label: SRE,", "label: SRE, approvals: two,"));

        var e = invalid(file);

        assertThat(e.problems()).containsExactly(file + ": teams.sre.approvals: must be a number, not 'two'");
    }

    @Test
    void an_id_where_a_list_belongs_is_reported_where_it_is() throws IOException {
        var file = write(VALID.replace("slack-users: [U0REL1]", "slack-users: U0REL1"));

        var e = invalid(file);

        assertThat(e.problems()).contains(file + ": teams.releng.slack-users: must be a list such as [a, b], not 'U0REL1'");
    }

    @Test
    void a_word_where_true_or_false_belongs_is_reported() throws IOException {
        var file = write(VALID.replace("teams: [sre, releng] }", "teams: [sre, releng], confidential: maybe }"));

        var e = invalid(file);

        assertThat(e.problems()).containsExactly(file + ": reasons.availability.confidential: must be true or false, not 'maybe'");
    }

    @Test
    void account_ids_in_the_wrong_form_are_reported_each_where_it_is() throws IOException {
        var file = write(VALID.replace("slack-users: [U0SRE1]", "slack-users: [U0SRE1, alice]")
                .replace("[\"@rel1:example.org\"]", "[\"rel1\"]"));

        var e = invalid(file);

        assertThat(e.problems()).hasSize(2);
        assertThat(e.problems().get(0)).startsWith(file + ": teams.sre.slack-users[1]: 'alice' is not a Slack user id");
        assertThat(e.problems().get(1)).startsWith(file + ": teams.releng.matrix-users[0]: 'rel1' is not a Matrix user id");
    }

    @Test
    void a_team_that_is_not_a_map_is_reported_once_not_again_by_every_reason() throws IOException {
        var file = write(VALID.replace("{ label: SRE, slack-users: [U0SRE1], slack-usergroup: S0SRE, matrix-users: [\"@sre1:example.org\"] }",
                "[U0SRE1]"));

        var e = invalid(file);

        assertThat(e.problems()).containsExactly(file + ": teams.sre: must be a map with label and slack-users, "
                + "matrix-users, console-users or irc-accounts, not a list");
    }

    @Test
    void missing_teams_and_reasons_are_reported_together() throws IOException {
        var file = write("approvals-per-team: 1\n");

        var e = invalid(file);

        assertThat(e.problems()).hasSize(2);
        assertThat(e.problems().get(0)).startsWith(file + ": teams: missing");
        assertThat(e.problems().get(1)).startsWith(file + ": reasons: missing");
    }

    @Test
    void every_problem_in_a_file_is_listed_at_once_each_with_the_file() throws IOException {
        var file = write("""
                teams:
                  sre:      { label: SRE, slack-users: [U0SRE1], approvals: two }
                  releng:   { label: Release Engineering }
                reasons:
                  availability: { label: Availability, teams: [sre, relenj], confidential: maybe }
                approvals-per-team: 1
                expire-after: soon
                colour: blue
                people:
                  alice: { slack: U0SRE1 }
                  bob: { slack: U0SRE1 }
                """);

        var e = invalid(file);

        assertThat(e.problems()).containsExactly(
                file + ": colour: unknown key (known: teams, reasons, approvals-per-team, expire-after, approval-valid-for, retain-for, remind-after, escalate-after, warn-before-expiry, people, integrations, identity, github, windows, freezes, may-open, open-limit, break-glass, review)",
                file + ": expire-after: must be a duration such as 90s, 60m, 2h, 1d or PT1H, not 'soon'",
                file + ": teams.sre.approvals: must be a number, not 'two'",
                file + ": reasons.availability.confidential: must be true or false, not 'maybe'",
                file + ": team releng has no members (list slack-users, matrix-users, console-users, irc-accounts or a slack-usergroup)",
                file + ": reason availability requires unknown team relenj (known: sre, releng)",
                file + ": account slack:U0SRE1 is linked to both alice and bob");
        assertThat(e.getMessage()).contains(String.join("\n  - ", e.problems()));
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({"90s, PT1M30S", "60m, PT1H", "2h, PT2H", "1d, PT24H", "PT1H, PT1H", "pt15m, PT15M", "P1D, PT24H", "' 5m ', PT5M"})
    void durations_are_read_in_short_and_iso_forms(String text, Duration expected) {
        assertThat(Durations.parse(text)).contains(expected);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "60", "m", "1w", "1.5h", "-5m", "5 minutes", "1h30m", "P", "PT", "PTxH", "99999999999d"})
    void other_duration_forms_are_not_read(String text) {
        assertThat(Durations.parse(text)).isEmpty();
    }

    @Test
    void integrations_are_read_with_their_secrets_from_the_environment() throws IOException {
        var loaded = PolicyFile.read(write(VALID + """
                integrations:
                  - name: pipeline
                    url: https://ci.example.org/hooks/countersign
                    events: [request.approved, request.closed]
                    format: countersign
                    secret-env: PIPELINE_WEBHOOK_SECRET
                    confidential: true
                  - name: admin-log
                    url-env: ADMIN_LOG_URL
                    format: slack-incoming
                  - name: pager
                    format: pagerduty
                    secret-env: PD_KEY
                """), Map.of("PIPELINE_WEBHOOK_SECRET", "s3cret-s3cret-s3cret", "ADMIN_LOG_URL",
                "https://hooks.slack.example/T0/B0/xyz", "PD_KEY", "R0UT1NGR0UT1NGR0UT1NGR0UT1NG0123"));

        assertThat(loaded.policy().teams()).containsOnlyKeys("sre", "releng");
        assertThat(loaded.integrations()).extracting(Integration::name).containsExactly("pipeline", "admin-log", "pager");
        var pipeline = loaded.integrations().get(0);
        assertThat(pipeline.url()).isEqualTo(URI.create("https://ci.example.org/hooks/countersign"));
        assertThat(pipeline.events()).containsExactlyInAnyOrder(EventType.REQUEST_APPROVED, EventType.REQUEST_CLOSED);
        assertThat(pipeline.format()).isEqualTo(Format.COUNTERSIGN);
        assertThat(pipeline.secretEnv()).isEqualTo("PIPELINE_WEBHOOK_SECRET");
        assertThat(pipeline.secret()).isNotNull();
        assertThat(pipeline.confidential()).isTrue();
        var log = loaded.integrations().get(1);
        assertThat(log.url()).isEqualTo(URI.create("https://hooks.slack.example/T0/B0/xyz"));
        assertThat(log.secret()).isNull();
        assertThat(log.events()).containsExactlyInAnyOrder(EventType.values());
        assertThat(loaded.integrations().get(2).url()).isEqualTo(URI.create("https://events.pagerduty.com/v2/enqueue"));
    }

    @Test
    void an_integration_never_shows_its_secret_or_the_path_of_its_url() throws IOException {
        var loaded = PolicyFile.read(write(VALID + """
                integrations:
                  - { name: admin-log, url: "https://hooks.slack.example/services/T0/B0/t0ken", format: slack-incoming, secret-env: LOG_SECRET }
                """), Map.of("LOG_SECRET", "s3cret-s3cret-s3cret"));

        assertThat(loaded.integrations().get(0).toString()).doesNotContain("s3cret").doesNotContain("t0ken")
                .contains("admin-log", "https://hooks.slack.example", "LOG_SECRET");
    }

    @Test
    void an_outbound_secret_shorter_than_16_characters_is_a_problem_that_never_shows_it() throws IOException {
        var file = write(VALID + """
                integrations:
                  - { name: pipeline, url: "https://ci.example.org/hook", secret-env: PIPELINE_WEBHOOK_SECRET }
                  - { name: pager, format: pagerduty, secret-env: PD_KEY }
                """);

        var e = catchThrowableOfType(InvalidPolicy.class, () -> PolicyFile.read(file,
                Map.of("PIPELINE_WEBHOOK_SECRET", "fifteen-chars-x", "PD_KEY", "R0UT1NG")));

        assertThat(e).isNotNull();
        assertThat(e.problems()).containsExactly(
                file + ": integrations[0].secret-env: PIPELINE_WEBHOOK_SECRET is too short: use at least 16 characters, "
                        + "e.g. the output of openssl rand -hex 32",
                file + ": integrations[1].secret-env: PD_KEY is too short: use at least 16 characters, "
                        + "e.g. the output of openssl rand -hex 32");
        assertThat(e.getMessage()).doesNotContain("fifteen-chars-x").doesNotContain("R0UT1NG");
        assertThat(PolicyFile.read(file, Map.of("PIPELINE_WEBHOOK_SECRET", "sixteen-chars-xy",
                "PD_KEY", "R0UT1NGR0UT1NGR0")).integrations()).hasSize(2);
    }

    @Test
    void an_integration_may_sign_the_standard_webhooks_way_with_a_whsec_secret() throws IOException {
        var file = write(VALID + """
                integrations:
                  - { name: pipeline, url: "https://ci.example.org/hook", secret-env: WH, signature: standard-webhooks }
                  - { name: plain, url: "https://ci.example.org/hook", secret-env: PLAIN }
                """);

        var loaded = PolicyFile.read(file, Map.of("WH", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "PLAIN", "0123456789abcdef0123"));

        assertThat(loaded.integrations()).extracting(Integration::signature)
                .containsExactly(Integration.Scheme.STANDARD_WEBHOOKS, Integration.Scheme.COUNTERSIGN);
    }

    @Test
    void a_standard_webhooks_integration_needs_a_whsec_secret_of_16_bytes_and_the_countersign_format() throws IOException {
        var file = write(VALID + """
                integrations:
                  - { name: a, url: "https://ci.example.org/hook", secret-env: PLAIN, signature: standard-webhooks }
                  - { name: b, url: "https://ci.example.org/hook", secret-env: SHORT, signature: standard-webhooks }
                  - { name: c, format: pagerduty, secret-env: WH, signature: standard-webhooks }
                  - { name: d, url: "https://ci.example.org/hook", secret-env: WH, signature: hmac }
                """);
        var env = Map.of("PLAIN", "0123456789abcdef0123", "SHORT", "whsec_c2hvcnQga2V5IDEy",
                "WH", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        var e = catchThrowableOfType(InvalidPolicy.class, () -> PolicyFile.read(file, env));

        assertThat(e).isNotNull();
        assertThat(e.problems()).containsExactly(
                file + ": integrations[0].secret-env: PLAIN is not a Standard Webhooks secret: it must start with whsec_ "
                        + "(then base64) (signature: standard-webhooks)",
                file + ": integrations[1].secret-env: SHORT holds a key of 12 bytes: use at least 16, e.g. whsec_ and "
                        + "the output of openssl rand -base64 32 (signature: standard-webhooks)",
                file + ": integrations[2].signature: standard-webhooks signs the countersign format only, not pagerduty",
                file + ": integrations[3].signature: unknown signature 'hmac' (known: countersign, standard-webhooks)");
        assertThat(e.getMessage()).doesNotContain("0123456789abcdef0123").doesNotContain("MfKQ9r8G");
    }

    @Test
    void a_confidential_integration_needs_https_except_to_this_machine() throws IOException {
        var file = write(VALID + """
                integrations:
                  - { name: pipeline, url: "http://ci.example.org/hook", secret-env: S, confidential: true }
                  - { name: from-env, url-env: HOOK_URL, secret-env: S, confidential: true }
                  - { name: local, url: "http://127.0.0.1:8080/hook", secret-env: S, confidential: true }
                  - { name: plain, url: "http://ci.example.org/hook", secret-env: S }
                """);
        var env = Map.of("S", "0123456789abcdef0123", "HOOK_URL", "http://hooks.example.org/t0ken");

        var e = catchThrowableOfType(InvalidPolicy.class, () -> PolicyFile.read(file, env));

        assertThat(e).isNotNull();
        assertThat(e.problems()).containsExactly(
                file + ": integrations[0].url: 'http://ci.example.org/hook' is http: with confidential: true it carries "
                        + "what confidential requests say, so use https (plain http only to this machine: 127.0.0.1, "
                        + "::1, localhost)",
                file + ": integrations[1].url-env: the URL in it is http: with confidential: true it carries what "
                        + "confidential requests say, so use https (plain http only to this machine: 127.0.0.1, ::1, "
                        + "localhost)");
        assertThat(e.getMessage()).doesNotContain("t0ken");
    }

    @Test
    void a_file_without_integrations_has_none() throws IOException {
        assertThat(PolicyFile.read(write(VALID), Map.of()).integrations()).isEmpty();
        assertThat(PolicyFile.readDefault(Map.of()).integrations()).isEmpty();
    }

    @Test
    void a_secret_env_that_is_not_set_is_reported_by_its_name() throws IOException {
        var file = write(VALID + """
                integrations:
                  - { name: pipeline, url: "https://ci.example.org/hook", secret-env: PIPELINE_WEBHOOK_SECRET }
                """);

        var e = catchThrowableOfType(InvalidPolicy.class, () -> PolicyFile.read(file, Map.of("PIPELINE_WEBHOOK_SECRET", " ")));

        assertThat(e.problems()).containsExactly(file + ": integrations[0].secret-env: PIPELINE_WEBHOOK_SECRET is not set "
                + "in the environment (set it to the secret shared with pipeline)");
    }

    @Test
    void load_checks_integrations_without_reading_the_environment() throws IOException {
        var policy = PolicyFile.load(write(VALID + """
                integrations:
                  - { name: pipeline, url: "https://ci.example.org/hook", secret-env: SURELY_NOT_SET_ANYWHERE }
                """));

        assertThat(policy.teams()).containsOnlyKeys("sre", "releng");
    }

    @Test
    void every_problem_with_integrations_is_listed_each_where_it_is() throws IOException {
        var file = write(VALID + """
                integrations:
                  - name: pipeline
                    url: ftp://ci.example.org/hook
                    events: [request.opened, request.aproved]
                    format: xml
                    secret-env: PIPELINE_WEBHOOK_SECRET
                    confidential: maybe
                    colour: blue
                  - name: pipeline
                    url-env: LOG_URL
                    format: slack-incoming
                  - { name: pager, format: pagerduty }
                  - { url: "https://ci.example.org/hook", secret-env: "s3cr3t value" }
                """);

        var e = catchThrowableOfType(InvalidPolicy.class, () -> PolicyFile.read(file,
                Map.of("LOG_URL", "not a url with t0ken")));

        assertThat(e.problems()).containsExactly(
                file + ": integrations[0].colour: unknown key (known: name, url, url-env, events, format, secret-env, confidential, signature, channel)",
                file + ": integrations[0].format: unknown format 'xml' (known: countersign, slack-incoming, pagerduty, irc)",
                file + ": integrations[0].url: 'ftp://ci.example.org/hook' is not an http or https URL such as https://ci.example.org/hooks/countersign",
                file + ": integrations[0].events[1]: unknown event 'request.aproved' (known: all, or request.opened, approval.added, "
                        + "approval.withdrawn, approvals.cleared, request.edited, request.approved, request.rejected, request.cancelled, "
                        + "request.expired, deploy.started, deploy.finished, request.closed, request.break_glass, request.reviewed, review.overdue, request.reminded, request.escalated, request.expiry_warned)",
                file + ": integrations[0].confidential: must be true or false, not 'maybe'",
                file + ": integrations[0].secret-env: PIPELINE_WEBHOOK_SECRET is not set in the environment (set it to the secret shared with pipeline)",
                file + ": integrations[1].name: 'pipeline' is used twice",
                file + ": integrations[1].url-env: the URL in it is not an http or https URL such as https://ci.example.org/hooks/countersign",
                file + ": integrations[2].secret-env: missing: name the environment variable that holds the PagerDuty routing key, such as PAGER_SECRET",
                file + ": integrations[3].name: missing: give the webhook a name such as pipeline",
                file + ": integrations[3].secret-env: 's3cr3t value' is not an environment variable name (give the variable's name, "
                        + "such as PIPELINE_WEBHOOK_SECRET, never the secret itself)");
    }

    @Test
    void integrations_that_are_not_a_list_are_reported() throws IOException {
        var file = write(VALID + "integrations: { pipeline: https://ci.example.org/hook }\n");

        var e = invalid(file);

        assertThat(e.problems()).containsExactly(file + ": integrations: must be a list of webhooks, each with name, url "
                + "and secret-env, not a map");
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("policy.yml"), yaml);
    }

    private static InvalidPolicy invalid(Path file) {
        var e = catchThrowableOfType(InvalidPolicy.class, () -> PolicyFile.load(file));
        assertThat(e).as("loading %s should fail", file).isNotNull();
        return e;
    }

    private static Actor console(String name) { return new Actor(Platform.CONSOLE, name); }


    @Test
    void people_may_name_their_email_and_matrix_servers_may_stand_for_mail_domains() throws IOException {
        var policy = PolicyFile.read(write(VALID + """
                people:
                  alice: { slack: U0SRE1, email: Alice@Example.org }
                identity:
                  matrix-mail-domains: { matrix.example.org: example.org }
                """), Map.of()).policy();

        assertThat(policy.personOf(org.countersign.domain.Policy.email("alice@example.org"))).isEqualTo("alice");
        assertThat(policy.mailOf(org.countersign.domain.Actor.matrix("@alice:matrix.example.org")))
                .contains(org.countersign.domain.Policy.email("alice@example.org"));
    }

    @Test
    void a_bad_email_or_mail_domain_is_reported_where_it_is() throws IOException {
        var e = invalid(write(VALID + """
                people:
                  alice: { slack: U0SRE1, email: alice-at-example }
                identity:
                  matrix-mail-domains: { matrix.example.org: "not a domain" }
                  matrix-domains: {}
                """));

        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("people.alice.email: 'alice-at-example' is "
                + "not a mail address"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("identity.matrix-mail-domains.matrix.example.org: "
                + "must be a mail domain"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("identity.matrix-domains: unknown key"));
    }

    @Test
    void people_may_name_the_subject_their_sign_in_provider_gives_them() throws IOException {
        var policy = PolicyFile.read(write(VALID + """
                people:
                  alice: { slack: U0SRE1, oidc: "248289761001" }
                  bob:   { slack: U0SRE2, oidc: ["auth0|5f7c8ec7c33c6c004bbafe82", "b0b"] }
                """), Map.of()).policy();

        assertThat(policy.linkedPerson(org.countersign.domain.Policy.oidcSubject("248289761001"))).hasValue("alice");
        assertThat(policy.linkedPerson(org.countersign.domain.Policy.oidcSubject("auth0|5f7c8ec7c33c6c004bbafe82")))
                .hasValue("bob");
        assertThat(policy.linkedPerson(org.countersign.domain.Policy.oidcSubject("U0SRE1"))).isEmpty();
    }

    @Test
    void a_subject_with_spaces_or_linked_to_two_people_is_reported() throws IOException {
        var e = invalid(write(VALID + """
                people:
                  alice: { slack: U0SRE1, oidc: "not one subject" }
                  bob:   { slack: U0SRE2, oidc: same }
                  carol: { oidc: same }
                """));

        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("people.alice.oidc: 'not one subject' is not "
                + "an OpenID Connect subject"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("oidc:same is linked to both bob and carol"));
    }
}
