package org.countersign.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.TestPolicies.REL1;
import static org.countersign.domain.TestPolicies.SRE1;
import static org.countersign.domain.TestPolicies.SRE2;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.countersign.domain.Actor;
import org.countersign.domain.Platform;
import org.countersign.domain.Policy;
import org.countersign.domain.Reason;
import org.countersign.domain.Team;
import org.junit.jupiter.api.Test;

/** Who a signed-in person and a named API token are to the directory. */
class WebIdentityTest {
    private final Policy policy = Policy.of(
            Map.of("sre", new Team("sre", "SRE", Set.of(SRE1, SRE2), null, 1),
                    "releng", new Team("releng", "Release Engineering", Set.of(REL1), null, 1)),
            Map.of("availability", new Reason("availability", "Availability", List.of("sre", "releng"), false)),
            Duration.ofHours(1),
            Map.of("alice", Set.of(SRE1, Policy.email("alice@example.org")),
                    "carol", Set.of(REL1, Policy.oidcSubject("sub-carol"))));
    private final PolicyDirectory directory = new PolicyDirectory(policy);

    @Test
    void a_signed_in_person_is_the_policy_person_with_their_teams_and_is_linked() {
        var alice = directory.resolve(new Actor(Platform.WEB, "alice"));
        assertThat(alice.person()).isEqualTo("alice");
        assertThat(alice.teams()).containsExactly("sre");
        assertThat(alice.linked()).isTrue();
        assertThat(alice.isSystem()).isFalse();
    }

    @Test
    void a_web_actor_for_someone_the_policy_no_longer_names_is_an_outsider() {
        var gone = directory.resolve(new Actor(Platform.WEB, "mallory"));
        assertThat(gone.teams()).isEmpty();
        assertThat(gone.linked()).isFalse();
    }

    @Test
    void a_named_api_token_is_a_pipeline_in_no_team() {
        var bot = directory.resolve(new Actor(Platform.API, "deploy-bot"));
        assertThat(bot.teams()).isEmpty();
        assertThat(bot.isSystem()).isTrue();
        assertThat(bot.person()).isEqualTo("api:deploy-bot");
    }

    @Test
    void with_web_sign_in_on_a_member_without_an_email_or_subject_is_listed_as_unlinked() {
        var lines = policy.unlinkedMembers(EnumSet.of(Platform.SLACK, Platform.WEB));
        assertThat(lines).singleElement().asString().startsWith("slack:U0SRE2 ").contains("has no web account");
    }
}
