package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.slack.SlackFixture.DEV;
import static org.countersign.slack.SlackFixture.OPS;
import static org.countersign.slack.SlackFixture.REL1;
import static org.countersign.slack.SlackFixture.SRE1;
import static org.countersign.slack.SlackFixture.SRE2;
import static org.countersign.slack.SlackFixture.WAIT;
import static org.countersign.slack.SlackFixture.actionIds;
import static org.countersign.slack.SlackFixture.blocksText;

import com.slack.api.model.block.InputBlock;
import com.slack.api.model.block.element.PlainTextInputElement;
import com.slack.api.model.view.View;
import com.slack.api.util.json.GsonFactory;
import java.nio.file.Path;
import java.util.List;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.countersign.slack.fake.OpenedView;
import org.countersign.slack.fake.ViewSubmission;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Editing the changes and withdrawing an approval from Slack: the card's buttons, the Edit form, typed commands. */
class SlackEditWithdrawFlowTest {
    static final String FIRST_CHANGES = "https://gerrit.example.org/r/c/operations/+/123456\n987654";
    static final String NEW_CHANGE = "https://gerrit.example.org/r/c/operations/+/123457";

    @TempDir
    Path dataDir;

    private SlackFixture slack;

    @BeforeEach
    void start() throws Exception {
        slack = new SlackFixture(dataDir, true);
    }

    @AfterEach
    void stop() {
        slack.close();
    }

    @Test
    void the_edit_button_opens_the_form_with_the_current_changes_and_saving_clears_the_approvals_on_the_card() {
        var id = approvedBySre();
        assertThat(actionIds(slack.card(OPS, id))).containsExactly("approve:releng", "reject", "withdraw", "edit");

        var form = pressForForm(DEV, id, "edit");

        assertThat(form.callbackId()).isEqualTo(SlackForms.EDIT_CALLBACK);
        assertThat(form.privateMetadata()).isEqualTo(id.toString());
        // Read back as Slack's own types: the one input holds the changes, one a line.
        var view = GsonFactory.createSnakeCase().fromJson(form.view().toString(), View.class);
        var input = view.getBlocks().stream().filter(b -> b instanceof InputBlock).map(b -> (InputBlock) b)
                .filter(b -> b.getBlockId().equals(SlackForms.CHANGES_BLOCK)).findFirst().orElseThrow();
        assertThat(((PlainTextInputElement) input.getElement()).getInitialValue()).isEqualTo(FIRST_CHANGES);

        var saved = slack.submit(ViewSubmission.of(form, DEV).withPlainText(SlackForms.CHANGES_BLOCK,
                SlackForms.CHANGES_ACTION, NEW_CHANGE + "\n\n"));

        assertThat(saved.status()).isEqualTo(200);
        assertThat(saved.body()).isEmpty();
        await().atMost(WAIT).until(() -> slack.request(id).changes().equals(List.of(NEW_CHANGE)));
        assertThat(slack.request(id).approvals()).isEmpty();
        var card = slack.awaitCardShows(OPS, id, "123457");
        assertThat(blocksText(card)).doesNotContain("approved by <@U0SRE1>").doesNotContain("987654");
        assertThat(actionIds(card)).containsExactly("approve:sre", "approve:releng", "reject", "edit");
        await().atMost(WAIT).until(() -> slack.replies(OPS, slack.card(OPS, id)).stream()
                .anyMatch(m -> m.text().startsWith("⚠️ The changes of " + id + " were edited, so its approvals were cleared")));
    }

    @Test
    void changes_that_are_not_changes_stay_on_the_edit_form_and_nothing_changes() {
        var id = slack.open(DEV, "availability", OPS);
        var form = pressForForm(DEV, id, "edit");

        var refused = slack.submit(ViewSubmission.of(form, DEV).withPlainText(SlackForms.CHANGES_BLOCK,
                SlackForms.CHANGES_ACTION, "fix the cache"));

        assertThat(refused.status()).isEqualTo(200);
        assertThat(refused.body()).contains("\"response_action\":\"errors\"").contains("\"changes\"")
                .contains("is not a change");
        assertThat(slack.request(id).version()).isEqualTo(1);
    }

    @Test
    void someone_who_may_not_edit_is_told_why_ephemerally_and_no_form_opens() {
        var id = slack.open(DEV, "availability", OPS);
        int views = slack.fake.openedViews().size();
        int before = slack.fake.responseUrlPosts().size();

        slack.press(SRE1, OPS, id, "edit");

        assertThat(slack.awaitEphemeral(before)).isEqualTo("Only the requester or the deployer can edit the changes of " + id);
        assertThat(slack.fake.responseUrlPosts().get(before).responseType()).isEqualTo("ephemeral");
        assertThat(slack.fake.openedViews()).hasSize(views);
    }

    @Test
    void the_withdraw_button_takes_the_pressers_approval_back_and_the_card_asks_for_it_again() {
        var id = approvedBySre();

        assertThat(slack.press(SRE1, OPS, id, "withdraw").status()).isEqualTo(200);

        await().atMost(WAIT).until(() -> slack.request(id).approvals().isEmpty());
        assertThat(slack.request(id).state()).isEqualTo(State.PENDING);
        var card = slack.awaitCardShows(OPS, id, "SRE — waiting (0 of 1)");
        assertThat(actionIds(card)).containsExactly("approve:sre", "approve:releng", "reject", "edit");
        await().atMost(WAIT).until(() -> slack.replies(OPS, slack.card(OPS, id)).stream()
                .anyMatch(m -> m.text().equals("↩️ <@U0SRE1> withdrew their approval of " + id + " for SRE.")));
    }

    @Test
    void someone_elses_withdraw_press_is_refused_ephemerally_and_the_approval_stays() {
        var id = approvedBySre();
        int before = slack.fake.responseUrlPosts().size();

        slack.press(SRE2, OPS, id, "withdraw");

        assertThat(slack.awaitEphemeral(before)).isEqualTo("You have no approval on " + id + " to withdraw; only the "
                + "person who approved withdraws their own approval");
        assertThat(slack.fake.responseUrlPosts().get(before).responseType()).isEqualTo("ephemeral");
        assertThat(slack.request(id).approvals()).hasSize(1);
    }

    @Test
    void typed_withdraw_and_edit_work_and_edit_alone_opens_the_form() {
        var id = approvedBySre();

        var withdrawn = slack.command(SRE1, "withdraw " + id);
        var edited = slack.command(DEV, "edit " + id + " --change " + NEW_CHANGE);
        var form = slack.openForm(DEV, "edit " + id);

        assertThat(withdrawn.body()).contains("\"response_type\":\"ephemeral\"")
                .contains("You withdrew your approval of " + id + " for SRE");
        assertThat(edited.body()).contains("You changed the changes of " + id);
        assertThat(slack.request(id).changes()).containsExactly(NEW_CHANGE);
        assertThat(form.callbackId()).isEqualTo(SlackForms.EDIT_CALLBACK);
        assertThat(form.view().toString()).contains("\"initial_value\":\"" + NEW_CHANGE + "\"");
    }

    @Test
    void once_every_team_signed_there_is_no_withdraw_button_and_a_typed_withdraw_is_refused() {
        var id = approvedBySre();
        slack.press(REL1, OPS, id, "approve:releng");
        var card = slack.awaitCardShows(OPS, id, "Deploy started");

        var refused = slack.command(SRE1, "withdraw " + id);

        assertThat(actionIds(card)).containsExactly("deploy_started", "deployed", "reject", "edit");
        assertThat(refused.body()).contains(id + " is already approved: every team has signed, so approvals can no "
                + "longer be withdrawn");
        assertThat(slack.request(id).approvals()).hasSize(2);
    }

    private RequestId approvedBySre() {
        var id = slack.open(DEV, "availability", OPS);
        slack.press(SRE1, OPS, id, "approve:sre");
        slack.awaitCardShows(OPS, id, "approved by <@U0SRE1>");
        return id;
    }

    private OpenedView pressForForm(String user, RequestId id, String actionId) {
        int views = slack.fake.openedViews().size();
        slack.press(user, OPS, id, actionId);
        await().atMost(WAIT).until(() -> slack.fake.openedViews().size() > views);
        return slack.fake.openedViews().get(views);
    }
}
