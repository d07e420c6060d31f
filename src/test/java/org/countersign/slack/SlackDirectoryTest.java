package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.countersign.app.PolicyDirectory;
import org.countersign.domain.Actor;
import org.countersign.domain.TestPolicies;
import org.countersign.slack.fake.Failure;
import org.countersign.slack.fake.FakeSlack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SlackDirectoryTest {
    private static final String TOKEN = "xoxb-directory-test";
    private final FakeSlack fake = new FakeSlack(TOKEN).withUsergroup("S0SRE", List.of("U0GRP1"));
    private final MutableClock clock = new MutableClock();
    private final SlackDirectory directory = new SlackDirectory(new PolicyDirectory(TestPolicies.standard()),
            TestPolicies.standard(), Slack.getInstance(fake.slackConfig()).methods(TOKEN), clock, Duration.ofMinutes(1));

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void a_member_of_a_teams_user_group_is_in_the_team() {
        assertThat(directory.resolve(Actor.slack("U0GRP1")).teams()).containsExactly("sre");
    }

    @Test
    void listed_members_keep_their_teams_without_being_in_the_group() {
        assertThat(directory.resolve(TestPolicies.REL1).teams()).containsExactly("releng");
    }

    @Test
    void the_group_is_asked_once_per_minute_not_once_per_click() {
        directory.resolve(Actor.slack("U0GRP1"));
        directory.resolve(Actor.slack("U0GRP1"));
        clock.advance(Duration.ofSeconds(59));
        directory.resolve(Actor.slack("U0GRP1"));
        assertThat(fake.calls("usergroups.users.list")).hasSize(1);

        clock.advance(Duration.ofSeconds(2));
        directory.resolve(Actor.slack("U0GRP1"));
        assertThat(fake.calls("usergroups.users.list")).hasSize(2);
    }

    @Test
    void when_slack_fails_the_last_known_members_are_used() {
        directory.resolve(Actor.slack("U0GRP1"));
        clock.advance(Duration.ofMinutes(2));
        fake.failNext("usergroups.users.list", 1, Failure.rateLimited(30));

        assertThat(directory.resolve(Actor.slack("U0GRP1")).teams()).containsExactly("sre");
    }

    @Test
    void when_slack_fails_before_any_answer_only_the_listed_members_count() {
        fake.failNext("usergroups.users.list", 1, Failure.error("no_such_subteam"));

        assertThat(directory.resolve(Actor.slack("U0GRP1")).teams()).isEmpty();
        assertThat(directory.resolve(TestPolicies.SRE1).teams()).containsExactly("sre");
    }

    @Test
    void matrix_accounts_are_not_looked_up_in_slack() {
        directory.resolve(TestPolicies.SRE1_MATRIX);
        assertThat(fake.calls("usergroups.users.list")).isEmpty();
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-26T14:00:00Z");

        void advance(Duration d) { now = now.plus(d); }

        @Override public Instant instant() { return now; }

        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }

        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    }
}
