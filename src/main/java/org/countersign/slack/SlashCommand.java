package org.countersign.slack;

import com.slack.api.model.view.View;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.countersign.chat.LastMade;
import org.countersign.chat.Reply;
import org.countersign.chat.Syntax;
import org.countersign.chat.VerbParser;
import org.countersign.domain.Actor;
import org.countersign.domain.Policy;

/**
 * {@code /emergency}: a command word ({@code approve EMG-12}, {@code list}, {@code help}…) is answered by the
 * conversation, ephemerally in the ack; anything else opens the request form, filled in with what was typed. Read
 * from the signed form as sent ({@link Typed#read}), not through Bolt: a list is what people type most in an
 * emergency, and Bolt's parse, middleware and Gson were most of its CPU.
 */
final class SlashCommand {
    private static final Syntax SYNTAX = Syntax.slash();

    private final SlackApp app;
    private final Supplier<Policy> policy;
    private final SlackReplies replies;

    SlashCommand(SlackApp app, Supplier<Policy> policy, SlackReplies replies) {
        this.app = app;
        this.policy = policy;
        this.replies = replies;
    }

    /**
     * A slash command as Slack posts it (docs.slack.dev, "Implementing slash commands").
     *
     * @param text        what was typed after the command, stripped ("" for nothing)
     * @param triggerId   for opening a form, or null
     * @param responseUrl for answering after the ack, or null
     */
    record Typed(String command, String userId, String channelId, String text, String triggerId, String responseUrl) {
        /**
         * The slash command in a signed form body: empty when the body is no slash command (an interaction's
         * {@code payload=…}, an event's JSON, Slack's {@code ssl_check}), or is not well encoded.
         */
        static Optional<Typed> read(byte[] formBody) {
            // An event's JSON, or an interaction (always the one field payload=…): not decoded here for nothing.
            if (formBody.length == 0 || formBody[0] == '{' || FormBody.isInteraction(formBody)) return Optional.empty();
            var form = FormBody.fields(formBody);
            if (form == null || !form.containsKey("command") || form.containsKey("payload")) return Optional.empty();
            return Optional.of(new Typed(form.get("command"), form.get("user_id"), form.get("channel_id"),
                    form.getOrDefault("text", "").strip(), blankAsNull(form, "trigger_id"), blankAsNull(form, "response_url")));
        }

        /** What a command Countersign can act on lacks, or empty: a person to act for, and a channel. */
        Optional<String> lacking() {
            if (userId == null || userId.isBlank()) return Optional.of("user_id");
            if (channelId == null || channelId.isBlank()) return Optional.of("channel_id");
            return Optional.empty();
        }

        private static String blankAsNull(Map<String, String> form, String name) {
            var value = form.get(name);
            return value == null || value.isBlank() ? null : value;
        }
    }

    /** What to say in the ack, ephemerally; empty for a plain ack (a form is opening, or nothing is to be said). */
    Optional<String> handle(Typed typed) {
        var by = Actor.slack(typed.userId());
        var verb = VerbParser.parseAfterSlash(typed.text(), SYNTAX);
        if (verb.isPresent()) {
            var reply = app.conversation().said(by, app.in(typed.channelId()), verb.get());
            if (reply.kind() != Reply.Kind.FORM) return answer(reply);
            var form = app.editForm(reply);
            if (form.isEmpty()) return Optional.of(SlackApp.tooLongForAForm(reply.request()));
            open(typed, form.get());
            return Optional.empty();
        }
        var held = app.conversation().heldBack(by);
        if (held.isPresent()) return answer(held.get());
        var refused = app.conversation().mayOpen(by);
        if (refused.isPresent()) return answer(refused.get());
        var now = policy.get();
        open(typed, SlackForms.requestModal(now, SlackForms.Prefill.fromCommandText(now, typed.text()),
                typed.channelId(), app.conversation().standing()));
        return Optional.empty();
    }

    private void open(Typed typed, View form) {
        replies.open(typed.triggerId(), form, error -> replies.answerCommand(typed.responseUrl(),
                SlackReplies.formNotOpened(error, "run " + SlackApp.COMMAND + " again.")));
    }

    /** A list asked for again is the same text: escaped once. */
    private static final LastMade<String, String> MESSAGES = new LastMade<>(SlackText::message);

    /** Typed commands hear back every time, "you cancelled" too: only the person sees it. */
    private static Optional<String> answer(Reply reply) {
        if (reply.kind() == Reply.Kind.HELD_QUIETLY) return Optional.empty();
        return Optional.of(MESSAGES.of(reply.text()));
    }
}
