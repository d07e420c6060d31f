package org.countersign.matrix;

import static org.countersign.chat.AlertNotice.ALERT_LINE_MAX;
import static org.countersign.chat.AlertNotice.DESCRIPTION_MAX;
import static org.countersign.chat.AlertNotice.LABELS_MAX;
import static org.countersign.chat.AlertNotice.TITLE_MAX;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.countersign.chat.AlertNotice;
import org.countersign.chat.AlertSurface;

/**
 * Alert groups in the Matrix room: one {@code m.notice} per group, edited in place ({@code m.replace}) when it
 * changes or resolves. Matrix has no buttons, so a firing group says which command opens a request.
 */
public final class MatrixAlerts implements AlertSurface {
    static final int LISTED_MAX = 10;
    static final int URL_MAX = 1000;
    /** How much of the form's summary the command quotes. */
    static final int PREFILL_MAX = 250;

    private final MatrixClient matrix;
    private final String roomId;
    private final Clock clock;

    public MatrixAlerts(MatrixClient matrix, String roomId, Clock clock) {
        this.matrix = matrix;
        this.roomId = roomId;
        this.clock = clock;
    }

    @Override
    public String name() { return "matrix"; }

    @Override
    public String post(AlertNotice notice) {
        var now = clock.instant();
        var eventId = MatrixCalls.call("post the alert group " + notice.id(), () -> matrix.sendNotice(roomId,
                body(notice, now), html(notice, now), "alert-" + notice.id() + "-" + UUID.randomUUID()));
        return roomId + " " + eventId;
    }

    @Override
    public void update(String where, AlertNotice notice) {
        var parts = where.split(" ", 2);
        if (parts.length != 2) throw new IllegalStateException("not a Matrix event reference: " + where);
        var now = clock.instant();
        MatrixCalls.call("edit the alert group " + notice.id(), () -> matrix.editNotice(parts[0], parts[1],
                body(notice, now), html(notice, now), "alert-edit-" + notice.id() + "-" + UUID.randomUUID()));
    }

    /** The plain body: every line of the HTML, without markup. */
    static String body(AlertNotice notice, Instant now) {
        var out = new StringBuilder(headline(notice, now)).append('\n').append(plain(notice.title(), TITLE_MAX));
        if (notice.description() != null) out.append('\n').append(plain(notice.description(), DESCRIPTION_MAX));
        var labels = notice.labelList();
        if (!labels.isEmpty()) out.append("\nLabels: ").append(plain(labels, LABELS_MAX));
        if (notice.listsAlerts()) {
            var listed = listed(notice);
            for (var alert : listed) {
                out.append("\n• ").append(alert.firing() ? "🔥 " : "✅ ").append(plain(alert.line(), ALERT_LINE_MAX));
                if (linkable(alert.sourceUrl())) out.append(" (").append(alert.sourceUrl()).append(')');
            }
            if (notice.count() > listed.size()) out.append("\n…and ").append(notice.count() - listed.size()).append(" more");
        }
        if (linkable(notice.externalUrl())) out.append("\nAlertmanager: ").append(notice.externalUrl());
        if (notice.firing()) out.append('\n').append(command(notice));
        return out.toString();
    }

    /** The HTML body: escaped text, links only to http(s) URLs. */
    static String html(AlertNotice notice, Instant now) {
        var out = new StringBuilder("<p><b>").append(MatrixText.html(headline(notice, now))).append("</b><br>")
                .append(MatrixText.html(plain(notice.title(), TITLE_MAX)));
        if (notice.description() != null)
            out.append("<br>").append(MatrixText.html(plain(notice.description(), DESCRIPTION_MAX)));
        var labels = notice.labelList();
        if (!labels.isEmpty())
            out.append("<br>Labels: <code>").append(MatrixText.html(plain(labels, LABELS_MAX))).append("</code>");
        out.append("</p>");
        if (notice.listsAlerts()) {
            out.append("<ul>");
            var listed = listed(notice);
            for (var alert : listed) {
                out.append("<li>").append(alert.firing() ? "🔥 " : "✅ ")
                        .append(MatrixText.html(plain(alert.line(), ALERT_LINE_MAX)));
                if (linkable(alert.sourceUrl()))
                    out.append(" (").append(MatrixText.link(alert.sourceUrl(), "source")).append(')');
                out.append("</li>");
            }
            if (notice.count() > listed.size())
                out.append("<li>…and ").append(notice.count() - listed.size()).append(" more</li>");
            out.append("</ul>");
        }
        if (linkable(notice.externalUrl()))
            out.append("<p>").append(MatrixText.link(notice.externalUrl(), "Alertmanager")).append("</p>");
        if (notice.firing()) out.append("<p>").append(MatrixText.html(command(notice))).append("</p>");
        return out.toString();
    }

    private static String headline(AlertNotice notice, Instant now) {
        return notice.firing() ? "🔥 Firing · " + notice.alertCount()
                : "✅ Resolved at " + MatrixText.utc(notice.resolvedAt(now)) + " · " + notice.alertCount();
    }

    private static String command(AlertNotice notice) {
        return "To open an emergency deployment: !emergency availability " + plain(notice.prefill(), PREFILL_MAX)
                + " --change REF";
    }

    private static List<AlertNotice.Alert> listed(AlertNotice notice) {
        return notice.alerts().subList(0, Math.min(LISTED_MAX, notice.alerts().size()));
    }

    private static boolean linkable(String url) { return MatrixText.linkable(url) && url.length() <= URL_MAX; }

    /** Text for either body, cleaned ({@link MatrixText#clean}) and cut to {@code max} with "…". */
    private static String plain(String text, int max) { return MatrixText.shorten(MatrixText.clean(text), max); }

    @Override
    public String toString() { return "MatrixAlerts[" + roomId + "]"; }
}
