package org.countersign.webhook;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Alert groups in the Slack ops channel: one message per group with the alert's summary, labels, alerts (linked
 * to their source) and, while it fires, the button "Open emergency deployment". Everything from the payload is
 * escaped and cut to Block Kit's limits, however many alerts the group has.
 */
public final class AlertmanagerSlack implements AlertmanagerTarget {
    /**
     * The button's action id, which SlackApp answers with the request form. Its value is {@code <group id>|<summary>}:
     * the summary only pre-fills a form the person edits, so carrying it grants nothing.
     */
    public static final String OPEN_EMERGENCY = "open_emergency";
    static final String BUTTON_TEXT = "Open emergency deployment";
    /** Block Kit: section text up to 3000 characters; we stay under it with room for the "more" line. */
    static final int SECTION_MAX = 2900;
    static final int TITLE_MAX = 300;
    static final int DESCRIPTION_MAX = 1000;
    static final int LABELS_MAX = 1000;
    static final int ALERT_LINE_MAX = 300;
    static final int LINK_URL_MAX = 1000;
    static final int FALLBACK_MAX = 300;
    private static final Pattern LINKABLE = Pattern.compile("(?i)https?://[\\x21-\\x7e]+");
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final MethodsClient slack;
    private final String channel;
    private final Clock clock;

    public AlertmanagerSlack(MethodsClient slack, String channel, Clock clock) {
        this.slack = slack;
        this.channel = channel;
        this.clock = clock;
    }

    @Override
    public String name() { return "slack"; }

    @Override
    public String post(AlertmanagerGroup group) {
        var blocks = blocks(group, clock.instant()).toString();
        var text = fallbackText(group);
        var posted = call("chat.postMessage", () -> slack.chatPostMessage(r -> r.channel(channel).blocksAsString(blocks)
                .text(text).unfurlLinks(false).unfurlMedia(false)), null);
        return posted.getChannel() + " " + posted.getTs();
    }

    @Override
    public void update(String where, AlertmanagerGroup group) {
        var parts = where.split(" ", 2);
        if (parts.length != 2) throw new IllegalStateException("not a Slack message reference: " + where);
        var blocks = blocks(group, clock.instant()).toString();
        var text = fallbackText(group);
        var updated = call("chat.update", () -> slack.chatUpdate(r -> r.channel(parts[0]).ts(parts[1])
                .blocksAsString(blocks).text(text)), "message_not_found");
        if (!updated.isOk()) throw new Gone("the alert message " + where + " was deleted");
    }

    /** The message's blocks: headline, labels, alerts, where it came from, and the button while the group fires. */
    static ArrayNode blocks(AlertmanagerGroup group, Instant now) {
        var blocks = WebhookJson.MAPPER.createArrayNode();
        var head = new StringBuilder();
        if (group.firing()) head.append("🔥 *Firing* · ").append(count(group));
        else head.append("✅ *Resolved* at ").append(time(group.resolvedAt(now))).append(" · ").append(count(group));
        head.append("\n*").append(escape(group.title(), TITLE_MAX)).append('*');
        if (group.description() != null) head.append('\n').append(escape(group.description(), DESCRIPTION_MAX));
        section(blocks, "alert_summary", head.toString());

        var labels = group.commonLabels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
        if (!labels.isEmpty()) context(blocks, "alert_labels", "Labels: " + escape(labels, LABELS_MAX));

        if (group.alerts().size() > 1 || group.truncatedAlerts() > 0) section(blocks, "alert_list", alertList(group));

        var source = new StringBuilder();
        var single = group.alerts().size() == 1 ? group.alerts().get(0).generatorUrl() : null;
        if (single != null && isLinkable(single)) source.append(link(single, "Source")).append(" · ");
        if (group.externalUrl() != null && isLinkable(group.externalUrl()))
            source.append(link(group.externalUrl(), "Alertmanager")).append(" · ");
        source.append("Updated ").append(time(now));
        context(blocks, "alert_source", source.toString());

        if (group.firing()) {
            var actions = blocks.addObject().put("type", "actions").put("block_id", "alert_actions");
            var button = actions.putArray("elements").addObject().put("type", "button")
                    .put("action_id", OPEN_EMERGENCY).put("value", group.id() + "|" + group.prefill())
                    .put("style", "primary");
            button.putObject("text").put("type", "plain_text").put("text", BUTTON_TEXT);
        }
        return blocks;
    }

    /** Notification and screen-reader text: what fires, plainly. */
    static String fallbackText(AlertmanagerGroup group) {
        return (group.firing() ? "Firing: " : "Resolved: ") + escape(group.title(), FALLBACK_MAX);
    }

    // As many alerts as fit in one section, then how many are left out (Alertmanager's truncation included).
    private static String alertList(AlertmanagerGroup group) {
        var lines = new ArrayList<String>();
        int length = 0;
        for (var alert : group.alerts()) {
            var line = "• " + (alert.firing() ? "🔥 " : "✅ ") + escape(group.describe(alert), ALERT_LINE_MAX);
            if (alert.generatorUrl() != null && isLinkable(alert.generatorUrl())
                    && alert.generatorUrl().length() <= LINK_URL_MAX)
                line += " (" + link(alert.generatorUrl(), "source") + ")";
            if (length + line.length() + 1 > SECTION_MAX - 100) break;
            lines.add(line);
            length += line.length() + 1;
        }
        int more = group.count() - lines.size();
        if (more > 0) lines.add("…and " + more + " more alert" + (more == 1 ? "" : "s"));
        return String.join("\n", lines);
    }

    private static String count(AlertmanagerGroup group) {
        return group.count() + " alert" + (group.count() == 1 ? "" : "s");
    }

    private static void section(ArrayNode blocks, String id, String mrkdwn) {
        blocks.addObject().put("type", "section").put("block_id", id)
                .putObject("text").put("type", "mrkdwn").put("text", mrkdwn);
    }

    private static void context(ArrayNode blocks, String id, String mrkdwn) {
        ObjectNode block = blocks.addObject().put("type", "context").put("block_id", id);
        block.putArray("elements").addObject().put("type", "mrkdwn").put("text", mrkdwn);
    }

    private static boolean isLinkable(String url) { return LINKABLE.matcher(url).matches(); }

    /** An http(s) URL as a link with our own label; | < > percent-encoded, which is the same URL. */
    private static String link(String url, String label) {
        var safe = url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E");
        return "<" + escape(safe, Integer.MAX_VALUE) + "|" + label + ">";
    }

    /** Slack's date token: the reader's time zone where the client can, UTC otherwise. */
    private static String time(Instant at) {
        return "<!date^" + at.getEpochSecond() + "^{date_short_pretty} {time}|" + UTC.format(at) + ">";
    }

    /** Slack's control characters as entities, cut to at most {@code max} characters with "…" when too long. */
    static String escape(String text, int max) {
        if (text == null) return "";
        var out = new StringBuilder(Math.min(text.length() + 16, Math.max(16, max)));
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            var piece = switch (cp) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                default -> new String(Character.toChars(cp));
            };
            boolean last = i + Character.charCount(cp) >= text.length();
            if (out.length() + piece.length() + (last ? 0 : 1) > max) return out + "…";
            out.append(piece);
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    @FunctionalInterface
    private interface Call<T extends SlackApiTextResponse> {
        T run() throws IOException, SlackApiException;
    }

    /** The response when Slack said ok or gave the error {@code expected}; an exception for anything else. */
    private static <T extends SlackApiTextResponse> T call(String method, Call<T> call, String expected) {
        T response;
        try {
            response = call.run();
        } catch (SlackApiException e) {
            throw new IllegalStateException("Slack answered " + method + " with HTTP " + e.getResponse().code(), e);
        } catch (IOException e) {
            throw new IllegalStateException("Slack cannot be reached for " + method + " (" + e.getMessage() + ")", e);
        }
        if (!response.isOk() && !response.getError().equals(expected))
            throw new IllegalStateException("Slack refused " + method + ": " + response.getError());
        return response;
    }

    @Override
    public String toString() { return "AlertmanagerSlack[" + channel + "]"; }
}
