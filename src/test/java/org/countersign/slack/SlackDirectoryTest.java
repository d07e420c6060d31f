package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.slack.api.Slack;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.domain.Actor;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.slack.fake.Failure;
import org.countersign.slack.fake.FakeSlack;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Team membership through Slack user groups, against the Slack fake: read in the background, trusted for 15 min. */
class SlackDirectoryTest {
    private static final String TOKEN = "xoxb-directory-test";
    /** In SRE only through the S0SRE user group. */
    private static final Actor GROUP_MEMBER = Actor.slack("U0GRP1");
    private static final Duration MAX_AGE = Duration.ofMinutes(15);
    private static final String STALE = "Slack has not answered for 15 min about the SRE user group (S0SRE), so "
            + "membership through it cannot be checked; ask an admin or approve from an account the policy lists";

    private final FakeSlack fake = new FakeSlack(TOKEN).withUsergroup("S0SRE", List.of("U0GRP1"));
    private final MutableClock clock = new MutableClock();
    private final SlackDirectory directory = new SlackDirectory(new PolicyDirectory(TestPolicies.standard()),
            TestPolicies.standard(), Slack.getInstance(fake.slackConfig()).methods(TOKEN), clock, Duration.ofMinutes(1),
            MAX_AGE);

    @AfterEach
    void stop() {
        directory.close();
        fake.close();
    }

    @Test
    void a_member_of_a_teams_user_group_is_in_the_team_once_slack_has_listed_it() {
        awaitInSre();

        assertThat(directory.resolve(GROUP_MEMBER).teams()).containsExactly("sre");
        assertThat(directory.unchecked(GROUP_MEMBER)).isEmpty();
    }

    @Test
    void listed_members_keep_their_teams_without_being_in_the_group() {
        assertThat(directory.resolve(TestPolicies.REL1).teams()).containsExactly("releng");
        assertThat(directory.unchecked(TestPolicies.SRE1)).isEmpty();
    }

    @Test
    void resolving_never_waits_for_slack() {
        fake.delay("usergroups.users.list", Duration.ofSeconds(2));

        long start = System.nanoTime();
        var member = directory.resolve(GROUP_MEMBER);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(millis).as("resolve while usergroups.users.list takes 2 s").isLessThan(500);
        assertThat(member.teams()).isEmpty();
        assertThat(directory.unchecked(GROUP_MEMBER)).containsOnlyKeys("sre");
        assertThat(directory.unchecked(GROUP_MEMBER).get("sre")).startsWith("Slack has not answered yet about the SRE");
    }

    @Test
    void starting_reads_every_group_without_anyone_acting() {
        directory.start();

        fake.awaitCalls("usergroups.users.list", 1, Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> directory.unchecked(GROUP_MEMBER).isEmpty());
    }

    @Test
    void the_group_is_read_once_per_minute_not_once_per_click() {
        awaitInSre();
        directory.resolve(GROUP_MEMBER);
        clock.advance(Duration.ofSeconds(59));
        directory.resolve(GROUP_MEMBER);
        assertThat(fake.calls("usergroups.users.list")).hasSize(1);

        clock.advance(Duration.ofSeconds(2));
        directory.resolve(GROUP_MEMBER);

        fake.awaitCalls("usergroups.users.list", 2, Duration.ofSeconds(5));
    }

    @Test
    void a_group_is_read_once_at_a_time() throws InterruptedException {
        fake.delay("usergroups.users.list", Duration.ofSeconds(2));
        directory.resolve(GROUP_MEMBER);
        fake.awaitCalls("usergroups.users.list", 1, Duration.ofSeconds(5));

        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMinutes(2)); // each click finds the list due
            directory.resolve(GROUP_MEMBER);
        }
        Thread.sleep(300); // a second read would have reached the fake by now

        assertThat(fake.calls("usergroups.users.list")).hasSize(1);
    }

    @Test
    void while_slack_fails_the_last_list_is_used_until_it_is_too_old() {
        awaitInSre();
        fake.failNext("usergroups.users.list", 1000, Failure.rateLimited(30));

        clock.advance(MAX_AGE.minusSeconds(1));
        assertThat(directory.resolve(GROUP_MEMBER).teams()).containsExactly("sre");
        fake.awaitCalls("usergroups.users.list", 2, Duration.ofSeconds(5));

        clock.advance(Duration.ofSeconds(1));
        assertThat(directory.resolve(GROUP_MEMBER).teams()).isEmpty();
        assertThat(directory.unchecked(GROUP_MEMBER)).containsEntry("sre", STALE);
    }

    @Test
    void a_member_removed_from_the_group_while_slack_fails_is_refused_once_the_last_list_is_too_old() {
        var service = new RequestService(TestRedis.store(), directory, new Workflow(TestPolicies.standard()), clock);
        awaitInSre();
        var id = open(service);
        fake.withUsergroup("S0SRE", List.of()); // removed, but Slack is not saying so
        fake.failNext("usergroups.users.list", 1000, Failure.down());

        clock.advance(MAX_AGE);
        var forSre = service.approve(id, GROUP_MEMBER, "sre");
        var forWhicheverTeam = service.approve(id, GROUP_MEMBER, null);

        assertThat(forSre).isInstanceOfSatisfying(Outcome.Refused.class, r -> assertThat(r.message()).isEqualTo(STALE));
        assertThat(forWhicheverTeam).isInstanceOfSatisfying(Outcome.Refused.class,
                r -> assertThat(r.message()).isEqualTo(STALE));
        assertThat(service.approve(id, TestPolicies.SRE1, "sre")).as("listed in the policy").isInstanceOf(Outcome.Applied.class);
    }

    @Test
    void once_slack_answers_again_its_new_list_counts() {
        awaitInSre();
        fake.failNext("usergroups.users.list", 1000, Failure.down());
        clock.advance(MAX_AGE);
        directory.resolve(GROUP_MEMBER);
        fake.withUsergroup("S0SRE", List.of());
        fake.heal();

        // The failed read may still be finishing (it counts as tried when it ends): a minute more of the clock on
        // each look, so the next read is due whichever finished first.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            clock.advance(Duration.ofMinutes(1));
            return directory.unchecked(GROUP_MEMBER).isEmpty();
        });

        assertThat(directory.resolve(GROUP_MEMBER).teams()).isEmpty();
    }

    @Test
    void when_slack_fails_before_any_answer_only_the_listed_members_count() {
        fake.failNext("usergroups.users.list", 1000, Failure.error("no_such_subteam"));
        directory.resolve(GROUP_MEMBER);
        fake.awaitCalls("usergroups.users.list", 1, Duration.ofSeconds(5));
        clock.advance(Duration.ofMinutes(5));

        assertThat(directory.resolve(GROUP_MEMBER).teams()).isEmpty();
        assertThat(directory.unchecked(GROUP_MEMBER).get("sre")).startsWith("Slack has not answered for 5 min about the SRE");
        assertThat(directory.resolve(TestPolicies.SRE1).teams()).containsExactly("sre");
    }

    @Test
    void matrix_accounts_are_not_looked_up_in_slack() {
        directory.resolve(TestPolicies.SRE1_MATRIX);

        assertThat(directory.unchecked(TestPolicies.SRE1_MATRIX)).isEmpty();
        assertThat(fake.calls("usergroups.users.list")).isEmpty();
    }

    private void awaitInSre() {
        await().atMost(Duration.ofSeconds(5)).until(() -> directory.resolve(GROUP_MEMBER).in("sre"));
    }

    private RequestId open(RequestService service) {
        return ((Outcome.Applied) service.open(TestPolicies.DEV, TestPolicies.draft("availability"))).request().id();
    }

    private static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-11-26T14:00:00Z");

        void advance(Duration d) { now = now.plus(d); }

        @Override public Instant instant() { return now; }

        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }

        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    }
}
