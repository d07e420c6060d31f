package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.slack.SlackFixture.DEV;
import static org.countersign.slack.SlackFixture.OPS;
import static org.countersign.slack.SlackFixture.OUTSIDER;
import static org.countersign.slack.SlackFixture.REL1;
import static org.countersign.slack.SlackFixture.SEC1;
import static org.countersign.slack.SlackFixture.SRE1;
import static org.countersign.slack.SlackFixture.WAIT;
import static org.countersign.slack.SlackFixture.blocksText;
import static org.countersign.slack.SlackFixture.filled;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.countersign.domain.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 in Slack, end to end: the window line on the form and the card, {@code /emergency windows}, an informed
 * team, two Security approvals for one reason, who may open and how often.
 */
class SlackProcessFlowTest {
    static final String SEC2 = "U0SEC2";
    /** Two windows that cover every hour, so one is always open whenever the test runs. */
    static final String POLICY = """
            teams:
              sre:      { label: SRE, slack-users: [U0SRE1, U0SRE2] }
              releng:   { label: Release Engineering, slack-users: [U0REL1, U0REL2] }
              security: { label: Security, slack-users: [U0SEC1, U0SEC2] }
            reasons:
              availability: { label: Availability, teams: [sre], informed: [releng] }
              abuse:        { label: Abuse, teams: [sre, security], approvals: { security: 2 } }
            windows:
              time-zone: UTC
              weekly:
                - { days: [mon, tue, wed, thu, fri, sat, sun], from: "00:00", to: "12:00", label: morning train }
                - { days: [mon, tue, wed, thu, fri, sat, sun], from: "12:00", to: "00:00", label: afternoon train }
            people:
              dev: { slack: U0DEV1 }
            may-open: { teams: [sre, releng, security], people: [dev] }
            open-limit: 5/1h
            """;

    @TempDir Path dataDir;
    SlackFixture slack;

    @BeforeEach
    void start() throws Exception {
        var policy = Files.writeString(dataDir.resolve("policy.yml"), POLICY);
        slack = new SlackFixture(dataDir, false, Map.of("POLICY_FILE", policy.toString()));
    }

    @AfterEach
    void stop() { slack.close(); }

    @Test
    void the_form_and_the_card_say_a_window_is_open_and_the_card_names_the_informed_team() {
        var form = slack.openForm(DEV, "");
        assertThat(form.view().toString()).contains("A window is open now until").contains("consider the normal train");

        var id = slack.open(DEV, "availability", OPS);

        var card = blocksText(slack.card(OPS, id));
        assertThat(card).contains("A window is open now until").contains("consider the normal train")
                .contains("Informed").contains("Release Engineering (told, not asked to approve)")
                .doesNotContain("Approve as Release Engineering");
    }

    @Test
    void an_informed_team_member_who_approves_is_told_their_approval_does_not_count() {
        var id = slack.open(DEV, "availability", OPS);

        var reply = slack.command(REL1, "approve " + id);

        assertThat(reply.body()).contains("\"response_type\":\"ephemeral\"")
                .contains("Release Engineering is informed of " + id + ", not asked to approve it");
        assertThat(slack.request(id).approvals()).isEmpty();
    }

    @Test
    void slash_emergency_windows_lists_today_and_the_next_windows_only_to_the_person() {
        var reply = slack.command(OUTSIDER, "windows");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).contains("\"response_type\":\"ephemeral\"").contains("Deployment windows (UTC)")
                .contains("A window is open now until").contains("Today, ").contains("Next: ")
                .contains("morning train").contains("afternoon train");
        assertThat(slack.fake.messages(OPS)).isEmpty();
    }

    @Test
    void a_reason_asking_two_security_approvals_needs_two_security_people() {
        var id = slack.open(DEV, "abuse", OPS);
        slack.press(SRE1, OPS, id, "approve:sre");
        slack.press(SEC1, OPS, id, "approve:security");
        slack.awaitCardShows(OPS, id, SEC1);

        assertThat(slack.request(id).state()).isEqualTo(State.PENDING);
        assertThat(blocksText(slack.card(OPS, id))).contains("Approve as Security");

        slack.press(SEC2, OPS, id, "approve:security");
        await().atMost(WAIT).until(() -> slack.request(id).state() == State.APPROVED);
        assertThat(slack.request(id).approvalsFor("security")).hasSize(2);
    }

    @Test
    void someone_the_policy_does_not_let_open_is_told_who_may_and_gets_no_form() {
        int forms = slack.fake.openedViews().size();

        var reply = slack.command(OUTSIDER, "availability the API is down");

        assertThat(reply.body()).contains("\"response_type\":\"ephemeral\"")
                .contains("Only members of SRE, Release Engineering or Security (and dev) may open emergency requests");
        assertThat(slack.fake.openedViews()).hasSize(forms);
    }

    @Test
    void a_form_submitted_by_someone_not_allowed_opens_nothing() {
        var form = slack.openForm(DEV, "");

        var reply = slack.submit(filled(form, OUTSIDER, "availability", "The API is down"));

        assertThat(reply.body()).contains("may open emergency requests");
        assertThat(slack.service.service().recent(java.util.Set.of(), 10)).isEmpty();
    }

    @Test
    void the_sixth_request_in_an_hour_is_refused_with_when_to_try_again_and_pages_nobody() {
        for (int i = 0; i < 5; i++) slack.open(DEV, "availability", OPS);
        int cards = slack.cards(OPS).size();

        var reply = slack.submit(filled(slack.openForm(DEV, ""), DEV, "availability", "One more"));

        assertThat(reply.body()).contains("You opened 5 request(s) within 1h")
                .contains("(open-limit: 5/1h), so nothing was recorded. Try again after ");
        assertThat(slack.service.service().recent(java.util.Set.of(), 10)).hasSize(5);
        assertThat(slack.cards(OPS)).hasSize(cards);
        // Someone else still opens.
        slack.open(SRE1, "availability", OPS);
    }
}
