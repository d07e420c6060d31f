package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.slack.SlackForms.CHANGES_ACTION;
import static org.countersign.slack.SlackForms.CHANGES_BLOCK;
import static org.countersign.slack.SlackForms.DEPLOYER_ACTION;
import static org.countersign.slack.SlackForms.DEPLOYER_BLOCK;
import static org.countersign.slack.SlackForms.DETAILS_ACTION;
import static org.countersign.slack.SlackForms.DETAILS_BLOCK;
import static org.countersign.slack.SlackForms.REASON_ACTION;
import static org.countersign.slack.SlackForms.REASON_BLOCK;
import static org.countersign.slack.SlackForms.ROLLBACK_ACTION;
import static org.countersign.slack.SlackForms.ROLLBACK_BLOCK;
import static org.countersign.slack.SlackForms.SUMMARY_ACTION;
import static org.countersign.slack.SlackForms.SUMMARY_BLOCK;
import static org.countersign.slack.SlackForms.TASK_ACTION;
import static org.countersign.slack.SlackForms.TASK_BLOCK;
import static org.countersign.slack.SlackForms.WHY_NOT_ROLLBACK_ACTION;
import static org.countersign.slack.SlackForms.WHY_NOT_ROLLBACK_BLOCK;

import com.fasterxml.jackson.databind.JsonNode;
import com.slack.api.Slack;
import com.slack.api.app_backend.views.payload.ViewSubmissionPayload;
import com.slack.api.methods.MethodsClient;
import com.slack.api.model.view.View;
import com.slack.api.model.view.ViewState;
import com.slack.api.util.json.GsonFactory;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.countersign.domain.Actor;
import org.countersign.domain.Draft;
import org.countersign.domain.Policy;
import org.countersign.domain.Problem;
import org.countersign.domain.TestPolicies;
import org.countersign.slack.SlackForms.Prefill;
import org.countersign.slack.fake.FakeSlack;
import org.countersign.slack.fake.OpenedView;
import org.countersign.slack.fake.SlackSigner;
import org.countersign.slack.fake.ViewSubmission;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The modals open through the real client on the fake, and what Slack sends back reads into the domain's Draft. */
class SlackFormsTest {
    private static final String TOKEN = "xoxb-countersign-test";
    private static final List<String> DOMAIN_FIELDS =
            List.of("reason", "summary", "details", "changes", "task", "rollback", "why_not_rollback", "deployer");

    private final Policy policy = TestPolicies.standard();
    private FakeSlack slack;
    private Slack client;
    private MethodsClient methods;

    @BeforeEach
    void start() {
        slack = new FakeSlack(TOKEN);
        // Not failOnUnknownProperties: the fake stamps an action_id on context blocks' text elements.
        client = Slack.getInstance(slack.slackConfig());
        methods = client.methods(TOKEN);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        slack.close();
    }

    @Test
    void the_request_modal_opens_with_every_input_and_the_advice() throws Exception {
        var opened = open(SlackForms.requestModal(policy, Prefill.NONE, "C0EMERG"));

        var view = opened.view();
        assertThat(opened.callbackId()).isEqualTo("emergency_request");
        assertThat(opened.privateMetadata()).isEqualTo("C0EMERG");
        assertThat(view.path("title").path("text").asText()).isEqualTo("Emergency deploy");
        assertThat(view.path("submit").path("text").asText()).isEqualTo("Open request");
        assertThat(blockIds(view)).containsExactly(REASON_BLOCK, SUMMARY_BLOCK, CHANGES_BLOCK, TASK_BLOCK,
                ROLLBACK_BLOCK, WHY_NOT_ROLLBACK_BLOCK, DEPLOYER_BLOCK, DETAILS_BLOCK, SlackForms.ADVICE_BLOCK);
        assertThat(view.path("blocks").get(0).path("element").path("options")).extracting(o -> o.path("value").asText())
                .containsExactly("security", "data-loss", "availability", "abuse", "functionality");
        assertThat(view.path("blocks").get(4).path("label").path("text").asText()).isEqualTo("Is this a rollback or revert?");
        assertThat(view.toString()).contains("Rollback first, fix later", "Availability comes before new features",
                "on-wiki edits rarely");
        assertThat(view.path("blocks").get(0).path("element").has("initial_option")).isFalse();
    }

    @Test
    void the_request_modal_opens_prefilled_from_the_command_text() throws Exception {
        var prefill = Prefill.fromCommandText(policy, "Availability revert the cache change");

        var view = open(SlackForms.requestModal(policy, prefill, "")).view();

        var reason = view.path("blocks").get(0).path("element").path("initial_option");
        assertThat(reason.path("value").asText()).isEqualTo("availability");
        assertThat(reason.path("text").path("text").asText()).isEqualTo("Availability");
        assertThat(view.path("blocks").get(1).path("element").path("initial_value").asText())
                .isEqualTo("revert the cache change");
    }

    @Test
    void a_first_word_naming_a_reason_picks_it_in_any_case_and_the_rest_is_the_summary() {
        assertThat(Prefill.fromCommandText(policy, "  DATA-LOSS  rows vanish from the cache "))
                .isEqualTo(new Prefill("data-loss", "rows vanish from the cache"));
        assertThat(Prefill.fromCommandText(policy, "security")).isEqualTo(new Prefill("security", null));
    }

    @Test
    void command_text_without_a_reason_is_all_summary() {
        assertThat(Prefill.fromCommandText(policy, "the API is down")).isEqualTo(new Prefill(null, "the API is down"));
        assertThat(Prefill.fromCommandText(policy, "   ")).isEqualTo(Prefill.NONE);
        assertThat(Prefill.fromCommandText(policy, null)).isEqualTo(Prefill.NONE);
    }

    @Test
    void a_summary_prefilled_past_the_limit_is_cut_to_fit_the_input() throws Exception {
        var view = open(SlackForms.requestModal(policy, new Prefill(null, "x".repeat(300)), "")).view();

        assertThat(view.path("blocks").get(1).path("element").path("initial_value").asText()).hasSize(Draft.SUMMARY_MAX);
    }

    @Test
    void a_submitted_form_reads_into_the_draft_it_describes() throws Exception {
        var opened = open(SlackForms.requestModal(policy, Prefill.NONE, ""));
        var submission = ViewSubmission.of(opened, "U0DEV1")
                .withSelectedOption(REASON_BLOCK, REASON_ACTION, "availability")
                .withPlainText(SUMMARY_BLOCK, SUMMARY_ACTION, "Fix the cache")
                .withPlainText(CHANGES_BLOCK, CHANGES_ACTION, "https://gerrit.example.org/r/c/1\r\n\n  12345  \n")
                .withPlainText(TASK_BLOCK, TASK_ACTION, "T12345")
                .withSelectedOption(ROLLBACK_BLOCK, ROLLBACK_ACTION, SlackForms.NO)
                .withPlainText(WHY_NOT_ROLLBACK_BLOCK, WHY_NOT_ROLLBACK_ACTION, "The revert conflicts")
                .withSelectedUser(DEPLOYER_BLOCK, DEPLOYER_ACTION, "U0DEV2")
                .withPlainText(DETAILS_BLOCK, DETAILS_ACTION, "Graphs: https://grafana.example.org/d/1");

        var draft = SlackForms.draftFrom(stateOf(submission));

        assertThat(draft).isEqualTo(new Draft("availability", "Fix the cache", "Graphs: https://grafana.example.org/d/1",
                List.of("https://gerrit.example.org/r/c/1", "12345"), "T12345", false, "The revert conflicts",
                Actor.slack("U0DEV2")));
        assertThat(draft.problems(policy)).isEmpty();
    }

    @Test
    void a_rollback_answered_yes_reads_as_true() throws Exception {
        var submission = ViewSubmission.of("V1", "emergency_request", "", "U0DEV1")
                .withSelectedOption(ROLLBACK_BLOCK, ROLLBACK_ACTION, SlackForms.YES);

        assertThat(SlackForms.draftFrom(stateOf(submission)).rollback()).isTrue();
    }

    @Test
    void an_empty_form_reads_as_nulls_that_the_domain_reports_field_by_field() throws Exception {
        var submission = ViewSubmission.of("V1", "emergency_request", "", "U0DEV1")
                .withSelectedOption(ROLLBACK_BLOCK, ROLLBACK_ACTION, "maybe")
                .withSelectedUser(DEPLOYER_BLOCK, DEPLOYER_ACTION, "");

        var draft = SlackForms.draftFrom(stateOf(submission));

        assertThat(draft).isEqualTo(new Draft(null, null, null, List.of(), null, null, null, null));
        assertThat(draft.problems(policy)).extracting(Problem::field).containsExactly("reason", "summary", "changes", "rollback");
        assertThat(SlackForms.draftFrom(null)).isEqualTo(draft);
        assertThat(SlackForms.draftFrom(new ViewState())).isEqualTo(draft);
    }

    @Test
    void every_domain_field_maps_to_a_block_of_the_request_modal() throws Exception {
        var problems = DOMAIN_FIELDS.stream().map(f -> new Problem(f, "bad " + f)).toList();
        var view = open(SlackForms.requestModal(policy, Prefill.NONE, "")).view();

        var errors = SlackForms.errorsFor(problems);

        assertThat(errors).hasSize(DOMAIN_FIELDS.size());
        assertThat(blockIds(view)).containsAll(errors.keySet());
        DOMAIN_FIELDS.forEach(f -> assertThat(errors).containsValue("bad " + f));
        assertThat(errors).containsEntry(WHY_NOT_ROLLBACK_BLOCK, "bad why_not_rollback");
    }

    @Test
    void several_problems_with_one_field_are_joined_and_an_unknown_field_lands_on_the_first_input() {
        var errors = SlackForms.errorsFor(List.of(new Problem("changes", "A change is listed twice"),
                new Problem("changes", "\"x\" is not a change"), new Problem("note", "Give a note")));

        assertThat(errors).containsExactly(Map.entry(CHANGES_BLOCK, "A change is listed twice; \"x\" is not a change"),
                Map.entry(REASON_BLOCK, "Give a note"));
    }

    @Test
    void the_problems_of_a_real_draft_come_back_on_their_inputs() {
        var draft = new Draft("nope", null, "x".repeat(Draft.DETAILS_MAX + 1), List.of("not a change"), null, false,
                null, null);

        assertThat(SlackForms.errorsFor(draft.problems(policy)).keySet())
                .containsExactly(REASON_BLOCK, SUMMARY_BLOCK, DETAILS_BLOCK, CHANGES_BLOCK, WHY_NOT_ROLLBACK_BLOCK);
    }

    @Test
    void the_reject_modal_asks_for_a_reason_and_gives_it_back() throws Exception {
        var opened = open(SlackForms.reasonModal("EMG-12", "EMG-12|C0EMERG|1234.5678"));

        assertThat(opened.callbackId()).isEqualTo("reject_request");
        assertThat(opened.privateMetadata()).isEqualTo("EMG-12|C0EMERG|1234.5678");
        var input = input(opened.view(), SlackForms.REJECT_REASON_BLOCK);
        assertThat(input.path("label").path("text").asText()).isEqualTo("Why do you reject it?");
        assertThat(input.path("optional").asBoolean(false)).isFalse();
        var submission = ViewSubmission.of(opened, "U0SRE1")
                .withPlainText(SlackForms.REJECT_REASON_BLOCK, SlackForms.REJECT_REASON_ACTION, "Revert instead");
        assertThat(SlackForms.textFrom(stateOf(submission), SlackForms.REJECT_REASON_BLOCK)).isEqualTo("Revert instead");
    }

    @Test
    void the_close_modal_asks_what_is_left_to_do() throws Exception {
        var opened = open(SlackForms.noteModal("EMG-12", "EMG-12"));

        assertThat(opened.callbackId()).isEqualTo("close_request");
        var input = input(opened.view(), SlackForms.CLOSE_NOTE_BLOCK);
        assertThat(input.toString()).contains("Follow-up note", "the proper fix, a task, an incident report");
        assertThat(input.path("optional").asBoolean(false)).isFalse();
        assertThat(SlackForms.textFrom(stateOf(ViewSubmission.of(opened, "U0DEV1")), SlackForms.CLOSE_NOTE_BLOCK)).isNull();
    }

    private OpenedView open(View view) throws Exception {
        var answer = methods.viewsOpen(r -> r.triggerId(slack.newTriggerId()).view(view));
        assertThat(answer.isOk()).as(answer.getError() + " " + answer.getResponseMetadata()).isTrue();
        return slack.openedViews().get(slack.openedViews().size() - 1);
    }

    /** The view state as Bolt reads it from the signed interaction POST Slack would send. */
    private static ViewState stateOf(ViewSubmission submission) {
        var body = new SlackSigner("signing-secret").viewSubmission(submission).body();
        var json = URLDecoder.decode(body.substring("payload=".length()), StandardCharsets.UTF_8);
        var payload = GsonFactory.createSnakeCase().fromJson(json, ViewSubmissionPayload.class);
        return payload.getView().getState();
    }

    private static List<String> blockIds(JsonNode view) {
        var ids = new ArrayList<String>();
        view.path("blocks").forEach(b -> ids.add(b.path("block_id").asText()));
        return ids;
    }

    private static JsonNode input(JsonNode view, String blockId) {
        for (var block : view.path("blocks"))
            if (block.path("block_id").asText().equals(blockId)) return block;
        throw new AssertionError("no block " + blockId + " in " + view);
    }
}
