package org.countersign.webhook;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;
import org.countersign.domain.Policy;
import org.countersign.domain.State;

/**
 * The {@code pagerduty} format: an Events API v2 alert per request, {@code dedup_key} = the request id. It is
 * triggered when the request opens, and resolved when nobody needs to act on it any more: it was rejected,
 * cancelled, expired or closed, or its deploy succeeded. A failed or rolled-back deploy keeps the alert open
 * until the request is closed with its follow-up note. A request escalated for waiting too long
 * ({@code request.escalated}) triggers a second, critical alert of its own, {@code dedup_key} = {@code EMG-12/escalation},
 * resolved once with the first of those ends that follows it. A break-glass ({@code request.break_glass}) triggers a
 * critical page of its own, {@code dedup_key} = {@code EMG-12/break-glass}, left for a person to acknowledge. Other
 * events send nothing.
 */
final class PagerDutyEvent {
    static final String DEFAULT_URL = "https://events.pagerduty.com/v2/enqueue";
    static final Set<String> CRITICAL_REASONS = Set.of("security", "data-loss");
    static final int SUMMARY_MAX = 1024;

    private final Supplier<Policy> policy;

    PagerDutyEvent(Supplier<Policy> policy) { this.policy = policy; }

    /** Whether the event type is one this format might send for; the others need no timeline read. */
    static boolean mayUse(Event e) {
        return e.type() == EventType.REQUEST_OPENED || e.type() == EventType.REQUEST_ESCALATED
                || e.type() == EventType.REQUEST_BREAK_GLASS || resolves(e);
    }

    /**
     * What to send for {@code e}, in order; {@code timeline} is the request's, read after {@code e} was recorded (only
     * looked at on an end, to resolve an escalation that is still open).
     */
    List<byte[]> bodies(Event e, EmergencyRequest r, List<Event> timeline, Secret routingKey, boolean hide) {
        if (e.type() == EventType.REQUEST_OPENED) return List.of(trigger(e, r, routingKey, hide));
        if (e.type() == EventType.REQUEST_ESCALATED) return List.of(escalate(e, r, routingKey, hide));
        if (e.type() == EventType.REQUEST_BREAK_GLASS) return List.of(breakGlass(e, r, routingKey, hide));
        if (!resolves(e)) return List.of();
        var bodies = new ArrayList<byte[]>();
        if (escalationOpenAt(e, timeline))
            bodies.add(WebhookJson.bytes(envelope(escalationKey(r), routingKey, "resolve")));
        bodies.add(resolve(r, routingKey));
        return bodies;
    }

    /** The dedup key of a request's escalation: its own alert, beside the request's. */
    static String escalationKey(EmergencyRequest r) { return r.id() + "/escalation"; }

    private static boolean resolves(Event e) {
        return switch (e.type()) {
            case REQUEST_REJECTED, REQUEST_CANCELLED, REQUEST_EXPIRED, REQUEST_CLOSED -> true;
            case DEPLOY_FINISHED -> e.state() == State.DEPLOYED;
            default -> false;
        };
    }

    /** Whether the request was escalated before {@code end} and no end came between the two. */
    static boolean escalationOpenAt(Event end, List<Event> timeline) {
        boolean open = false;
        for (var e : timeline) {
            if (e.id().equals(end.id())) return open;
            if (e.type() == EventType.REQUEST_ESCALATED) open = true;
            else if (resolves(e)) open = false;
        }
        return false; // the end is not in the timeline read: say nothing rather than guess
    }

    private byte[] escalate(Event e, EmergencyRequest r, Secret routingKey, boolean hide) {
        var summary = r.id() + " emergency deploy (" + policy.get().reasonLabel(r.reason()) + ") is escalated: it " + e.detail()
                + (hide || r.summary() == null ? "" : ": " + r.summary());
        return WebhookJson.bytes(alert(e, r, routingKey, hide, escalationKey(r), summary, "critical"));
    }

    /** A page of its own (dedup key {@code EMG-12/break-glass}), left for a person to acknowledge. */
    private byte[] breakGlass(Event e, EmergencyRequest r, Secret routingKey, boolean hide) {
        var summary = "BREAK-GLASS: " + r.id() + " emergency deploy (" + policy.get().reasonLabel(r.reason()) + ") approved without its quorum by "
                + e.actor() + (hide || e.detail() == null ? "" : ": " + e.detail());
        return WebhookJson.bytes(alert(e, r, routingKey, hide, r.id() + "/break-glass", summary, "critical"));
    }

    private byte[] trigger(Event e, EmergencyRequest r, Secret routingKey, boolean hide) {
        var now = policy.get();
        var teams = r.requiredTeams().stream().map(now::teamLabel).toList();
        var summary = r.id() + " emergency deploy (" + now.reasonLabel(r.reason())
                + ") needs approval from " + String.join(", ", teams) + (hide || r.summary() == null ? "" : ": " + r.summary());
        var severity = CRITICAL_REASONS.contains(r.reason()) ? "critical" : "error";
        return WebhookJson.bytes(alert(e, r, routingKey, hide, r.id().toString(), summary, severity));
    }

    private static Map<String, Object> alert(Event e, EmergencyRequest r, Secret routingKey, boolean hide,
                                             String dedupKey, String summary, String severity) {
        if (summary.length() > SUMMARY_MAX) summary = summary.substring(0, SUMMARY_MAX - 1) + "…";
        var payload = new LinkedHashMap<String, Object>();
        payload.put("summary", summary);
        payload.put("source", "countersign");
        payload.put("severity", severity);
        payload.put("timestamp", e.at().toString());
        payload.put("component", "emergency-deploy");
        payload.put("group", r.reason());
        payload.put("class", e.type().wire());
        payload.put("custom_details", RequestPayload.of(r, hide).at(e));
        var body = envelope(dedupKey, routingKey, "trigger");
        body.put("payload", payload);
        return body;
    }

    private static byte[] resolve(EmergencyRequest r, Secret routingKey) {
        return WebhookJson.bytes(envelope(r.id().toString(), routingKey, "resolve"));
    }

    private static Map<String, Object> envelope(String dedupKey, Secret routingKey, String action) {
        var body = new LinkedHashMap<String, Object>();
        body.put("routing_key", routingKey.reveal());
        body.put("event_action", action);
        body.put("dedup_key", dedupKey);
        body.put("client", "Countersign");
        return body;
    }
}
