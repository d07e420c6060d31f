package org.countersign.slack;

import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.response.Response;
import com.slack.api.model.view.View;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.countersign.chat.Reply;
import org.countersign.chat.Verb;
import org.countersign.domain.Actor;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Policy;
import org.countersign.domain.RequestId;

/**
 * The buttons on a card (and on an alert message) that Bolt parses: deploy steps and Withdraw go to the conversation,
 * Reject and Close open their forms, Edit opens its form for those who may edit. Approvals never come here:
 * {@link SlackEndpoint} reads every one itself.
 */
final class CardButtons {
    /** The reason an alert's request form starts with; a policy without it leaves the reason for the person. */
    static final String ALERT_REASON = "availability";

    private final SlackApp app;
    private final Supplier<Policy> policy;
    private final SlackReplies replies;

    CardButtons(SlackApp app, Supplier<Policy> policy, SlackReplies replies) {
        this.app = app;
        this.policy = policy;
        this.replies = replies;
    }

    Response press(BlockActionRequest req, ActionContext ctx) {
        var p = req.getPayload();
        var by = Actor.slack(p.getUser().getId());
        var actions = p.getActions();
        var action = actions == null || actions.isEmpty() ? null : actions.get(0);
        var actionId = action == null ? "" : String.valueOf(action.getActionId());
        var channel = p.getChannel() == null ? null : p.getChannel().getId();
        if (SlackApp.OPEN_EMERGENCY.equals(actionId)) return opening(ctx, by, () -> requestFromAlert(p, channel, ctx));
        var pressed = CardButton.read(actionId, action == null ? null : action.getValue());
        if (pressed.isEmpty() || CardButton.isApprove(actionId)) return unreadable(ctx, actionId);
        var id = pressed.get().id();
        return switch (pressed.get().action()) {
            case APPROVE -> unreadable(ctx, actionId); // not reached: the endpoint reads every approval
            case REJECT -> opening(ctx, by, () -> form(p.getTriggerId(), ctx, SlackForms::reasonModal, id.toString()));
            case CLOSE -> opening(ctx, by, () -> form(p.getTriggerId(), ctx, SlackForms::noteModal, id.toString()));
            case DEPLOY_STARTED -> say(ctx, by, channel, new Verb.DeployStarted(id, null));
            case DEPLOYED -> say(ctx, by, channel, new Verb.DeployEnded(id, DeployResult.SUCCEEDED, null));
            case ROLLED_BACK -> say(ctx, by, channel, new Verb.DeployEnded(id, DeployResult.ROLLED_BACK, null));
            case FAILED -> say(ctx, by, channel, new Verb.DeployEnded(id, DeployResult.FAILED, null));
            case WITHDRAW -> say(ctx, by, channel, new Verb.Withdraw(id, null));
            case EDIT -> edit(ctx, by, channel, id, p.getTriggerId());
        };
    }

    /** Recorded before the ack; the presser hears back only when nothing changed. */
    private Response say(ActionContext ctx, Actor by, String channel, Verb verb) {
        app.conversation().said(by, app.in(channel), verb).say()
                .ifPresent(text -> replies.tell(ctx, SlackText.message(text)));
        return ctx.ack();
    }

    /** Asked first, so only someone who may edit the changes gets the form; anyone else hears why not. */
    private Response edit(ActionContext ctx, Actor by, String channel, RequestId id, String triggerId) {
        var reply = app.conversation().said(by, app.in(channel), new Verb.Edit(id, null));
        if (reply.kind() != Reply.Kind.FORM) {
            reply.say().ifPresent(text -> replies.tell(ctx, SlackText.message(text)));
            return ctx.ack();
        }
        var form = app.editForm(reply);
        if (form.isEmpty()) replies.tell(ctx, SlackApp.tooLongForAForm(id));
        else replies.open(triggerId, form.get(), error -> replies.tell(ctx, SlackReplies.formNotOpened(error,
                "press again.")));
        return ctx.ack();
    }

    /** A button that opens a form, under the same per-person limit as every other action. */
    private Response opening(ActionContext ctx, Actor by, Runnable open) {
        var held = app.conversation().heldBack(by);
        if (held.isPresent()) held.get().say().ifPresent(text -> replies.tell(ctx, SlackText.message(text)));
        else open.run();
        return ctx.ack();
    }

    private void form(String triggerId, ActionContext ctx, BiFunction<String, String, View> modal, String id) {
        replies.open(triggerId, modal.apply(id, id), error -> replies.tell(ctx, SlackReplies.formNotOpened(error,
                "press again.")));
    }

    /** The request form, pre-filled from the alert: the summary is only a suggestion the person edits. */
    private void requestFromAlert(com.slack.api.app_backend.interactive_components.payload.BlockActionPayload p,
                                  String channel, ActionContext ctx) {
        var value = p.getActions().get(0).getValue();
        int bar = value == null ? -1 : value.indexOf('|');
        var summary = bar < 0 || value.substring(bar + 1).isBlank() ? null : value.substring(bar + 1).strip();
        var modal = SlackForms.requestModal(policy.get(), new SlackForms.Prefill(ALERT_REASON, summary), channel,
                app.conversation().standing());
        replies.open(p.getTriggerId(), modal, error -> replies.tell(ctx, SlackReplies.formNotOpened(error,
                "press again.")));
    }

    private Response unreadable(ActionContext ctx, String actionId) {
        replies.tell(ctx, CardButton.isApprove(actionId) || !actionId.isEmpty() && org.countersign.chat.Card.Action
                .fromKey(actionId).isPresent()
                ? "This button does not name a request Countersign can read. Use `" + SlackApp.COMMAND + " list`."
                : "This button is not one Countersign knows (any more). Use `" + SlackApp.COMMAND + " status EMG-12`.");
        return ctx.ack();
    }
}
