package org.countersign.slack;

import com.slack.api.Slack;
import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.util.Responder;
import com.slack.api.methods.MethodsClient;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Answers sent after the ack (Slack gives 3 s to ack, so nothing slow comes before it): ephemeral replies and forms. */
final class SlackReplies {
    private static final Logger log = LoggerFactory.getLogger(SlackReplies.class);

    private final Slack slack;
    private final MethodsClient client;
    private final ExecutorService afterAck;

    SlackReplies(Slack slack, MethodsClient client, ExecutorService afterAck) {
        this.slack = slack;
        this.client = client;
        this.afterAck = afterAck;
    }

    /** "Slack did not open the form (…); <what to do>." */
    static String formNotOpened(String error, String then) {
        return "Slack did not open the form (" + error + "); " + then;
    }

    /** An ephemeral answer to a button press, through its response URL (none: nothing is said). */
    void tell(String responseUrl, String mrkdwn) {
        if (responseUrl == null || responseUrl.isBlank()) return;
        later(() -> new Responder(slack, responseUrl)
                .sendToAction(r -> r.responseType("ephemeral").replaceOriginal(false).text(mrkdwn)));
    }

    /** An ephemeral answer to a slash command after its ack, through its response URL (none: nothing is said). */
    void answerCommand(String responseUrl, String mrkdwn) {
        if (responseUrl == null || responseUrl.isBlank()) return;
        later(() -> new Responder(slack, responseUrl).sendToCommand(r -> r.responseType("ephemeral").text(mrkdwn)));
    }

    /** An ephemeral answer to a button press Bolt parsed. */
    void tell(ActionContext ctx, String mrkdwn) {
        later(() -> ctx.respond(r -> r.responseType("ephemeral").replaceOriginal(false).text(mrkdwn)));
    }

    /** An ephemeral message to one person in a channel. */
    void whisper(String channel, String user, String mrkdwn) {
        later(() -> client.chatPostEphemeral(m -> m.channel(channel).user(user).text(mrkdwn)));
    }

    /** Opens a modal; when Slack will not, {@code failed} hears its error. */
    void open(String triggerId, com.slack.api.model.view.View view, Failed failed) {
        later(() -> {
            var opened = client.viewsOpen(r -> r.triggerId(triggerId).view(view));
            if (!opened.isOk()) {
                log.warn("views.open failed: {}", opened.getError());
                failed.accept(opened.getError());
            }
        });
    }

    /** What to do when Slack would not open a form; may call Slack again. */
    @FunctionalInterface
    interface Failed {
        void accept(String error) throws Exception;
    }

    @FunctionalInterface
    interface SlackWork {
        void run() throws Exception;
    }

    /** Runs Slack calls after the ack; a failure is logged, as there is no one left to answer. */
    void later(SlackWork work) {
        afterAck.execute(() -> {
            try {
                work.run();
            } catch (Exception e) {
                log.warn("Slack call after the ack failed: {}", e.toString());
            }
        });
    }
}
