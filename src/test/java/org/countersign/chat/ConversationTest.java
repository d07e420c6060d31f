package org.countersign.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RateLimiter;
import org.countersign.app.RequestService;
import org.countersign.app.Throttle;
import org.countersign.domain.Actor;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.RedisKeyValues;
import org.countersign.store.RedisRateLimiter;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.Test;

/** The one conversation on a real Redis, spoken by a Slack-like and a Matrix-like platform. */
class ConversationTest {
    static final Venue SLACK = Venue.chat("channel", "SLACK_SECURITY_CHANNEL", true, Syntax.slash(), null);
    static final Venue MATRIX = Venue.chat("room", "MATRIX_SECURITY_ROOM_ID", false, VerbParserTest.MATRIX, "React ✅");

    private final String prefix = TestRedis.uniquePrefix();
    private final RequestService service = new RequestService(new RedisRequestStore(TestRedis.client(), prefix),
            new PolicyDirectory(TestPolicies.standard()), new Workflow(TestPolicies.standard()), Clock.systemUTC());

    private Conversation withLimit(int count) {
        var limit = new RateLimiter.Limit("per-user", count, Duration.ofMinutes(1));
        return new Conversation(service, new Throttle(new RedisRateLimiter(TestRedis.client(), prefix), limit,
                new RedisKeyValues(TestRedis.client(), prefix)));
    }

    @Test
    void help_is_one_text_in_each_platforms_spelling() {
        var slack = Conversation.help(SLACK);
        var matrix = Conversation.help(MATRIX);

        assertThat(slack).contains("/emergency approve EMG-n [team]").contains("/emergency [reason] [summary…]")
                .contains("e.g. /emergency status EMG-12").doesNotContain("!approve").contains(Conversation.ADVICE);
        assertThat(matrix).contains("!approve EMG-n [team]").contains("--deployer @alice:example.org")
                .contains("React ✅").contains(Conversation.ADVICE);
    }

    @Test
    void help_says_which_teams_approve_each_reason_security_included_and_the_words_for_them() {
        var help = withLimit(100).said(TestPolicies.DEV, SLACK.room(false), new Verb.Help()).text();

        assertThat(help).contains("Who must approve:")
                .contains("Security issue: SRE, Release Engineering and Security")
                .contains("Availability, Abuse").contains(": SRE and Release Engineering")
                .contains("Teams: SRE (sre), Release Engineering (releng), Security (security)")
                .endsWith(Conversation.ADVICE);
    }

    @Test
    void after_a_policy_reload_a_list_counts_approvals_against_the_new_quorum() {
        var conversation = withLimit(100);
        var id = conversation.said(TestPolicies.DEV, SLACK.alone(), new Verb.Open(TestPolicies.draft("availability")))
                .request();
        service.approve(id, TestPolicies.SRE1, "sre");
        assertThat(conversation.said(TestPolicies.DEV, SLACK.alone(), new Verb.ListOpen()).text())
                .contains("(SRE approved, Release Engineering waiting)");

        var two = TestPolicies.withQuorum(2);
        service.adopt(new RequestService.Rules(new Workflow(two), new PolicyDirectory(two)));

        assertThat(conversation.said(TestPolicies.DEV, SLACK.alone(), new Verb.ListOpen()).text())
                .contains("(SRE waiting, Release Engineering waiting)");
    }

    @Test
    void refusals_that_any_one_team_can_lift_say_or_not_and() {
        var conversation = withLimit(100);
        var opened = conversation.said(TestPolicies.DEV, SLACK.alone(), new Verb.Open(TestPolicies.draft("availability")));
        var id = opened.request();

        var cancel = conversation.said(TestPolicies.DEV2, SLACK.room(false), new Verb.Cancel(id, null));

        assertThat(cancel.text()).isEqualTo("Only the requester or a member of SRE or Release Engineering can cancel " + id);
    }

    @Test
    void one_person_is_held_back_past_the_limit_and_told_once_while_others_go_on() {
        var conversation = withLimit(2);
        var sre = TestPolicies.SRE1;
        var where = SLACK.room(false);

        assertThat(conversation.said(sre, where, new Verb.ListOpen()).kind()).isEqualTo(Reply.Kind.ANSWER);
        assertThat(conversation.said(sre, where, new Verb.Help()).kind()).isEqualTo(Reply.Kind.ANSWER);
        var held = conversation.said(sre, where, new Verb.ListOpen());
        var again = conversation.heldBack(sre);

        assertThat(held.kind()).isEqualTo(Reply.Kind.HELD);
        assertThat(held.say()).hasValueSatisfying(t -> assertThat(t).startsWith("Slow down").contains("Nothing was recorded"));
        assertThat(again).hasValueSatisfying(r -> assertThat(r.say()).isEmpty());
        // A list, however it is asked for, is counted with its read and held like anything else.
        assertThat(conversation.said(sre, where, new Verb.Status(Optional.empty())).kind())
                .isEqualTo(Reply.Kind.HELD_QUIETLY);
        assertThat(conversation.said(TestPolicies.REL1, where, new Verb.ListOpen()).kind()).isEqualTo(Reply.Kind.ANSWER);
        assertThat(conversation.said(TestPolicies.REL1, where, new Verb.Status(Optional.empty())).text())
                .isEqualTo("No open emergency requests.");
        assertThat(conversation.said(TestPolicies.REL1, where, new Verb.ListOpen()).kind()).isEqualTo(Reply.Kind.HELD);
    }

    @Test
    void an_action_past_the_limit_is_held_before_it_reads_or_records_anything() {
        var conversation = withLimit(3);
        var where = SLACK.room(false);
        var id = conversation.said(TestPolicies.DEV, SLACK.alone(), new Verb.Open(TestPolicies.draft("availability")))
                .request();

        assertThat(conversation.said(TestPolicies.SRE1, where, new Verb.Approve(id, "sre")).kind())
                .isEqualTo(Reply.Kind.DONE);
        assertThat(conversation.said(TestPolicies.SRE1, where, new Verb.Withdraw(id, "sre")).kind())
                .isEqualTo(Reply.Kind.DONE);
        assertThat(conversation.said(TestPolicies.SRE1, where, new Verb.Approve(id, "sre")).kind())
                .isEqualTo(Reply.Kind.DONE);
        var held = conversation.said(TestPolicies.SRE1, where, new Verb.Withdraw(id, "sre"));

        assertThat(held.kind()).isEqualTo(Reply.Kind.HELD);
        assertThat(held.say()).hasValueSatisfying(t -> assertThat(t).startsWith("Slow down"));
        assertThat(service.find(id).orElseThrow().approvals()).as("the held withdrawal recorded nothing").hasSize(1);
        // One count per person, whatever the action: the limit is reached for this person's lists too.
        assertThat(conversation.said(TestPolicies.SRE1, where, new Verb.ListOpen()).kind())
                .isEqualTo(Reply.Kind.HELD_QUIETLY);
        assertThat(conversation.said(TestPolicies.REL1, where, new Verb.Approve(id, "releng")).kind())
                .isEqualTo(Reply.Kind.DONE);
    }

    @Test
    void a_confidential_request_on_a_platform_without_a_security_room_is_refused_and_nothing_is_recorded() {
        var reply = withLimit(100).said(TestPolicies.DEV, MATRIX.room(false), new Verb.Open(TestPolicies.draft("security")));

        assertThat(reply.refused()).isTrue();
        assertThat(reply.text()).isEqualTo("Security requests go to a private room and none is set up "
                + "(MATRIX_SECURITY_ROOM_ID). Nothing was recorded; ask your Countersign admin.");
        assertThat(service.recent(java.util.Set.of(), 10)).isEmpty();
    }

    @Test
    void an_opened_request_says_where_its_card_is_and_a_typed_confidential_one_is_taken_down() {
        var conversation = withLimit(100);
        var open = conversation.said(TestPolicies.DEV, SLACK.alone(), new Verb.Open(TestPolicies.draft("availability")));
        var secret = conversation.said(TestPolicies.DEV, SLACK.room(false), new Verb.Open(TestPolicies.draft("security")));

        assertThat(open.kind()).isEqualTo(Reply.Kind.OPENED);
        assertThat(open.text()).isEqualTo(open.request() + " is open; it needs SRE and Release Engineering to approve. "
                + "Its card is in the ops channel.");
        assertThat(open.takeDown()).isFalse();
        assertThat(secret.text()).endsWith("Its card is in the security channel.");
        assertThat(secret.takeDown()).isTrue();
    }

    @Test
    void a_list_in_the_ops_channel_names_a_confidential_request_without_its_reason_or_summary() {
        var conversation = withLimit(100);
        conversation.said(TestPolicies.DEV, SLACK.alone(), new Verb.Open(TestPolicies.draft("security")));
        conversation.said(TestPolicies.DEV, SLACK.alone(), new Verb.Open(TestPolicies.draft("availability")));

        var list = conversation.said(TestPolicies.DEV, SLACK.room(false), new Verb.ListOpen()).text();

        assertThat(list).contains("EMG-1 · Confidential · ").contains("confidential: details in the security channel")
                .contains("· Availability").doesNotContain("Security issue");
        assertThat(list.lines().filter(l -> l.contains("Revert the cache change"))).hasSize(1);
    }

    @Test
    void a_command_typed_wrongly_answers_with_its_usage_and_an_example() {
        var usage = VerbParser.parseAfterSlash("status soon", Syntax.slash()).orElseThrow();

        var reply = withLimit(100).said(Actor.slack("U0DEV1"), SLACK.room(false), usage);

        assertThat(reply.refused()).isTrue();
        assertThat(reply.text()).isEqualTo("\"soon\" is not a request id; they look like EMG-12\n"
                + "Usage: /emergency status [EMG-n] (e.g. /emergency status EMG-12)");
        assertThat(Optional.ofNullable(reply.request())).isEmpty();
    }
}
