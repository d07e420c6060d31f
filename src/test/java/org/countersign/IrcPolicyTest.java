package org.countersign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.countersign.app.PolicyDirectory;
import org.countersign.domain.Actor;
import org.countersign.domain.EventType;
import org.countersign.domain.Policy;
import org.countersign.webhook.Integration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy's IRC parts: {@code irc-accounts} per team, {@code people.<p>.irc} links, {@code format: irc} targets. */
class IrcPolicyTest {
    @TempDir
    Path dir;

    private PolicyFile.Loaded read(String yaml) throws Exception {
        var file = dir.resolve("policy.yml");
        Files.writeString(file, yaml);
        return PolicyFile.read(file, Map.of());
    }

    private static final String TEAMS = """
            teams:
              sre: { label: SRE, slack-users: [U0SRE1], irc-accounts: [Alice] }
              releng: { label: Release Engineering, irc-accounts: [bob] }
            reasons:
              availability: { label: Availability, teams: [sre, releng] }
            """;

    @Test
    void an_irc_account_of_a_team_approves_for_it_whatever_its_case_and_people_link_it_to_the_slack_one()
            throws Exception {
        var policy = read(TEAMS + """
                people:
                  alice: { slack: U0SRE1, irc: ALICE }
                """).policy();
        var directory = new PolicyDirectory(policy);

        var member = directory.resolve(Actor.irc("alice"));
        assertThat(member.teams()).containsExactly("sre");
        assertThat(member.person()).isEqualTo("alice");
        assertThat(directory.resolve(Actor.slack("U0SRE1")).person()).isEqualTo("alice");
        assertThat(directory.resolve(Actor.irc("bob")).teams()).containsExactly("releng");
        assertThat(directory.resolve(Actor.irc("mallory")).teams()).isEmpty();
    }

    @Test
    void a_nick_that_is_no_account_name_is_refused_with_what_to_give() {
        assertThatThrownBy(() -> read(TEAMS.replace("[bob]", "[\"bob smith\"]")))
                .isInstanceOf(Policy.InvalidPolicy.class)
                .hasMessageContaining("teams.releng.irc-accounts[0]: 'bob smith' is not an IRC services account");
    }

    @Test
    void an_irc_channel_is_an_integration_target_for_admin_log_lines() throws Exception {
        var loaded = read(TEAMS + """
                integrations:
                  - name: sal
                    format: irc
                    channel: "#operations-log"
                    events: [request.opened, request.approved]
                """);

        var sal = loaded.integrations().get(0);
        assertThat(sal.format()).isEqualTo(Integration.Format.IRC);
        assertThat(sal.channel()).isEqualTo("#operations-log");
        assertThat(sal.wants(EventType.REQUEST_APPROVED)).isTrue();
        assertThat(sal.wants(EventType.APPROVAL_ADDED)).isFalse();
        assertThat(sal.toString()).contains("url=irc #operations-log");
    }

    @Test
    void an_irc_target_needs_a_channel_and_no_url() {
        assertThatThrownBy(() -> read(TEAMS + """
                integrations:
                  - name: sal
                    format: irc
                    url: https://example.org/hook
                """)).isInstanceOf(Policy.InvalidPolicy.class)
                .hasMessageContaining("integrations[0].url: is not for format: irc")
                .hasMessageContaining("integrations[0].channel: missing: name the IRC channel");
    }
}
