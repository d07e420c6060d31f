package org.countersign.slack;

import com.slack.api.bolt.context.builtin.ViewSubmissionContext;
import com.slack.api.bolt.request.builtin.ViewSubmissionRequest;
import com.slack.api.bolt.response.Response;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.countersign.app.KeyValues;
import org.countersign.app.StoreUnavailable;
import org.countersign.chat.Conversation;
import org.countersign.chat.Reply;
import org.countersign.chat.Verb;
import org.countersign.domain.Actor;
import org.countersign.domain.RequestId;

/**
 * The forms people submit (the request, a rejection's reason, a close note): read into a verb for the conversation;
 * a refusal stays on the form, next to its field, so the person sees it where they typed.
 */
final class FormSubmissions {
    static final Duration SUBMISSION_MEMORY = Duration.ofDays(1);

    private final SlackApp app;
    private final KeyValues kv;
    private final SlackReplies replies;

    FormSubmissions(SlackApp app, KeyValues kv, SlackReplies replies) {
        this.app = app;
        this.kv = kv;
        this.replies = replies;
    }

    Response request(ViewSubmissionRequest req, ViewSubmissionContext ctx) {
        var p = req.getPayload();
        var by = Actor.slack(p.getUser().getId());
        var draft = SlackForms.draftFrom(p.getView().getState());
        // Slack may deliver the same submission twice (a retry, a double click): open it once.
        var onceKey = "slack:submission:" + p.getView().getId() + ":" + p.getView().getHash();
        try {
            if (!kv.putIfAbsent(onceKey, "opening", SUBMISSION_MEMORY)) return ctx.ack();
        } catch (StoreUnavailable e) {
            return ctx.ackWithErrors(Map.of(SlackForms.SUMMARY_BLOCK, Conversation.UNAVAILABLE));
        }
        var reply = app.conversation().said(by, app.alone(), new Verb.Open(draft)); // counts the per-person limit once
        if (reply.kind() != Reply.Kind.OPENED) {
            forget(onceKey);
            return ctx.ackWithErrors(reply.problems().isEmpty() ? Map.of(SlackForms.SUMMARY_BLOCK, reply.text())
                    : SlackForms.errorsFor(reply.problems()));
        }
        try {
            kv.put(onceKey, reply.request().toString(), SUBMISSION_MEMORY);
        } catch (StoreUnavailable e) {
            // Opened; a retried submission within the day would find "opening" and be dropped, which is right.
        }
        var from = p.getView().getPrivateMetadata();
        if (from != null && !from.isBlank()) replies.whisper(from, p.getUser().getId(), SlackText.message(reply.text()));
        return ctx.ack();
    }

    Response rejection(ViewSubmissionRequest req, ViewSubmissionContext ctx) {
        var p = req.getPayload();
        var why = SlackForms.textFrom(p.getView().getState(), SlackForms.REJECT_REASON_BLOCK);
        return onRequest(ctx, req, SlackForms.REJECT_REASON_BLOCK, id -> new Verb.Reject(id, why));
    }

    Response close(ViewSubmissionRequest req, ViewSubmissionContext ctx) {
        var p = req.getPayload();
        var note = SlackForms.textFrom(p.getView().getState(), SlackForms.CLOSE_NOTE_BLOCK);
        return onRequest(ctx, req, SlackForms.CLOSE_NOTE_BLOCK, id -> new Verb.Close(id, note));
    }

    Response edit(ViewSubmissionRequest req, ViewSubmissionContext ctx) {
        var changes = SlackForms.changesFrom(req.getPayload().getView().getState());
        return onRequest(ctx, req, SlackForms.CHANGES_BLOCK, id -> new Verb.Edit(id, changes));
    }

    /** A small form about one request: anything but a change (or "nothing to do") is shown on the form. */
    private Response onRequest(ViewSubmissionContext ctx, ViewSubmissionRequest req, String block,
                               Function<RequestId, Verb> verb) {
        var p = req.getPayload();
        var id = RequestId.parse(p.getView().getPrivateMetadata());
        if (id.isEmpty()) return ctx.ackWithErrors(Map.of(block, "This form lost track of its request; press the "
                + "button on the card again."));
        var reply = app.conversation().said(Actor.slack(p.getUser().getId()), app.alone(), verb.apply(id.get()));
        if (reply.kind() == Reply.Kind.DONE || reply.kind() == Reply.Kind.UNCHANGED) return ctx.ack();
        return ctx.ackWithErrors(Map.of(block, reply.text()));
    }

    private void forget(String onceKey) {
        try {
            kv.delete(onceKey);
        } catch (StoreUnavailable e) {
            // it expires by itself; the person is told what went wrong either way
        }
    }
}
