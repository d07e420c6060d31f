package org.countersign.slack;

import static org.countersign.chat.AlertNotice.ALERT_LINE_MAX;
import static org.countersign.chat.AlertNotice.DESCRIPTION_MAX;
import static org.countersign.chat.AlertNotice.LABELS_MAX;
import static org.countersign.chat.AlertNotice.TITLE_MAX;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.slack.api.methods.MethodsClient;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import org.countersign.chat.AlertNotice;
import org.countersign.chat.AlertSurface;

/**
 * Alert groups in the Slack ops channel: one message per group with the alert's summary, labels, alerts (linked
 * to their source) and, while it fires, the button "Open emergency deployment". Everything from the payload is
 * escaped and cut to Block Kit's limits, however many alerts the group has.
 */
public final class SlackAlerts implements AlertSurface {
    /**
     * The button's action id, which SlackApp answers with the request form. Its value is {@code <group id>|<summary>}:
     * the summary only pre-fills a form the person edits, so carrying it grants nothing.
     */
    static final String OPEN_EMERGENCY = "open_emergency";
    static final String BUTTON_TEXT = "Open emergency deployment";
    /** Block Kit: section text up to 3000 characters; we stay under it with room for the "more" line. */
    static final int SECTION_MAX = 2900;
    static final int LINK_URL_MAX = 1000;
    static final int FALLBACK_MAX = 300;

    private final MethodsClient slack;
    private final String channel;
    private final Clock clock;

    public SlackAlerts(MethodsClient slack, String channel, Clock clock) {
        this.slack = slack;
        this.channel = channel;
        this.clock = clock;
    }

    @Override
    public String name() { return "slack"; }

    @Override
    public String post(AlertNotice notice) {
        var blocks = blocks(notice, clock.instant()).toString();
        var text = fallbackText(notice);
        var posted = SlackCalls.call("chat.postMessage", () -> slack.chatPostMessage(r -> r.channel(channel)
                .blocksAsString(blocks).text(text).unfurlLinks(false).unfurlMedia(false)));
        return posted.getChannel() + " " + posted.getTs();
    }

    @Override
    public void update(String where, AlertNotice notice) {
        var parts = where.split(" ", 2);
        if (parts.length != 2) throw new IllegalStateException("not a Slack message reference: " + where);
        var blocks = blocks(notice, clock.instant()).toString();
        var text = fallbackText(notice);
        var updated = SlackCalls.call("chat.update", () -> slack.chatUpdate(r -> r.channel(parts[0]).ts(parts[1])
                .blocksAsString(blocks).text(text)), "message_not_found");
        if (!updated.isOk()) throw new Gone("the alert message " + where + " was deleted");
    }

    /** The message's blocks: headline, labels, alerts, where it came from, and the button while the group fires. */
    static ArrayNode blocks(AlertNotice notice, Instant now) {
        var blocks = JsonNodeFactory.instance.arrayNode();
        var head = new StringBuilder();
        if (notice.firing()) head.append("🔥 *Firing* · ").append(notice.alertCount());
        else head.append("✅ *Resolved* at ").append(SlackText.time(notice.resolvedAt(now))).append(" · ")
                .append(notice.alertCount());
        head.append("\n*").append(SlackText.escapeShortened(notice.title(), TITLE_MAX)).append('*');
        if (notice.description() != null)
            head.append('\n').append(SlackText.escapeShortened(notice.description(), DESCRIPTION_MAX));
        section(blocks, "alert_summary", head.toString());

        var labels = notice.labelList();
        if (!labels.isEmpty()) context(blocks, "alert_labels", "Labels: " + SlackText.escapeShortened(labels, LABELS_MAX));

        if (notice.listsAlerts()) section(blocks, "alert_list", alertList(notice));

        var source = new StringBuilder();
        var single = notice.alerts().size() == 1 ? notice.alerts().get(0).sourceUrl() : null;
        source.append(sourceLink(single, "Source")).append(sourceLink(notice.externalUrl(), "Alertmanager"));
        source.append("Updated ").append(SlackText.time(now));
        context(blocks, "alert_source", source.toString());

        if (notice.firing()) {
            var actions = blocks.addObject().put("type", "actions").put("block_id", "alert_actions");
            var button = actions.putArray("elements").addObject().put("type", "button")
                    .put("action_id", OPEN_EMERGENCY).put("value", notice.id() + "|" + notice.prefill())
                    .put("style", "primary");
            button.putObject("text").put("type", "plain_text").put("text", BUTTON_TEXT);
        }
        return blocks;
    }

    /** Notification and screen-reader text: what fires, plainly. */
    static String fallbackText(AlertNotice notice) {
        return (notice.firing() ? "Firing: " : "Resolved: ") + SlackText.escapeShortened(notice.title(), FALLBACK_MAX);
    }

    // A context text holds 3000 characters, and Prometheus writes whole expressions into its URLs: a link too long
    // for its share is named, not linked, so the message is still one Slack takes.
    private static String sourceLink(String url, String label) {
        if (!SlackText.linkable(url)) return "";
        var link = SlackText.link(url, label);
        return (link.length() <= LINK_URL_MAX ? link : label + " (too long to link)") + " · ";
    }

    // As many alerts as fit in one section, then how many are left out (Alertmanager's truncation included).
    private static String alertList(AlertNotice notice) {
        var lines = new ArrayList<String>();
        int length = 0;
        for (var alert : notice.alerts()) {
            var line = "• " + (alert.firing() ? "🔥 " : "✅ ") + SlackText.escapeShortened(alert.line(), ALERT_LINE_MAX);
            if (SlackText.linkable(alert.sourceUrl()) && alert.sourceUrl().length() <= LINK_URL_MAX)
                line += " (" + SlackText.link(alert.sourceUrl(), "source") + ")";
            if (length + line.length() + 1 > SECTION_MAX - 100) break;
            lines.add(line);
            length += line.length() + 1;
        }
        int more = notice.count() - lines.size();
        if (more > 0) lines.add("…and " + more + " more alert" + (more == 1 ? "" : "s"));
        return String.join("\n", lines);
    }

    private static void section(ArrayNode blocks, String id, String mrkdwn) {
        blocks.addObject().put("type", "section").put("block_id", id)
                .putObject("text").put("type", "mrkdwn").put("text", mrkdwn);
    }

    private static void context(ArrayNode blocks, String id, String mrkdwn) {
        var block = blocks.addObject().put("type", "context").put("block_id", id);
        block.putArray("elements").addObject().put("type", "mrkdwn").put("text", mrkdwn);
    }

    @Override
    public String toString() { return "SlackAlerts[" + channel + "]"; }
}
