package org.countersign.webhook;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;
import org.countersign.domain.Policy;
import org.countersign.domain.State;

/**
 * The {@code slack-incoming} format: one Server Admin Log line per event, {@code {"text": "14:02 EMG-12 approved
 * by SRE (slack:U0SRE1) and Release Engineering (slack:U0REL1)"}}. Times are UTC; what people typed is escaped
 * for Slack mrkdwn ({@code & < >}) so it cannot mention, ping or link; a hidden request shows no text of its own.
 */
public final class AdminLogLine {
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
    static final int TEXT_MAX = 300;

    private final Supplier<Policy> rules;
    private final boolean mrkdwn;

    AdminLogLine(Supplier<Policy> policy) { this(policy, true); }

    private AdminLogLine(Supplier<Policy> rules, boolean mrkdwn) {
        this.rules = rules;
        this.mrkdwn = mrkdwn;
    }

    /** The same lines as plain text, for a platform that escapes them its own way (IRC). */
    public static AdminLogLine plain(Supplier<Policy> policy) { return new AdminLogLine(policy, false); }

    /** The body for this event; {@code timeline} is the request's, used to name who approved. */
    byte[] body(Event e, EmergencyRequest r, List<Event> timeline, boolean hide) {
        return WebhookJson.bytes(Map.of("text", line(e, r, timeline, hide)));
    }

    /** The line for this event; {@code timeline} names who approved; {@code hide} leaves what people typed out. */
    public String line(Event e, EmergencyRequest r, List<Event> timeline, boolean hide) {
        var policy = rules.get(); // one policy for the whole line, even across a reload
        var by = esc(e.actor().toString());
        var what = switch (e.type()) {
            case REQUEST_OPENED -> "opened by " + by + " (" + esc(policy.reasonLabel(r.reason())) + "; needs "
                    + labels(policy, r.requiredTeams()) + ")" + text(": ", r.summary(), hide);
            case APPROVAL_ADDED -> "approval for " + esc(policy.teamLabel(e.team())) + " by " + by;
            case APPROVAL_WITHDRAWN -> "approval for " + esc(policy.teamLabel(e.team())) + " withdrawn by " + by;
            case APPROVALS_CLEARED -> "changes edited by " + by + "; " + esc(e.detail()) + ", approval starts again";
            case REQUEST_EDITED -> "changes edited by " + by;
            case REQUEST_APPROVED -> "break-glass".equals(e.detail()) ? "approved without its quorum (break-glass by "
                    + by + ")" : "approved by " + approvers(policy, e, timeline);
            case REQUEST_REJECTED -> "rejected by " + by + text(": ", e.detail(), hide);
            case REQUEST_CANCELLED -> "cancelled by " + by + text(": ", e.detail(), hide);
            case REQUEST_EXPIRED -> "expired; " + esc(e.detail());
            case DEPLOY_STARTED -> "deploy started (" + by + ")";
            case DEPLOY_FINISHED -> finished(e.state()) + " (" + by + ")" + text(": ", note(e.detail()), hide);
            case REQUEST_CLOSED -> "closed by " + by + text(": ", e.detail(), hide);
            case REQUEST_BREAK_GLASS -> "BREAK-GLASS by " + by + ", without its quorum" + text(": ", e.detail(), hide);
            case REQUEST_REVIEWED -> "reviewed by " + by + text("; follow-up: ", e.detail(), hide);
            case REVIEW_OVERDUE -> "review overdue (" + esc(e.detail()) + ")";
            case REQUEST_REMINDED -> "reminder: " + esc(e.detail());
            case REQUEST_ESCALATED -> "escalated to the on-call: " + esc(e.detail());
            case REQUEST_EXPIRY_WARNED -> "requester warned: " + esc(e.detail());
        };
        return HH_MM.format(e.at()) + " " + r.id() + " " + what;
    }

    /** Who had approved as of this event: the approvals recorded since the last time they were cleared. */
    private String approvers(Policy policy, Event approved, List<Event> timeline) {
        var approvals = new ArrayList<String>();
        for (var e : timeline) {
            if (e.version() > approved.version()) break;
            if (e.type() == EventType.APPROVALS_CLEARED) approvals.clear();
            if (e.type() == EventType.APPROVAL_ADDED)
                approvals.add(esc(policy.teamLabel(e.team())) + " (" + esc(e.actor().toString()) + ")");
            // A withdrawal's detail is the account that had approved.
            if (e.type() == EventType.APPROVAL_WITHDRAWN)
                approvals.remove(esc(policy.teamLabel(e.team())) + " (" + esc(String.valueOf(e.detail())) + ")");
        }
        return approvals.isEmpty() ? esc(approved.actor().toString()) : join(approvals);
    }

    private static String finished(State state) {
        return switch (state) {
            case DEPLOYED -> "deployed";
            case FAILED -> "deploy failed";
            case ROLLED_BACK -> "deploy rolled back";
            default -> "deploy finished as " + state.label();
        };
    }

    /** The note part of a deploy.finished detail ({@code "succeeded: note"}), or null. */
    private static String note(String detail) {
        if (detail == null) return null;
        int colon = detail.indexOf(": ");
        return colon < 0 ? null : detail.substring(colon + 2);
    }

    private String labels(Policy policy, List<String> teams) {
        return join(teams.stream().map(t -> esc(policy.teamLabel(t))).toList());
    }

    private static String join(List<String> names) {
        if (names.size() <= 1) return String.join("", names);
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    private String text(String lead, String text, boolean hide) {
        if (hide || text == null || text.isBlank()) return "";
        var oneLine = text.strip().replaceAll("\\s+", " ");
        if (oneLine.length() > TEXT_MAX) oneLine = oneLine.substring(0, TEXT_MAX - 1) + "…";
        return lead + esc(oneLine);
    }

    private String esc(String text) { return mrkdwn ? escape(text) : text == null ? "" : text; }

    /** Slack's three control characters as entities. */
    static String escape(String text) {
        if (text == null) return "";
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
