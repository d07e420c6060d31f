package org.countersign.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.countersign.domain.PolicyBuilder.aPolicy;
import static org.countersign.domain.PolicyBuilder.aTwoTeamPolicy;
import static org.countersign.domain.TestPolicies.REL1;
import static org.countersign.domain.TestPolicies.SRE1;
import static org.countersign.domain.TestPolicies.SRE1_MATRIX;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.countersign.domain.Policy.InvalidPolicy;
import org.junit.jupiter.api.Test;

class PolicyTest {

    @Test
    void a_two_team_policy_is_valid() {
        var policy = aTwoTeamPolicy().build();

        assertThat(policy.teams()).containsOnlyKeys("sre", "releng");
        assertThat(policy.expireAfter()).isEqualTo(Duration.ofMinutes(60));
    }

    @Test
    void a_policy_with_nothing_in_it_lists_every_missing_part() {
        assertThat(problems(aPolicy().expiringAfter(null))).containsExactly(
                "no teams are defined",
                "no reasons are defined",
                "expire-after must be a positive duration such as 60m, not null");
    }

    @Test
    void approvals_stay_valid_for_two_hours_unless_the_policy_says_otherwise() {
        assertThat(aTwoTeamPolicy().build().approvalValidFor()).isEqualTo(Duration.ofHours(2));
        assertThat(aTwoTeamPolicy().approvalsValidFor(Duration.ofMinutes(30)).build().approvalValidFor())
                .isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void an_approval_validity_that_is_not_positive_is_a_problem() {
        assertThat(problems(aTwoTeamPolicy().approvalsValidFor(Duration.ZERO))).containsExactly(
                "approval-valid-for must be a positive duration such as 2h, not PT0S");
    }

    @Test
    void a_team_with_no_members_is_a_problem() {
        assertThat(problems(aTwoTeamPolicy().withTeam("security", "Security"))).containsExactly(
                "team security has no members (list slack-users, matrix-users, console-users, irc-accounts or a slack-usergroup)");
    }

    @Test
    void a_team_with_only_a_slack_usergroup_has_members() {
        var policy = aTwoTeamPolicy().withTeam(new Team("security", "Security", Set.of(), "S0SEC", 1)).build();

        assertThat(policy.team("security").orElseThrow().slackUsergroup()).isEqualTo("S0SEC");
    }

    @Test
    void a_team_needing_no_approval_is_a_problem() {
        assertThat(problems(aTwoTeamPolicy().withTeam(new Team("sre", "SRE", Set.of(SRE1), null, 0))))
                .containsExactly("team sre needs at least 1 approval, not 0");
    }

    @Test
    void a_reason_needing_an_unknown_team_names_the_known_teams() {
        assertThat(problems(aTwoTeamPolicy().withReason("abuse", "Abuse", "sre", "trust"))).containsExactly(
                "reason abuse requires unknown team trust (known: sre, releng)");
    }

    @Test
    void a_reason_needing_no_team_is_a_problem() {
        assertThat(problems(aTwoTeamPolicy().withReason("abuse", "Abuse"))).containsExactly("reason abuse requires no team");
    }

    @Test
    void a_reason_listing_a_team_twice_is_a_problem() {
        assertThat(problems(aTwoTeamPolicy().withReason("abuse", "Abuse", "sre", "sre")))
                .containsExactly("reason abuse lists a team twice");
    }

    @Test
    void an_expiry_of_zero_is_a_problem() {
        assertThat(problems(aTwoTeamPolicy().expiringAfter(Duration.ZERO)))
                .containsExactly("expire-after must be a positive duration such as 60m, not PT0S");
    }

    @Test
    void an_account_linked_to_two_people_is_a_problem() {
        assertThat(problems(aTwoTeamPolicy().linking("alice", SRE1).linking("bob", SRE1, REL1)))
                .containsExactly("account slack:U0SRE1 is linked to both alice and bob");
    }

    @Test
    void every_problem_is_listed_together_in_one_exception() {
        var e = catchThrowableOfType(InvalidPolicy.class, () -> aPolicy()
                .withTeam("sre", " ", SRE1)
                .withTeam("security", "Security")
                .withReason("abuse", "", "sre", "trust")
                .expiringAfter(Duration.ofMinutes(-5))
                .linking("alice", SRE1).linking("bob", SRE1)
                .build());

        assertThat(e.problems()).containsExactly(
                "team sre has no label",
                "team security has no members (list slack-users, matrix-users, console-users, irc-accounts or a slack-usergroup)",
                "reason abuse has no label",
                "reason abuse requires unknown team trust (known: sre, security)",
                "expire-after must be a positive duration such as 60m, not PT-5M",
                "account slack:U0SRE1 is linked to both alice and bob");
        assertThat(e.getMessage()).isEqualTo("invalid policy:\n  - " + String.join("\n  - ", e.problems()));
    }

    @Test
    void linked_accounts_are_one_person_in_the_teams_of_either() {
        var policy = TestPolicies.standard();

        assertThat(policy.personOf(SRE1_MATRIX)).isEqualTo("sre1");
        assertThat(policy.accountsOf(SRE1_MATRIX)).containsExactlyInAnyOrder(SRE1, SRE1_MATRIX);
        assertThat(policy.listedTeamsOf(SRE1_MATRIX)).containsExactly("sre");
    }

    @Test
    void an_unlinked_account_is_its_own_person() {
        assertThat(TestPolicies.standard().personOf(REL1)).isEqualTo("slack:U0REL1");
    }

    @Test
    void a_team_the_policy_no_longer_has_is_shown_by_its_key() {
        assertThat(TestPolicies.standard().teamLabel("dba")).isEqualTo("dba");
    }

    private static List<String> problems(PolicyBuilder policy) {
        var e = catchThrowableOfType(InvalidPolicy.class, policy::build);
        assertThat(e).as("the policy should be refused").isNotNull();
        return e.problems();
    }
}
