package org.countersign.slack;

import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.request.builtin.SlashCommandRequest;
import com.slack.api.bolt.response.Response;
import org.countersign.chat.Reply;
import org.countersign.chat.Syntax;
import org.countersign.chat.VerbParser;
import org.countersign.domain.Actor;
import org.countersign.domain.Policy;

/**
 * {@code /emergency}: a command word ({@code approve EMG-12}, {@code list}, {@code help}…) is answered by the
 * conversation, ephemerally in the ack; anything else opens the request form, filled in with what was typed.
 */
final class SlashCommand {
    private static final Syntax SYNTAX = Syntax.slash();

    private final SlackApp app;
    private final Policy policy;
    private final SlackReplies replies;

    SlashCommand(SlackApp app, Policy policy, SlackReplies replies) {
        this.app = app;
        this.policy = policy;
        this.replies = replies;
    }

    Response handle(SlashCommandRequest req, SlashCommandContext ctx) {
        var p = req.getPayload();
        var by = Actor.slack(p.getUserId());
        var text = p.getText() == null ? "" : p.getText().strip();
        var verb = VerbParser.parseAfterSlash(text, SYNTAX);
        if (verb.isPresent()) {
            var reply = app.conversation().said(by, app.in(p.getChannelId()), verb.get());
            if (reply.kind() != Reply.Kind.FORM) return answer(ctx, reply);
            var form = app.editForm(reply);
            if (form.isEmpty()) return ctx.ack(r -> r.responseType("ephemeral").text(SlackApp.tooLongForAForm(reply.request())));
            replies.open(p.getTriggerId(), form.get(), error -> ctx.respond(r -> r.responseType("ephemeral")
                    .text(SlackReplies.formNotOpened(error, "run " + SlackApp.COMMAND + " again."))));
            return ctx.ack();
        }
        var held = app.conversation().heldBack(by);
        if (held.isPresent()) return answer(ctx, held.get());
        var refused = app.conversation().mayOpen(by);
        if (refused.isPresent()) return answer(ctx, refused.get());
        var modal = SlackForms.requestModal(policy, SlackForms.Prefill.fromCommandText(policy, text), p.getChannelId(),
                app.conversation().standing());
        replies.open(p.getTriggerId(), modal, error -> ctx.respond(r -> r.responseType("ephemeral")
                .text(SlackReplies.formNotOpened(error, "run " + SlackApp.COMMAND + " again."))));
        return ctx.ack();
    }

    /** Typed commands hear back every time, "you cancelled" too: only the person sees it. */
    private static Response answer(SlashCommandContext ctx, Reply reply) {
        if (reply.kind() == Reply.Kind.HELD_QUIETLY) return ctx.ack();
        return ctx.ack(r -> r.responseType("ephemeral").text(SlackText.message(reply.text())));
    }
}
