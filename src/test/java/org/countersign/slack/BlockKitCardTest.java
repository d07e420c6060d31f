package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.slack.SlackRequests.HOSTILE;

import com.fasterxml.jackson.databind.JsonNode;
import com.slack.api.Slack;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.countersign.chat.Card;
import org.countersign.chat.Cards;
import org.countersign.domain.DeployResult;
import org.countersign.domain.DraftBuilder;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.slack.fake.FakeSlack;
import org.countersign.slack.fake.PostedMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Cards rendered from real requests and posted through the real slack-api-client to the fake, which enforces Block Kit. */
class BlockKitCardTest {
    private static final String TOKEN = "xoxb-countersign-test";
    private static final String CHANNEL = "C0EMERG";

    private final BlockKitCard renderer = new BlockKitCard();
    private FakeSlack slack;
    private Slack client;
    private MethodsClient methods;

    @BeforeEach
    void start() {
        slack = new FakeSlack(TOKEN).withChannel(CHANNEL, "emergencies");
        // Not failOnUnknownProperties: the fake stamps an action_id on context blocks' text elements,
        // which Slack does not do and the client's model rightly lacks.
        client = Slack.getInstance(slack.slackConfig());
        methods = client.methods(TOKEN);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        slack.close();
    }

    static Stream<SlackRequests> worstCases() {
        var longNote = HOSTILE.repeat(Workflow.NOTE_MAX / 3);
        return Stream.of(
                SlackRequests.opened(SlackRequests.worstCaseDraft()).approve(TestPolicies.SRE1, "sre"),
                SlackRequests.opened(SlackRequests.worstCaseDraft()).approve(TestPolicies.SRE1, "sre")
                        .reject(TestPolicies.REL1, HOSTILE.repeat(Workflow.REJECT_REASON_MAX / 3)),
                SlackRequests.opened(SlackRequests.worstCaseDraft()).approved().deploying()
                        .deployEnded(DeployResult.FAILED, longNote).closed(longNote),
                SlackRequests.opened(TestPolicies.withAftercare(), SlackRequests.worstCaseDraft()).approve(TestPolicies.SRE1, "sre")
                        .breakGlass(TestPolicies.SRE1_MATRIX, HOSTILE.repeat(Workflow.REJECT_REASON_MAX / 3))
                        .deployEnded(DeployResult.FAILED, longNote)
                        .reviewed(TestPolicies.SRE2, "https://tasks.example.org/" + "T".repeat(Workflow.NOTE_MAX / 5))
                        .closed(longNote));
    }

    @ParameterizedTest
    @MethodSource("worstCases")
    void the_longest_request_slack_can_get_is_accepted_and_shows_where_it_was_cut(SlackRequests worst) throws Exception {
        var card = cardOf(worst);

        var answer = post(card);

        assertThat(answer.isOk()).as(answer.getError() + " " + answer.getResponseMetadata()).isTrue();
        var blocks = posted().blocks();
        assertThat(blocks.size()).isLessThanOrEqualTo(BlockKitCard.MAX_BLOCKS);
        assertThat(blocks.toString()).contains("… (truncated; ").contains("more characters)");
        assertThat(texts(blocks)).allSatisfy(text -> assertThat(text).doesNotContain("<&", "&>", "<<", ">>"));
    }

    @Test
    void every_change_of_the_longest_request_is_shown_as_a_whole_link() throws Exception {
        var request = SlackRequests.opened(SlackRequests.worstCaseDraft()).request();

        post(new Cards(new Workflow(TestPolicies.standard())).of(request));

        var json = posted().blocks().toString();
        assertThat(json).contains("*Changes*\\n<", "*Changes (continued)*\\n<");
        for (var change : request.changes())
            assertThat(json).contains("<" + SlackText.escape(change) + "|");
    }

    @Test
    void user_text_can_neither_ping_nor_mention_nor_forge_a_link() throws Exception {
        var hostile = "<!channel> <!here> <@U123> <https://evil.example|click> & co";
        var request = SlackRequests.opened(DraftBuilder.aDraft().withSummary(hostile).withDetails(hostile)
                .withTask(hostile).build()).request();
        var card = new Cards(new Workflow(TestPolicies.standard())).of(request);

        var answer = post(card);

        assertThat(answer.isOk()).isTrue();
        var message = posted();
        for (var text : List.of(message.blocks().toString(), message.text())) {
            assertThat(text).doesNotContain("<!channel>", "<!here>", "<@U123>", "<https://evil.example|click>", "& co")
                    .contains("&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;https://evil.example|click&gt; &amp; co");
        }
    }

    @Test
    void a_pending_request_offers_one_approve_button_per_team_still_needed_reject_withdraw_and_edit() {
        var request = SlackRequests.opened(TestPolicies.draft("security")).approve(TestPolicies.SRE1, "sre");

        assertThat(buttons(cardOf(request))).containsExactly(
                "approve:releng|EMG-12|releng|Approve as Release Engineering|primary",
                "approve:security|EMG-12|security|Approve as Security|primary",
                "reject|EMG-12||Reject|danger",
                "withdraw|EMG-12||Withdraw my approval|",
                "edit|EMG-12||Edit changes|");
    }

    @Test
    void a_pending_request_nobody_approved_yet_has_nothing_to_withdraw() {
        var request = SlackRequests.opened(TestPolicies.draft("availability"));

        assertThat(buttons(cardOf(request))).extracting(b -> b.split("\\|")[0])
                .containsExactly("approve:sre", "approve:releng", "reject", "edit");
    }

    @Test
    void an_approved_request_offers_the_deploy_buttons() {
        var request = SlackRequests.opened(TestPolicies.draft("availability")).approved();

        assertThat(buttons(cardOf(request))).containsExactly(
                "deploy_started|EMG-12||Deploy started|primary", "deployed|EMG-12||Deployed|", "reject|EMG-12||Reject|danger",
                "edit|EMG-12||Edit changes|");
    }

    @Test
    void a_deploying_request_offers_how_the_deploy_ended() {
        var request = SlackRequests.opened(TestPolicies.draft("availability")).approved().deploying();

        assertThat(buttons(cardOf(request))).containsExactly(
                "deployed|EMG-12||Deployed|primary", "rolled_back|EMG-12||Rolled back|", "failed|EMG-12||Failed|danger");
    }

    @Test
    void a_request_whose_deploy_ended_offers_close() {
        var request = SlackRequests.opened(TestPolicies.draft("availability")).approved().deploying()
                .deployEnded(DeployResult.SUCCEEDED, null);

        assertThat(buttons(cardOf(request))).containsExactly("close|EMG-12||Close|primary");
    }

    @Test
    void a_final_request_has_no_buttons() {
        var closed = SlackRequests.opened(TestPolicies.draft("availability")).approved().deploying()
                .deployEnded(DeployResult.ROLLED_BACK, null).closed("fix properly in T1");
        var rejected = SlackRequests.opened(TestPolicies.draft("availability")).reject(TestPolicies.SRE1, "revert instead");

        for (var request : List.of(closed, rejected)) {
            var blocks = renderer.render(cardOf(request));
            assertThat(blocks).noneMatch(b -> b.getType().equals("actions"));
        }
    }

    @Test
    void each_team_has_a_status_line() throws Exception {
        var request = SlackRequests.opened(TestPolicies.draft("availability")).approve(TestPolicies.SRE1, "sre");

        post(cardOf(request));

        assertThat(texts(posted().blocks())).contains(
                "✅ SRE — approved by <@U0SRE1> at 13:59 UTC",
                "⏳ Release Engineering — waiting (0 of 1)");
    }

    @Test
    void a_rejected_request_shows_the_teams_that_had_not_signed_as_rejected() throws Exception {
        var request = SlackRequests.opened(TestPolicies.draft("availability")).approve(TestPolicies.SRE1, "sre")
                .reject(TestPolicies.REL1, "revert instead");

        post(cardOf(request));

        assertThat(texts(posted().blocks())).contains(
                "✅ SRE — approved by <@U0SRE1> at 13:59 UTC", "❌ Release Engineering — rejected");
    }

    @Test
    void the_card_shows_its_fields_with_people_mentioned_and_the_expiry_in_utc() throws Exception {
        var request = SlackRequests.opened(DraftBuilder.aDraft().withDeployer(TestPolicies.DEV2).build());

        post(cardOf(request));

        var texts = texts(posted().blocks());
        assertThat(texts).contains("EMG-12 · Availability", "*Waiting for SRE and Release Engineering*",
                "*Summary*\nRevert the cache change that took the API down", "*Requester*\n<@U0DEV1>",
                "*Deployer*\n<@U0DEV2>", "*Task*\nT12345", "*Rollback*\nYes, this is a rollback or revert",
                "*Changes*\n<https://gerrit.example.org/r/c/operations/+/123456|gerrit.example.org/r/c/operations/+/123456>");
        assertThat(texts).anySatisfy(t -> assertThat(t).startsWith("*Expires*\n2026-11-26 14:58 UTC (your time: <!date^"));
    }

    @Test
    void the_notification_text_names_the_request_its_summary_and_who_it_waits_for() {
        var request = SlackRequests.opened(DraftBuilder.aDraft().withSummary("API down & <!here>").build());

        assertThat(renderer.fallbackText(cardOf(request)))
                .isEqualTo("EMG-12 · Availability: API down &amp; &lt;!here&gt; — waiting for SRE and Release Engineering");
    }

    @Test
    void a_confidential_card_is_rendered_in_full_and_says_it_is_confidential() throws Exception {
        var request = SlackRequests.opened(TestPolicies.draft("security"));

        post(cardOf(request));

        var texts = texts(posted().blocks());
        assertThat(texts).contains("*Summary*\nRevert the cache change that took the API down");
        assertThat(texts).anySatisfy(t -> assertThat(t).startsWith("🔒 Confidential"));
    }

    @Test
    void a_reason_needing_thirty_teams_with_long_labels_still_fits_in_one_message() throws Exception {
        var request = SlackRequests.opened(SlackRequests.manyTeams(30),
                DraftBuilder.aDraft().withDetails(HOSTILE.repeat(1000)).build());
        var card = new Cards(request.workflow()).of(request.request());

        var answer = post(card);

        assertThat(answer.isOk()).as(answer.getError() + " " + answer.getResponseMetadata()).isTrue();
        var blocks = posted().blocks();
        assertThat(blocks.size()).isLessThanOrEqualTo(BlockKitCard.MAX_BLOCKS);
        var actionIds = new ArrayList<String>();
        for (var block : blocks)
            if (block.path("type").asText().equals("actions"))
                block.path("elements").forEach(e -> actionIds.add(e.path("action_id").asText()));
        assertThat(actionIds).hasSize(32).contains("approve:team0", "approve:team29", "reject", "edit").doesNotHaveDuplicates();
        assertThat(blocks.get(0).path("text").path("text").asText()).hasSize(BlockKitCard.HEADER_MAX).endsWith("…");
    }

    private ChatPostMessageResponse post(Card card) throws Exception {
        var blocks = renderer.render(card);
        var text = renderer.fallbackText(card);
        return methods.chatPostMessage(r -> r.channel(CHANNEL).blocks(blocks).text(text));
    }

    private PostedMessage posted() {
        return slack.messages(CHANNEL).get(0);
    }

    private static Card cardOf(SlackRequests request) {
        return new Cards(request.workflow()).of(request.request());
    }

    /** Each button as action_id|value|text|style. */
    private List<String> buttons(Card card) {
        return renderer.render(card).stream()
                .filter(b -> b instanceof com.slack.api.model.block.ActionsBlock)
                .flatMap(b -> ((com.slack.api.model.block.ActionsBlock) b).getElements().stream())
                .map(e -> (com.slack.api.model.block.element.ButtonElement) e)
                .map(e -> e.getActionId() + "|" + e.getValue() + "|" + e.getText().getText() + "|"
                        + (e.getStyle() == null ? "" : e.getStyle()))
                .toList();
    }

    /** Every text of every block: header, section text and fields, context elements. */
    private static List<String> texts(JsonNode blocks) {
        var texts = new ArrayList<String>();
        for (var block : blocks) {
            if (block.path("text").has("text")) texts.add(block.path("text").path("text").asText());
            StreamSupport.stream(block.path("fields").spliterator(), false).forEach(f -> texts.add(f.path("text").asText()));
            StreamSupport.stream(block.path("elements").spliterator(), false)
                    .filter(e -> e.has("text") && e.get("text").isTextual()).forEach(e -> texts.add(e.get("text").asText()));
        }
        return texts;
    }
}
