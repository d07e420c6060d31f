package org.countersign.slack;

import static com.slack.api.model.block.Blocks.context;
import static com.slack.api.model.block.Blocks.input;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.option;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.plainTextInput;
import static com.slack.api.model.block.element.BlockElements.radioButtons;
import static com.slack.api.model.block.element.BlockElements.staticSelect;
import static com.slack.api.model.block.element.BlockElements.usersSelect;
import static com.slack.api.model.view.Views.view;
import static com.slack.api.model.view.Views.viewClose;
import static com.slack.api.model.view.Views.viewSubmit;
import static com.slack.api.model.view.Views.viewTitle;

import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.composition.OptionObject;
import com.slack.api.model.view.View;
import com.slack.api.model.view.ViewState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.countersign.chat.FormWords;
import org.countersign.domain.Actor;
import org.countersign.domain.Draft;
import org.countersign.domain.Policy;
import org.countersign.domain.Problem;
import org.countersign.domain.Workflow;

/**
 * The modals Countersign opens (the request form, the reject reason, the close note) and how their
 * submissions are read back. Reading never throws: a missing or odd value is null, and the domain's
 * {@link Draft#problems} says what is wrong, field by field.
 */
final class SlackForms {
    static final String REQUEST_CALLBACK = "emergency_request";
    static final String REJECT_CALLBACK = "reject_request";
    static final String CLOSE_CALLBACK = "close_request";
    static final String EDIT_CALLBACK = "edit_changes";

    // Request modal: block ids are the domain's field names, so errors land on the right input.
    static final String REASON_BLOCK = "reason";
    static final String REASON_ACTION = "reason_select";
    static final String SUMMARY_BLOCK = "summary";
    static final String SUMMARY_ACTION = "summary_input";
    static final String CHANGES_BLOCK = "changes";
    static final String CHANGES_ACTION = "changes_input";
    static final String TASK_BLOCK = "task";
    static final String TASK_ACTION = "task_input";
    static final String ROLLBACK_BLOCK = "rollback";
    static final String ROLLBACK_ACTION = "rollback_choice";
    static final String WHY_NOT_ROLLBACK_BLOCK = "why_not_rollback";
    static final String WHY_NOT_ROLLBACK_ACTION = "why_not_rollback_input";
    static final String DEPLOYER_BLOCK = "deployer";
    static final String DEPLOYER_ACTION = "deployer_select";
    static final String DETAILS_BLOCK = "details";
    static final String DETAILS_ACTION = "details_input";
    static final String ADVICE_BLOCK = "advice";
    static final String WINDOWS_BLOCK = "windows";
    /** The radio values of FormWords.ROLLBACK_QUESTION. */
    static final String YES = "yes";
    static final String NO = "no";

    static final String REJECT_REASON_BLOCK = "reject_reason";
    static final String REJECT_REASON_ACTION = "reject_reason_input";
    static final String CLOSE_NOTE_BLOCK = "close_note";
    static final String CLOSE_NOTE_ACTION = "close_note_input";

    /** Slack's limits on a modal: title 24, option text 75, private_metadata 3000, plain_text_input 3000. */
    static final int TITLE_MAX = 24;
    static final int OPTION_TEXT_MAX = 75;
    static final int PRIVATE_METADATA_MAX = 3000;
    static final int INPUT_MAX = 3000;

    private static final Map<String, String> BLOCK_OF_FIELD = Map.of(
            "reason", REASON_BLOCK, "summary", SUMMARY_BLOCK, "changes", CHANGES_BLOCK, "task", TASK_BLOCK,
            "rollback", ROLLBACK_BLOCK, "why_not_rollback", WHY_NOT_ROLLBACK_BLOCK, "deployer", DEPLOYER_BLOCK,
            "details", DETAILS_BLOCK);

    private SlackForms() {}

    /** What {@code /emergency <text>} already said. Either part may be null. */
    record Prefill(String reason, String summary) {
        static final Prefill NONE = new Prefill(null, null);

        /** A first word naming a reason (any case) picks it and the rest is the summary; otherwise all is the summary. */
        static Prefill fromCommandText(Policy policy, String text) {
            if (text == null || text.isBlank()) return NONE;
            var stripped = text.strip();
            var parts = stripped.split("\\s+", 2);
            var first = parts[0].toLowerCase(Locale.ROOT);
            var reason = policy.reasons().keySet().stream()
                    .filter(k -> k.toLowerCase(Locale.ROOT).equals(first)).findFirst();
            if (reason.isEmpty()) return new Prefill(null, stripped);
            return new Prefill(reason.get(), parts.length > 1 && !parts[1].isBlank() ? parts[1].strip() : null);
        }
    }

    /** The request form, pre-filled from the command's text. */
    static View requestModal(Policy policy, Prefill prefill, String privateMetadata) {
        return requestModal(policy, prefill, privateMetadata, java.util.Optional.empty());
    }

    /** The request form, with where the deployment windows stand now ({@code standing}) above its fields. */
    static View requestModal(Policy policy, Prefill prefill, String privateMetadata,
                             java.util.Optional<String> standing) {
        var options = policy.reasons().values().stream()
                .map(r -> option(plainText(SlackText.shorten(r.label(), OPTION_TEXT_MAX)), r.key())).toList();
        var initialReason = prefill == null || prefill.reason() == null ? null : options.stream()
                .filter(o -> o.getValue().equals(prefill.reason())).findFirst().orElse(null);
        var initialSummary = prefill == null || prefill.summary() == null ? null
                : cut(prefill.summary(), Draft.SUMMARY_MAX);
        var yes = option(plainText(FormWords.ROLLBACK_YES), YES);
        var no = option(plainText(FormWords.ROLLBACK_NO), NO);

        var blocks = new ArrayList<LayoutBlock>();
        standing.ifPresent(line -> blocks.add(context(c -> c.blockId(WINDOWS_BLOCK).elements(List.of(markdownText(
                SlackText.escape(line) + "."))))));
        blocks.add(input(i -> i.blockId(REASON_BLOCK).label(plainText("Reason"))
                .element(staticSelect(s -> s.actionId(REASON_ACTION).options(options).initialOption(initialReason)
                        .placeholder(plainText(FormWords.REASON_PLACEHOLDER))))));
        blocks.add(input(i -> i.blockId(SUMMARY_BLOCK).label(plainText("Summary"))
                .element(plainTextInput(t -> t.actionId(SUMMARY_ACTION).maxLength(Draft.SUMMARY_MAX)
                        .initialValue(initialSummary)
                        .placeholder(plainText(FormWords.SUMMARY_PLACEHOLDER))))));
        blocks.add(input(i -> i.blockId(CHANGES_BLOCK).label(plainText("Changes"))
                .hint(plainText(FormWords.CHANGES_HINT))
                .element(plainTextInput(t -> t.actionId(CHANGES_ACTION).multiline(true).maxLength(INPUT_MAX)
                        .placeholder(plainText("https://gerrit.example.org/r/c/operations/+/123456"))))));
        blocks.add(input(i -> i.blockId(TASK_BLOCK).label(plainText("Task")).optional(true)
                .element(plainTextInput(t -> t.actionId(TASK_ACTION).maxLength(Draft.TASK_MAX)
                        .placeholder(plainText(FormWords.TASK_PLACEHOLDER))))));
        blocks.add(input(i -> i.blockId(ROLLBACK_BLOCK).label(plainText(FormWords.ROLLBACK_QUESTION))
                .element(radioButtons(r -> r.actionId(ROLLBACK_ACTION).options(List.of(yes, no))))));
        blocks.add(input(i -> i.blockId(WHY_NOT_ROLLBACK_BLOCK).label(plainText(FormWords.WHY_NOT_ROLLBACK)).optional(true)
                .hint(plainText(FormWords.WHY_NOT_ROLLBACK_HINT))
                .element(plainTextInput(t -> t.actionId(WHY_NOT_ROLLBACK_ACTION).multiline(true)
                        .maxLength(Draft.WHY_NOT_ROLLBACK_MAX)))));
        blocks.add(input(i -> i.blockId(DEPLOYER_BLOCK).label(plainText("Deployer")).optional(true)
                .hint(plainText(FormWords.DEPLOYER_HINT))
                .element(usersSelect(u -> u.actionId(DEPLOYER_ACTION).placeholder(plainText("Pick a person"))))));
        blocks.add(input(i -> i.blockId(DETAILS_BLOCK).label(plainText("Details")).optional(true)
                .element(plainTextInput(t -> t.actionId(DETAILS_ACTION).multiline(true).maxLength(Draft.DETAILS_MAX)
                        .placeholder(plainText(FormWords.DETAILS_PLACEHOLDER))))));
        blocks.add(context(c -> c.blockId(ADVICE_BLOCK).elements(List.of(markdownText(
                "*Rollback first, fix later.* Availability comes before new features. "
                        + "Make on-wiki edits rarely, and only with this sign-off.")))));
        return modal(REQUEST_CALLBACK, "Emergency deploy", "Open request", blocks, privateMetadata);
    }

    /** The Reject modal: one required reason, which the requester is shown. */
    static View reasonModal(String requestId, String privateMetadata) {
        var blocks = List.<LayoutBlock>of(
                section(s -> s.blockId("reject_intro").text(markdownText("Rejecting *" + SlackText.escape(requestId)
                        + "*. The requester sees your reason, so say what would make it acceptable."))),
                input(i -> i.blockId(REJECT_REASON_BLOCK).label(plainText(FormWords.REJECT_QUESTION))
                        .element(plainTextInput(t -> t.actionId(REJECT_REASON_ACTION).multiline(true)
                                .maxLength(Workflow.REJECT_REASON_MAX)))));
        return modal(REJECT_CALLBACK, "Reject request", "Reject", blocks, privateMetadata);
    }

    /**
     * The Edit modal: the request's changes, one a line, to replace; empty when they are longer than Slack lets a form
     * hold (a request opened elsewhere may have more), since a cut list would be saved cut.
     */
    static Optional<View> editModal(String requestId, List<String> changes) {
        var current = String.join("\n", changes);
        if (current.length() > INPUT_MAX) return Optional.empty();
        var blocks = List.<LayoutBlock>of(
                section(s -> s.blockId("edit_intro").text(markdownText("Editing the changes of *"
                        + SlackText.escape(requestId) + "*. Saving clears its approvals, so every team approves again."))),
                input(i -> i.blockId(CHANGES_BLOCK).label(plainText("Changes"))
                        .hint(plainText(FormWords.CHANGES_HINT))
                        .element(plainTextInput(t -> t.actionId(CHANGES_ACTION).multiline(true).maxLength(INPUT_MAX)
                                .initialValue(current.isEmpty() ? null : current)))));
        return Optional.of(modal(EDIT_CALLBACK, "Edit changes", "Save changes", blocks, requestId));
    }

    /** The lines of the Edit modal's changes; empty when none were given. */
    static List<String> changesFrom(ViewState state) {
        var changes = textFrom(state, CHANGES_BLOCK);
        return changes == null ? List.of() : Arrays.asList(changes.split("\\R"));
    }

    /** The Close modal: one required follow-up note. */
    static View noteModal(String requestId, String privateMetadata) {
        var blocks = List.<LayoutBlock>of(
                section(s -> s.blockId("close_intro").text(markdownText("Closing *" + SlackText.escape(requestId)
                        + "*."))),
                input(i -> i.blockId(CLOSE_NOTE_BLOCK).label(plainText("Follow-up note"))
                        .hint(plainText(FormWords.CLOSE_NOTE_HINT))
                        .element(plainTextInput(t -> t.actionId(CLOSE_NOTE_ACTION).multiline(true)
                                .maxLength(Workflow.NOTE_MAX)))));
        return modal(CLOSE_CALLBACK, "Close request", "Close", blocks, privateMetadata);
    }

    /** The request form's answers as a draft; anything missing or unreadable is null. */
    static Draft draftFrom(ViewState state) {
        var changes = textFrom(state, CHANGES_BLOCK);
        var rollback = selectedFrom(state, ROLLBACK_BLOCK);
        var deployer = userFrom(state, DEPLOYER_BLOCK);
        return new Draft(selectedFrom(state, REASON_BLOCK), textFrom(state, SUMMARY_BLOCK),
                textFrom(state, DETAILS_BLOCK),
                changes == null ? List.of() : Arrays.asList(changes.split("\\R")),
                textFrom(state, TASK_BLOCK),
                YES.equals(rollback) ? Boolean.TRUE : NO.equals(rollback) ? Boolean.FALSE : null,
                textFrom(state, WHY_NOT_ROLLBACK_BLOCK),
                deployer == null ? null : Actor.slack(deployer));
    }

    /** The typed text of the input in {@code blockId}, or null. */
    static String textFrom(ViewState state, String blockId) {
        var value = valueIn(state, blockId);
        return value == null ? null : value.getValue();
    }

    /**
     * Problems as Slack's {@code response_action: errors} wants them: block_id → message, several
     * messages for one field joined; a field the form does not have lands on the first input.
     */
    static Map<String, String> errorsFor(List<Problem> problems) {
        var errors = new LinkedHashMap<String, String>();
        for (var p : problems) {
            var block = BLOCK_OF_FIELD.getOrDefault(p.field(), REASON_BLOCK);
            errors.merge(block, p.message(), (a, b) -> a + "; " + b);
        }
        return errors;
    }

    private static String selectedFrom(ViewState state, String blockId) {
        var value = valueIn(state, blockId);
        return value == null || value.getSelectedOption() == null ? null : value.getSelectedOption().getValue();
    }

    private static String userFrom(ViewState state, String blockId) {
        var value = valueIn(state, blockId);
        var user = value == null ? null : value.getSelectedUser();
        return user == null || user.isBlank() ? null : user.strip();
    }

    // Each input block holds one element, so the block id alone finds the value, whatever its action id.
    private static ViewState.Value valueIn(ViewState state, String blockId) {
        if (state == null || state.getValues() == null) return null;
        var byAction = state.getValues().get(blockId);
        if (byAction == null) return null;
        return byAction.values().stream().filter(v -> v != null).findFirst().orElse(null);
    }

    private static View modal(String callbackId, String title, String submit, List<LayoutBlock> blocks,
                              String privateMetadata) {
        if (privateMetadata != null && privateMetadata.length() > PRIVATE_METADATA_MAX)
            throw new IllegalArgumentException("private_metadata is over " + PRIVATE_METADATA_MAX + " characters: "
                    + privateMetadata.length());
        return view(v -> v.type("modal").callbackId(callbackId).privateMetadata(privateMetadata)
                .title(viewTitle(t -> t.type("plain_text").text(SlackText.shorten(title, TITLE_MAX))))
                .submit(viewSubmit(s -> s.type("plain_text").text(submit)))
                .close(viewClose(c -> c.type("plain_text").text("Cancel")))
                .blocks(blocks));
    }

    // Cut without a marker, for values a person sees and edits in the form; never splits a surrogate pair.
    private static String cut(String text, int max) {
        if (text.length() <= max) return text;
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end);
    }
}
