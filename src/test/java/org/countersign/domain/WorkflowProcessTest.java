package org.countersign.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.Outcome.Refusal.NOT_ALLOWED;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.countersign.app.PolicyDirectory;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Outcome.Refused;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The rules of issue 14 the Workflow owns: freezes' extra teams, informed teams, a quorum per reason, who may open. */
class WorkflowProcessTest {
    static final Actor DEV = Actor.slack("U0DEV1");
    static final Actor SRE1 = Actor.slack("U0SRE1");
    static final Actor SRE2 = Actor.slack("U0SRE2");
    static final Actor REL1 = Actor.slack("U0REL1");
    static final Actor SEC1 = Actor.slack("U0SEC1");
    static final Actor SEC2 = Actor.slack("U0SEC2");
    static final Instant MONDAY_NIGHT = Instant.parse("2026-11-30T22:00:00Z");
    static final Instant CHRISTMAS = Instant.parse("2026-12-24T12:00:00Z");
    static final Instant FREEZE_LAST_SECOND = Instant.parse("2027-01-04T23:59:59Z");
    static final Instant AFTER_FREEZE = Instant.parse("2027-01-05T00:00:00Z");

    static Policy policy() {
        var teams = new LinkedHashMap<String, Team>();
        teams.put("sre", new Team("sre", "SRE", Set.of(SRE1, SRE2), null, 1));
        teams.put("releng", new Team("releng", "Release Engineering", Set.of(REL1), null, 1));
        teams.put("security", new Team("security", "Security", Set.of(SEC1, SEC2), null, 1));
        var reasons = new LinkedHashMap<String, Reason>();
        reasons.put("availability", new Reason("availability", "Availability", List.of("sre"), false,
                List.of("releng"), Map.of()));
        reasons.put("security", new Reason("security", "Security issue", List.of("sre", "security"), true,
                List.of(), Map.of("security", 2)));
        var people = Map.of("dev", Set.of(DEV), "sre1", Set.of(SRE1), "sre2", Set.of(SRE2), "rel1", Set.of(REL1),
                "sec1", Set.of(SEC1), "sec2", Set.of(SEC2));
        return Policy.of(teams, reasons, Duration.ofHours(24), people)
                .withWindows(new Windows(ZoneId.of("UTC"), List.of(new Windows.Weekly(EnumSet.of(DayOfWeek.MONDAY),
                        LocalTime.of(7, 0), LocalTime.of(8, 0), "morning")), List.of(new Windows.Freeze(
                        LocalDate.parse("2026-12-20"), LocalDate.parse("2027-01-04"), "End of year", List.of("security")))));
    }

    static Member member(Policy policy, Actor actor) { return new PolicyDirectory(policy).resolve(actor); }

    static EmergencyRequest open(Workflow w, String reason, Instant at) {
        var outcome = w.open(new RequestId(1), TestPolicies.draft(reason), member(w.policy(), DEV), at);
        assertThat(outcome).isInstanceOf(Applied.class);
        return ((Applied) outcome).request();
    }

    static Outcome approve(Workflow w, EmergencyRequest r, Actor by, String team, Instant at) {
        return w.apply(r, new Command.Approve(r.id(), member(w.policy(), by), team), at);
    }

    static EmergencyRequest approved(Workflow w, EmergencyRequest r, Actor by, String team, Instant at) {
        var outcome = approve(w, r, by, team, at);
        assertThat(outcome).as(outcome.message()).isInstanceOf(Applied.class);
        return ((Applied) outcome).request();
    }

    static Refused refused(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Refused.class);
        return (Refused) outcome;
    }

    @Nested
    class Freezes {
        @Test
        void a_request_opened_during_a_freeze_needs_the_freezes_team_too() {
            var r = open(new Workflow(policy()), "availability", CHRISTMAS);

            assertThat(r.requiredTeams()).containsExactly("sre", "security");
        }

        @Test
        void on_the_freezes_last_second_it_still_adds_its_team_and_a_second_later_it_does_not() {
            var w = new Workflow(policy());

            assertThat(open(w, "availability", FREEZE_LAST_SECOND).requiredTeams()).containsExactly("sre", "security");
            assertThat(open(w, "availability", AFTER_FREEZE).requiredTeams()).containsExactly("sre");
        }

        @Test
        void a_team_the_reason_requires_already_is_not_required_twice() {
            var r = open(new Workflow(policy()), "security", CHRISTMAS);

            assertThat(r.requiredTeams()).containsExactly("sre", "security");
        }

        @Test
        void a_freeze_naming_an_unknown_team_is_a_policy_problem() {
            var bad = new Windows(ZoneId.of("UTC"), List.of(), List.of(new Windows.Freeze(LocalDate.parse("2026-12-20"),
                    LocalDate.parse("2026-12-19"), "Backwards", List.of("legal"))));

            var e = org.assertj.core.api.Assertions.catchThrowableOfType(() -> policy().withWindows(bad),
                    Policy.InvalidPolicy.class);

            assertThat(e.problems()).containsExactly("freezes[0] ends (2026-12-19) before it starts (2026-12-20)",
                    "freezes[0] requires unknown team legal (known: sre, releng, security)");
        }
    }

    @Nested
    class QuorumPerReason {
        @Test
        void a_reason_asking_two_security_approvals_is_not_approved_by_one() {
            var w = new Workflow(policy());
            var r = open(w, "security", MONDAY_NIGHT);
            r = approved(w, r, SRE1, "sre", MONDAY_NIGHT);
            r = approved(w, r, SEC1, "security", MONDAY_NIGHT);

            assertThat(r.state()).isEqualTo(State.PENDING);
            assertThat(w.teamsStillNeeded(r)).containsExactly("security");
            assertThat(w.quorum(r, "security")).isEqualTo(2);

            r = approved(w, r, SEC2, "security", MONDAY_NIGHT);
            assertThat(r.state()).isEqualTo(State.APPROVED);
        }

        @Test
        void the_reasons_count_applies_to_its_own_requests_only() {
            var w = new Workflow(policy());
            var r = open(w, "availability", CHRISTMAS); // security required by the freeze, at the team's own count

            assertThat(w.quorum(r, "security")).isEqualTo(1);
            assertThat(w.quorum(r, "sre")).isEqualTo(1);
        }

        @Test
        void a_reason_counting_approvals_of_a_team_it_does_not_require_is_a_policy_problem() {
            var teams = policy().teams();
            var reasons = Map.of("abuse", new Reason("abuse", "Abuse", List.of("sre"), false, List.of("sre", "legal"),
                    Map.of("security", 0)));

            var e = org.assertj.core.api.Assertions.catchThrowableOfType(
                    () -> Policy.of(teams, reasons, Duration.ofHours(1), Map.of()), Policy.InvalidPolicy.class);

            assertThat(e.problems()).contains(
                    "reason abuse both requires and only informs sre; list it in one of teams or informed",
                    "reason abuse informs unknown team legal (known: sre, releng, security)",
                    "reason abuse sets approvals for security, which it does not require (it requires sre)",
                    "reason abuse needs at least 1 approval from security, not 0");
        }
    }

    @Nested
    class InformedTeams {
        @Test
        void an_informed_team_is_told_but_not_required() {
            var w = new Workflow(policy());
            var r = open(w, "availability", MONDAY_NIGHT);

            assertThat(r.requiredTeams()).containsExactly("sre");
            assertThat(w.informedTeams(r)).containsExactly("releng");
        }

        @Test
        void an_informed_team_members_approval_is_refused_saying_they_are_only_informed() {
            var w = new Workflow(policy());
            var r = open(w, "availability", MONDAY_NIGHT);

            var named = refused(approve(w, r, REL1, "releng", MONDAY_NIGHT));
            var unnamed = refused(approve(w, r, REL1, null, MONDAY_NIGHT));

            assertThat(named.kind()).isEqualTo(NOT_ALLOWED);
            assertThat(named.message()).isEqualTo("Release Engineering is informed of EMG-1, not asked to approve it, "
                    + "so your approval does not count; it needs SRE");
            assertThat(unnamed.message()).isEqualTo(named.message());
        }

        @Test
        void the_quorum_is_reached_without_the_informed_team() {
            var w = new Workflow(policy());
            var r = approved(w, open(w, "availability", MONDAY_NIGHT), SRE1, null, MONDAY_NIGHT);

            assertThat(r.state()).isEqualTo(State.APPROVED);
        }
    }

    @Nested
    class WhoMayOpen {
        final Policy restricted = policy().withOpening(new Opening(Set.of("sre", "releng"), Set.of("sec1"), 5,
                Duration.ofHours(1)));

        @Test
        void someone_outside_the_teams_and_people_named_is_refused_saying_who_may() {
            var w = new Workflow(restricted);

            var refused = refused(w.open(new RequestId(1), TestPolicies.draft("availability"), member(restricted, DEV),
                    MONDAY_NIGHT));

            assertThat(refused.kind()).isEqualTo(NOT_ALLOWED);
            assertThat(refused.message()).isEqualTo("Only members of SRE or Release Engineering (and sec1) may open "
                    + "emergency requests, and you are not one of them. Nothing was recorded: ask one of them to open it "
                    + "for you, or ask your Countersign admin to add you to may-open in the policy");
        }

        @Test
        void a_member_of_a_named_team_and_a_named_person_may_open() {
            var w = new Workflow(restricted);

            assertThat(w.mayOpen(member(restricted, REL1))).isEmpty();
            assertThat(w.mayOpen(member(restricted, SEC1))).isEmpty();
            assertThat(w.mayOpen(member(restricted, SEC2))).isPresent();
        }

        @Test
        void when_a_teams_membership_cannot_be_checked_now_the_refusal_says_why() {
            var refused = new Workflow(restricted).mayOpen(member(restricted, SEC2),
                    Map.of("releng", "Slack has not answered for 20 min about the Release Engineering user group"));

            assertThat(refused).map(Refused::message)
                    .contains("Slack has not answered for 20 min about the Release Engineering user group");
        }

        @Test
        void a_pipeline_with_its_own_token_may_open() {
            assertThat(new Workflow(restricted).mayOpen(Member.outsider(new Actor(Platform.API, "deploy")))).isEmpty();
        }

        @Test
        void by_default_everyone_may_open() {
            assertThat(new Workflow(policy()).mayOpen(member(policy(), DEV))).isEmpty();
        }

        @Test
        void the_open_limit_refusal_says_when_to_try_again() {
            var refused = new Workflow(restricted).openLimitReached(MONDAY_NIGHT, MONDAY_NIGHT.plus(Duration.ofMinutes(12)));

            assertThat(refused.kind()).isEqualTo(NOT_ALLOWED);
            assertThat(refused.message()).isEqualTo("You opened 5 request(s) within 1h, as many as the policy allows "
                    + "(open-limit: 5/1h), so nothing was recorded. Try again after 22:12 UTC (in 12 min), or ask your "
                    + "Countersign admin to raise open-limit");
        }

        @Test
        void may_open_naming_an_unknown_team_or_person_is_a_policy_problem() {
            var e = org.assertj.core.api.Assertions.catchThrowableOfType(
                    () -> policy().withOpening(new Opening(Set.of("legal"), Set.of("mallory"), 0, null)),
                    Policy.InvalidPolicy.class);

            assertThat(e.problems()).hasSize(2).allMatch(p -> p.contains("legal") || p.contains("mallory"));
        }
    }
}
