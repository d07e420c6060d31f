package org.countersign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.countersign.domain.Policy.InvalidPolicy;
import org.junit.jupiter.api.Test;

/** The policy keys of windows, freezes, informed teams, a quorum per reason, who may open and how often. */
class PolicyProcessKeysTest {
    private static final String VALID = """
            teams:
              sre:      { label: SRE, slack-users: [U0SRE1] }
              releng:   { label: Release Engineering, slack-users: [U0REL1] }
              security: { label: Security, slack-users: [U0SEC1, U0SEC2] }
            reasons:
              availability: { label: Availability, teams: [sre], informed: [releng] }
              security: { label: Security issue, teams: [sre, security], approvals: { security: 2 } }
            windows:
              time-zone: Europe/Berlin
              weekly:
                - { days: [mon, tue, wed, thu], from: "07:00", to: "08:00", label: UTC morning backport window }
                - { days: [fri], from: "22:00", to: "02:00", label: night }
            freezes:
              - { from: 2026-12-20, to: 2027-01-04, label: End of year, teams: [security] }
            people:
              dev: { slack: U0DEV1 }
            may-open: { teams: [sre, releng], people: [dev] }
            open-limit: 5/1h
            """;

    static String problems(String yaml) {
        return String.join("\n", catchThrowableOfType(() -> PolicyFile.parse(yaml, "policy.yml"),
                InvalidPolicy.class).problems());
    }

    @Test
    void every_new_key_is_read() {
        var policy = PolicyFile.parse(VALID, "policy.yml");

        var windows = policy.windows();
        assertThat(windows.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(windows.weekly()).hasSize(2);
        assertThat(windows.weekly().get(0).days()).containsExactlyInAnyOrder(DayOfWeek.MONDAY, DayOfWeek.TUESDAY,
                DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY);
        assertThat(windows.weekly().get(0).from()).isEqualTo(LocalTime.of(7, 0));
        assertThat(windows.weekly().get(0).label()).isEqualTo("UTC morning backport window");
        assertThat(windows.weekly().get(1).to()).isEqualTo(LocalTime.of(2, 0));
        assertThat(windows.freezes()).singleElement().satisfies(f -> {
            assertThat(f.from()).isEqualTo(LocalDate.parse("2026-12-20"));
            assertThat(f.to()).isEqualTo(LocalDate.parse("2027-01-04"));
            assertThat(f.label()).isEqualTo("End of year");
            assertThat(f.teams()).containsExactly("security");
        });
        assertThat(policy.reasons().get("availability").informed()).containsExactly("releng");
        assertThat(policy.quorum("security", "security")).isEqualTo(2);
        assertThat(policy.quorum("security", "sre")).isEqualTo(1);
        assertThat(policy.opening().teams()).containsExactlyInAnyOrder("sre", "releng");
        assertThat(policy.opening().people()).containsExactly("dev");
        assertThat(policy.opening().limit()).isEqualTo(5);
        assertThat(policy.opening().per()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void without_the_new_keys_there_are_no_windows_and_everyone_opens_as_often_as_they_like() {
        var policy = PolicyFile.parse("""
                teams:
                  sre: { label: SRE, slack-users: [U0SRE1] }
                reasons:
                  availability: { label: Availability, teams: [sre] }
                """, "policy.yml");

        assertThat(policy.windows().configured()).isFalse();
        assertThat(policy.opening().restricted()).isFalse();
        assertThat(policy.opening().limited()).isFalse();
    }

    @Test
    void the_packaged_example_shows_windows_a_freeze_an_informed_team_and_a_quorum_per_reason() {
        var policy = PolicyFile.loadDefault();

        assertThat(policy.windows().weekly()).extracting(w -> w.label())
                .containsExactly("UTC morning backport window", "UTC afternoon backport window");
        assertThat(policy.windows().freezes()).extracting(f -> f.label()).containsExactly("End of year");
        assertThat(policy.reasons().get("abuse").informed()).containsExactly("security");
        assertThat(policy.reasons().get("security").approvals()).isEqualTo(Map.of("security", 1));
    }

    @Test
    void the_packaged_examples_commented_out_keys_are_valid_once_uncommented() throws Exception {
        var example = Files.readString(Path.of("infra/policy.example.yml"));
        var uncommented = example.replaceAll("(?m)^#\\? ", "");
        assertThat(uncommented).isNotEqualTo(example);

        var policy = PolicyFile.parse(uncommented, "policy.example.yml");

        assertThat(policy.opening().teams()).containsExactlyInAnyOrder("sre", "releng", "security");
        assertThat(policy.opening().people()).containsExactly("dev");
        assertThat(policy.opening().limitText()).isEqualTo("5/1h");
        assertThat(policy.windows().freezes()).extracting(f -> f.teams()).contains(List.of("security"));
    }

    @Test
    void bad_windows_and_freezes_are_each_named_with_what_to_write() {
        var text = problems(VALID.replace("time-zone: Europe/Berlin", "time-zone: Mars/Olympus")
                .replace("days: [fri], from: \"22:00\"", "days: [fry], from: 22")
                .replace("to: \"08:00\"", "to: \"8am\"")
                .replace("from: 2026-12-20", "from: 2026-13-20")
                .replace("teams: [security] }\npeople", "teams: [legal] }\npeople"));

        assertThat(text).contains(
                "windows.time-zone: 'Mars/Olympus' is not a time zone; write UTC or a region such as Europe/Berlin",
                "windows.weekly[1].days: 'fry' is not a day",
                "windows.weekly[1].from: must be a time of day in quotes such as \"07:00\", not 22",
                "windows.weekly[0].to: must be a time of day in quotes such as \"07:00\", not '8am'",
                "freezes[0].from: must be a date such as 2026-12-20, not '2026-13-20'");
    }

    @Test
    void a_freeze_requiring_an_unknown_team_is_refused() {
        assertThat(problems(VALID.replace("label: End of year, teams: [security]", "label: End of year, teams: [legal]")))
                .contains("freezes[0] requires unknown team legal");
    }

    @Test
    void a_window_that_opens_and_closes_at_once_is_refused() {
        assertThat(problems(VALID.replace("from: \"22:00\", to: \"02:00\"", "from: \"22:00\", to: \"22:00\"")))
                .contains("windows.weekly[1] opens and closes at 22:00");
    }

    @Test
    void bad_reason_keys_are_named() {
        var text = problems(VALID.replace("informed: [releng]", "informed: [legal]")
                .replace("approvals: { security: 2 }", "approvals: { security: two, releng: 1 }"));

        assertThat(text).contains("reasons.security.approvals.security: must be a number, not 'two'",
                "reason security sets approvals for releng, which it does not require",
                "reason availability informs unknown team legal");
    }

    @Test
    void bad_may_open_and_open_limit_are_named() {
        var text = problems(VALID.replace("may-open: { teams: [sre, releng], people: [dev] }",
                        "may-open: { teams: [sre, legal], people: [mallory], groups: [S0DEV] }")
                .replace("open-limit: 5/1h", "open-limit: five an hour"));

        assertThat(text).contains("may-open.groups: unknown key (known: teams, people)",
                "may-open.teams names unknown team legal",
                "may-open.people names mallory, who is not under people:",
                "open-limit: must be a count and a window such as 5/1h");
    }

    @Test
    void an_empty_may_open_is_refused_rather_than_letting_nobody_open() {
        assertThat(problems(VALID.replace("may-open: { teams: [sre, releng], people: [dev] }", "may-open: {}")))
                .contains("may-open: names nobody");
    }

    @Test
    void may_open_of_a_team_lets_its_members_open() {
        var policy = PolicyFile.parse(VALID, "policy.yml");
        assertThat(policy.opening().teams()).isEqualTo(Set.of("sre", "releng"));
    }
}
