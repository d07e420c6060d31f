package org.countersign.webhook;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.Policy;
import org.countersign.domain.State;

/**
 * The {@code pagerduty} format: an Events API v2 alert per request, {@code dedup_key} = the request id. It is
 * triggered when the request opens, and resolved when nobody needs to act on it any more: it was rejected,
 * cancelled, expired or closed, or its deploy succeeded. A failed or rolled-back deploy keeps the alert open
 * until the request is closed with its follow-up note. Other events send nothing.
 */
final class PagerDutyEvent {
    static final String DEFAULT_URL = "https://events.pagerduty.com/v2/enqueue";
    static final Set<String> CRITICAL_REASONS = Set.of("security", "data-loss");
    static final int SUMMARY_MAX = 1024;

    private final Policy policy;

    PagerDutyEvent(Policy policy) { this.policy = policy; }

    Optional<byte[]> body(Event e, EmergencyRequest r, Secret routingKey, boolean hide) {
        return switch (e.type()) {
            case REQUEST_OPENED -> Optional.of(trigger(e, r, routingKey, hide));
            case REQUEST_REJECTED, REQUEST_CANCELLED, REQUEST_EXPIRED, REQUEST_CLOSED -> Optional.of(resolve(r, routingKey));
            case REQUEST_BREAK_GLASS -> Optional.of(breakGlass(e, r, routingKey, hide));
            case DEPLOY_FINISHED -> e.state() == State.DEPLOYED ? Optional.of(resolve(r, routingKey)) : Optional.empty();
            default -> Optional.empty();
        };
    }

    private byte[] trigger(Event e, EmergencyRequest r, Secret routingKey, boolean hide) {
        var teams = r.requiredTeams().stream().map(policy::teamLabel).toList();
        var summary = r.id() + " emergency deploy (" + policy.reason(r.reason()).map(x -> x.label()).orElse(r.reason())
                + ") needs approval from " + String.join(", ", teams) + (hide || r.summary() == null ? "" : ": " + r.summary());
        if (summary.length() > SUMMARY_MAX) summary = summary.substring(0, SUMMARY_MAX - 1) + "…";
        var payload = new LinkedHashMap<String, Object>();
        payload.put("summary", summary);
        payload.put("source", "countersign");
        payload.put("severity", CRITICAL_REASONS.contains(r.reason()) ? "critical" : "error");
        payload.put("timestamp", e.at().toString());
        payload.put("component", "emergency-deploy");
        payload.put("group", r.reason());
        payload.put("class", e.type().wire());
        payload.put("custom_details", RequestPayload.of(r, hide));
        var body = envelope(r, routingKey, "trigger");
        body.put("payload", payload);
        return WebhookJson.bytes(body);
    }

    /** A page of its own (dedup key {@code EMG-12/break-glass}), left for a person to acknowledge. */
    private byte[] breakGlass(Event e, EmergencyRequest r, Secret routingKey, boolean hide) {
        var summary = "BREAK-GLASS: " + r.id() + " emergency deploy ("
                + policy.reason(r.reason()).map(x -> x.label()).orElse(r.reason()) + ") approved without its quorum by "
                + e.actor() + (hide || e.detail() == null ? "" : ": " + e.detail());
        if (summary.length() > SUMMARY_MAX) summary = summary.substring(0, SUMMARY_MAX - 1) + "…";
        var payload = new LinkedHashMap<String, Object>();
        payload.put("summary", summary);
        payload.put("source", "countersign");
        payload.put("severity", "critical");
        payload.put("timestamp", e.at().toString());
        payload.put("component", "emergency-deploy");
        payload.put("group", r.reason());
        payload.put("class", e.type().wire());
        payload.put("custom_details", RequestPayload.of(r, hide));
        var body = envelope(r, routingKey, "trigger");
        body.put("dedup_key", r.id() + "/break-glass");
        body.put("payload", payload);
        return WebhookJson.bytes(body);
    }

    private static byte[] resolve(EmergencyRequest r, Secret routingKey) {
        return WebhookJson.bytes(envelope(r, routingKey, "resolve"));
    }

    private static Map<String, Object> envelope(EmergencyRequest r, Secret routingKey, String action) {
        var body = new LinkedHashMap<String, Object>();
        body.put("routing_key", routingKey.reveal());
        body.put("event_action", action);
        body.put("dedup_key", r.id().toString());
        body.put("client", "Countersign");
        return body;
    }
}
