package org.countersign.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.TestPolicies.DEV;
import static org.countersign.domain.TestPolicies.REL1_MATRIX;
import static org.countersign.domain.TestPolicies.SRE1;
import static org.countersign.domain.TestPolicies.SRE2;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.countersign.app.PolicyDirectory;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Outcome.Refused;
import org.junit.jupiter.api.Test;

/** One person is one identity: accounts tied by the policy, by a verified email, by a mapped Matrix server. */
class IdentityTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private final Policy policy = TestPolicies.standard().withMatrixMailDomains(Map.of("Example.org", "example.org"));

    @Test
    void a_matrix_id_on_a_mapped_server_stands_for_a_mail_address_and_others_for_none() {
        assertThat(policy.mailOf(Actor.matrix("@Xavier:example.org"))).contains(Policy.email("xavier@example.org"));
        assertThat(policy.mailOf(Actor.matrix("@x:elsewhere.org"))).isEmpty();
        assertThat(policy.mailOf(Actor.slack("U0X"))).isEmpty();
    }

    @Test
    void accounts_with_the_same_verified_email_are_one_person() {
        var directory = new PolicyDirectory(policy, a -> a.equals(Actor.slack("U0GRP1"))
                ? Optional.of("REL1@example.org") : Optional.empty());
        var slack = directory.resolve(Actor.slack("U0GRP1"));
        var matrix = directory.resolve(Actor.matrix("@rel1:example.org"));

        assertThat(slack.person()).isEqualTo("email:rel1@example.org").isEqualTo(matrix.person());
        assertThat(slack.linked()).isTrue();
        assertThat(matrix.teams()).containsExactly("releng");
    }

    @Test
    void with_several_platforms_an_account_tied_to_nobody_may_neither_open_nor_approve() {
        var strict = new Workflow(policy, true);
        var directory = new PolicyDirectory(policy);
        var nobody = directory.resolve(Actor.slack("U0NOBODY"));

        var open = strict.open(new RequestId(1), TestPolicies.draft("availability"), nobody, NOW);
        var request = ((Applied) strict.open(new RequestId(2), TestPolicies.draft("availability"),
                directory.resolve(SRE1), NOW)).request();
        var approve = strict.apply(request, new Command.Approve(request.id(), directory.resolve(SRE2), "sre"), NOW);

        assertThat(nobody.linked()).isFalse();
        assertThat(open).isInstanceOf(Refused.class);
        assertThat(open.message()).startsWith("Countersign cannot tie your account slack:U0NOBODY to a person")
                .contains("people:");
        assertThat(approve).isInstanceOf(Refused.class);
        assertThat(approve.message()).contains("cannot let you approve EMG-2");
        assertThat(new Workflow(policy).open(new RequestId(3), TestPolicies.draft("availability"), nobody, NOW))
                .as("one platform: an account is a person").isInstanceOf(Applied.class);
    }

    @Test
    void at_start_every_team_member_who_cannot_be_told_apart_across_the_enabled_platforms_is_listed() {
        var lines = policy.unlinkedMembers(EnumSet.of(Platform.SLACK, Platform.MATRIX));

        assertThat(lines).anyMatch(l -> l.startsWith("slack:U0SRE2 (SRE, slack:U0SRE2) has no matrix account"));
        assertThat(lines).noneMatch(l -> l.startsWith("sre1 ")); // linked on both
        assertThat(lines).noneMatch(l -> l.contains(REL1_MATRIX.toString())); // its server is mapped to mail
        assertThat(policy.unlinkedMembers(Set.of(Platform.SLACK))).isEmpty();
        assertThat(DEV.platform()).isEqualTo(Platform.SLACK);
    }
}
