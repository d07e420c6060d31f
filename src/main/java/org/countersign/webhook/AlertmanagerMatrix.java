package org.countersign.webhook;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.countersign.chat.Texts;

/**
 * Alert groups in the Matrix room: one {@code m.notice} per group, edited in place ({@code m.replace}) when it
 * changes or resolves. Matrix has no buttons, so a firing group says which command opens a request.
 */
public final class AlertmanagerMatrix implements AlertmanagerTarget {
    static final int TITLE_MAX = 300;
    static final int DESCRIPTION_MAX = 1000;
    static final int LABELS_MAX = 1000;
    static final int ALERT_LINE_MAX = 300;
    static final int LISTED_MAX = 10;
    static final int URL_MAX = 1000;
    private static final Pattern LINKABLE = Pattern.compile("(?i)https?://[\\x21-\\x7e]+");
    private static final Pattern ROOM_MENTION = Pattern.compile("(?i)@(room)");
    private static final Pattern CONTROLS = Pattern.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]");
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    /** Posts a notice; the shape of MatrixClient.sendNotice. */
    @FunctionalInterface
    public interface Send {
        String send(String roomId, String body, String formattedHtml, String txnId);
    }

    /** Replaces a notice with an m.replace edit; the shape of MatrixClient.editNotice. */
    @FunctionalInterface
    public interface Edit {
        String edit(String roomId, String originalEventId, String body, String formattedHtml, String txnId);
    }

    private final Send send;
    private final Edit edit;
    private final String roomId;
    private final Clock clock;

    public AlertmanagerMatrix(Send send, Edit edit, String roomId, Clock clock) {
        this.send = send;
        this.edit = edit;
        this.roomId = roomId;
        this.clock = clock;
    }

    @Override
    public String name() { return "matrix"; }

    @Override
    public String post(AlertmanagerGroup group) {
        var now = clock.instant();
        var eventId = send.send(roomId, body(group, now), html(group, now), "alert-" + group.id() + "-" + UUID.randomUUID());
        return roomId + " " + eventId;
    }

    @Override
    public void update(String where, AlertmanagerGroup group) {
        var parts = where.split(" ", 2);
        if (parts.length != 2) throw new IllegalStateException("not a Matrix event reference: " + where);
        var now = clock.instant();
        edit.edit(parts[0], parts[1], body(group, now), html(group, now), "alert-edit-" + group.id() + "-" + UUID.randomUUID());
    }

    /** The plain body: every line of the HTML, without markup. */
    static String body(AlertmanagerGroup group, Instant now) {
        var out = new StringBuilder(headline(group, now)).append('\n').append(plain(group.title(), TITLE_MAX));
        if (group.description() != null) out.append('\n').append(plain(group.description(), DESCRIPTION_MAX));
        var labels = labels(group);
        if (!labels.isEmpty()) out.append("\nLabels: ").append(plain(labels, LABELS_MAX));
        int listed = 0;
        if (group.alerts().size() > 1 || group.truncatedAlerts() > 0) {
            for (var alert : group.alerts().subList(0, Math.min(LISTED_MAX, group.alerts().size()))) {
                out.append("\n• ").append(alert.firing() ? "🔥 " : "✅ ").append(plain(group.describe(alert), ALERT_LINE_MAX));
                if (linkable(alert.generatorUrl())) out.append(" (").append(alert.generatorUrl()).append(')');
                listed++;
            }
            if (group.count() > listed) out.append("\n…and ").append(group.count() - listed).append(" more");
        }
        if (linkable(group.externalUrl())) out.append("\nAlertmanager: ").append(group.externalUrl());
        if (group.firing()) out.append('\n').append(command(group));
        return out.toString();
    }

    /** The HTML body: escaped text, links only to http(s) URLs. */
    static String html(AlertmanagerGroup group, Instant now) {
        var out = new StringBuilder("<p><b>").append(escape(headline(group, now))).append("</b><br>")
                .append(escape(plain(group.title(), TITLE_MAX)));
        if (group.description() != null) out.append("<br>").append(escape(plain(group.description(), DESCRIPTION_MAX)));
        var labels = labels(group);
        if (!labels.isEmpty()) out.append("<br>Labels: <code>").append(escape(plain(labels, LABELS_MAX))).append("</code>");
        out.append("</p>");
        if (group.alerts().size() > 1 || group.truncatedAlerts() > 0) {
            out.append("<ul>");
            int listed = 0;
            for (var alert : group.alerts().subList(0, Math.min(LISTED_MAX, group.alerts().size()))) {
                out.append("<li>").append(alert.firing() ? "🔥 " : "✅ ").append(escape(plain(group.describe(alert), ALERT_LINE_MAX)));
                if (linkable(alert.generatorUrl())) out.append(" (").append(link(alert.generatorUrl(), "source")).append(')');
                out.append("</li>");
                listed++;
            }
            if (group.count() > listed) out.append("<li>…and ").append(group.count() - listed).append(" more</li>");
            out.append("</ul>");
        }
        if (linkable(group.externalUrl())) out.append("<p>").append(link(group.externalUrl(), "Alertmanager")).append("</p>");
        if (group.firing()) out.append("<p>").append(escape(command(group))).append("</p>");
        return out.toString();
    }

    private static String headline(AlertmanagerGroup group, Instant now) {
        var count = group.count() + " alert" + (group.count() == 1 ? "" : "s");
        return group.firing() ? "🔥 Firing · " + count
                : "✅ Resolved at " + UTC.format(group.resolvedAt(now)) + " · " + count;
    }

    private static String command(AlertmanagerGroup group) {
        return "To open an emergency deployment: !emergency availability " + plain(group.prefill(), 250)
                + " --change REF";
    }

    private static String labels(AlertmanagerGroup group) {
        return group.commonLabels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static boolean linkable(String url) {
        return url != null && url.length() <= URL_MAX && LINKABLE.matcher(url).matches();
    }

    private static String link(String url, String label) {
        return "<a href=\"" + escape(url) + "\">" + escape(label) + "</a>";
    }

    /** Text for either body: controls shown as �, {@code @room} broken by a word joiner, cut to {@code max} with "…". */
    static String plain(String text, int max) {
        if (text == null) return "";
        return Texts.shorten(ROOM_MENTION.matcher(CONTROLS.matcher(text).replaceAll("\uFFFD")).replaceAll("@\u2060$1"),
                max);
    }

    static String escape(String text) { return Texts.escapeHtml(text).replace("\n", "<br>"); }

    @Override
    public String toString() { return "AlertmanagerMatrix[" + roomId + "]"; }
}
