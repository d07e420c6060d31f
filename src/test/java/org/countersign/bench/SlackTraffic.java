package org.countersign.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.countersign.slack.fake.BlockAction;
import org.countersign.slack.fake.FakeSlack;
import org.countersign.slack.fake.PostedMessage;
import org.countersign.slack.fake.SignedRequest;
import org.countersign.slack.fake.SlackSigner;
import org.countersign.slack.fake.SlashCommand;
import org.countersign.slack.fake.ViewSubmission;

/**
 * What Slack would POST to Countersign, signed with the app's secret, as raw HTTP requests ready to send. Every
 * response URL points at the fake Slack, so nothing the service answers later leaves this machine.
 */
final class SlackTraffic {
    static final String SECRET = "bench-signing-secret-0123456789abcdef";
    static final String TOKEN = "xoxb-countersign-bench";
    static final String OPS = "C1BENCHOPS";
    static final String PATH = "/slack/events";
    // The request modal's ids, as org.countersign.slack.SlackForms names them.
    static final String REQUEST_CALLBACK = "emergency_request";

    private final FakeSlack fake;
    private final SlackSigner signer = new SlackSigner(SECRET);
    private final int port;

    SlackTraffic(FakeSlack fake, int port) {
        this.fake = fake;
        this.port = port;
    }

    int port() { return port; }

    /** {@code /emergency <text>} typed by {@code user} in the ops channel. */
    byte[] command(String user, String text) {
        var command = SlashCommand.emergency(user, OPS, text).via(fake);
        return http(signer.slashCommand(command));
    }

    /** {@code user} pressing {@code actionId} on {@code card}, as Slack reports it (the whole message included). */
    byte[] press(PostedMessage card, String actionId, String user) {
        var pressed = BlockAction.press(card, actionId, user);
        var live = new BlockAction(pressed.teamId(), pressed.userId(), pressed.userName(), pressed.channelId(),
                pressed.message(), pressed.blockId(), pressed.actionId(), pressed.value(), pressed.buttonText(),
                pressed.triggerId(), fake.newResponseUrl());
        return http(signer.blockAction(live));
    }

    /** {@code user} submitting the request form {@code form} (a modal the service opened), as view {@code viewId}. */
    byte[] submitRequest(JsonNode form, String viewId, String user, int n) {
        var view = ((ObjectNode) form.deepCopy()).put("id", viewId).put("root_view_id", viewId);
        var submission = new ViewSubmission(fake.teamId(), user, user.toLowerCase(), view, Map.of(), "0.0.placeholder")
                .withSelectedOption("reason", "reason_select", "availability")
                .withPlainText("summary", "summary_input", "Bench " + n + ": API returns 500s since the cache deploy")
                .withPlainText("changes", "changes_input", "https://gerrit.example.org/r/c/operations/+/123456\n987654")
                .withPlainText("task", "task_input", "T12345")
                .withSelectedOption("rollback", "rollback_choice", "yes");
        return http(signer.viewSubmission(submission));
    }

    private byte[] http(SignedRequest signed) {
        return HttpConnection.request("POST", PATH, port, new String[] {
                "Content-Type", signed.contentType(),
                "X-Slack-Request-Timestamp", signed.timestamp(),
                "X-Slack-Signature", signed.signature(),
                "User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)"},
                signed.body().getBytes(StandardCharsets.UTF_8));
    }
}
