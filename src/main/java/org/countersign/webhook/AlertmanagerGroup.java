package org.countersign.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.countersign.chat.AlertNotice;
import org.countersign.chat.Texts;

/**
 * One notification of Prometheus Alertmanager's webhook receiver (payload version 4): a group of alerts that share
 * their grouping labels, firing or resolved. Only what Countersign shows is kept.
 *
 * @param id               a short, stable name of the group: the first 96 bits of SHA-256(groupKey), in hex
 * @param truncatedAlerts  how many alerts Alertmanager left out of {@code alerts} ({@code max_alerts})
 * @param externalUrl      Alertmanager's own URL, or null
 */
public record AlertmanagerGroup(String id, String groupKey, boolean firing, String receiver,
                                Map<String, String> groupLabels, Map<String, String> commonLabels,
                                Map<String, String> commonAnnotations, String externalUrl, List<Alert> alerts,
                                int truncatedAlerts) {
    static final String VERSION = "4";
    /** What the request form takes as a summary (Draft.SUMMARY_MAX). */
    static final int PREFILL_MAX = 200;
    private static final String EXAMPLE = "send Alertmanager's webhook payload, version 4";

    public AlertmanagerGroup {
        groupLabels = Collections.unmodifiableMap(new LinkedHashMap<>(groupLabels));
        commonLabels = Collections.unmodifiableMap(new LinkedHashMap<>(commonLabels));
        commonAnnotations = Collections.unmodifiableMap(new LinkedHashMap<>(commonAnnotations));
        alerts = List.copyOf(alerts);
    }

    /**
     * One alert of the group.
     *
     * @param startsAt null when missing or unreadable
     * @param endsAt   null while the alert fires (Alertmanager sends {@code 0001-01-01T00:00:00Z}) or when unreadable
     */
    public record Alert(boolean firing, Map<String, String> labels, Map<String, String> annotations, Instant startsAt,
                        Instant endsAt, String generatorUrl, String fingerprint) {
        public Alert {
            labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
            annotations = Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
        }

        /** Its summary, else its description, else its alertname and instance. */
        String title() {
            return first(annotations.get("summary"), annotations.get("description"),
                    join(labels.get("alertname"), labels.get("instance")));
        }
    }

    /** What a body turned into: a group, or what is wrong with it in words a person can act on. */
    sealed interface Parsed permits Valid, Invalid {}

    record Valid(AlertmanagerGroup group) implements Parsed {}

    record Invalid(String problem) implements Parsed {}

    /** Reads a webhook body; never throws for bad input. */
    static Parsed parse(byte[] body) {
        JsonNode json;
        try {
            json = WebhookJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return new Invalid("The body is not JSON (" + e.getOriginalMessage() + "); " + EXAMPLE);
        } catch (IOException e) {
            return new Invalid("The body could not be read");
        }
        if (json == null || !json.isObject()) return new Invalid("The body must be a JSON object; " + EXAMPLE);
        var version = json.get("version");
        if (version == null || version.isNull())
            return new Invalid("\"version\" is missing; " + EXAMPLE);
        if (!(version.isTextual() || version.isIntegralNumber()) || !VERSION.equals(version.asText().strip()))
            return new Invalid("Payload version " + version + " is not supported; " + EXAMPLE);
        var groupKey = json.get("groupKey");
        if (groupKey == null || !groupKey.isTextual() || groupKey.textValue().isBlank())
            return new Invalid("\"groupKey\" is missing or not text: Alertmanager names every group it sends");
        var status = json.get("status");
        var statusText = status == null || !status.isTextual() ? null : status.textValue();
        if (!"firing".equals(statusText) && !"resolved".equals(statusText))
            return new Invalid("\"status\" must be \"firing\" or \"resolved\", not " + (status == null ? "missing" : status));
        var alertsNode = json.get("alerts");
        if (alertsNode == null || !alertsNode.isArray())
            return new Invalid("\"alerts\" is missing or not a list: give the group's alerts");

        var problems = new ArrayList<String>();
        var groupLabels = strings(json, "groupLabels", "groupLabels", problems);
        var commonLabels = strings(json, "commonLabels", "commonLabels", problems);
        var commonAnnotations = strings(json, "commonAnnotations", "commonAnnotations", problems);
        var alerts = new ArrayList<Alert>();
        for (int i = 0; i < alertsNode.size() && problems.isEmpty(); i++) {
            var a = alertsNode.get(i);
            var at = "alerts[" + i + "]";
            if (!a.isObject()) {
                problems.add(at + " must be an object");
                break;
            }
            var alertStatus = text(a, "status");
            alerts.add(new Alert(alertStatus == null ? "firing".equals(statusText) : alertStatus.equals("firing"),
                    strings(a, "labels", at + ".labels", problems), strings(a, "annotations", at + ".annotations", problems),
                    instant(text(a, "startsAt")), instant(text(a, "endsAt")), text(a, "generatorURL"),
                    text(a, "fingerprint")));
        }
        if (!problems.isEmpty()) return new Invalid(problems.get(0));
        var truncated = json.path("truncatedAlerts").asInt(0);
        return new Valid(new AlertmanagerGroup(idOf(groupKey.textValue()), groupKey.textValue(),
                "firing".equals(statusText), text(json, "receiver"), groupLabels, commonLabels, commonAnnotations,
                text(json, "externalURL"), alerts, Math.max(0, truncated)));
    }

    /** The group as a chat message shows it. */
    AlertNotice notice() {
        var shown = alerts.stream()
                .map(a -> new AlertNotice.Alert(a.firing(), describe(a), a.generatorUrl(), a.endsAt())).toList();
        return new AlertNotice(id, firing, title(), description(), commonLabels, shown, count(), prefill(), externalUrl);
    }

    /** The group's headline: the common summary, else the only alert's, else the common description, else the alertname. */
    String title() {
        var only = alerts.size() == 1 ? alerts.get(0).annotations().get("summary") : null;
        return first(commonAnnotations.get("summary"), only, commonAnnotations.get("description"), alertname(),
                "Alert group" + (receiver == null ? "" : " for " + receiver));
    }

    /** The common description when the title is not already it, else null. */
    String description() {
        var description = blankToNull(commonAnnotations.get("description"));
        return description == null || description.equals(title()) ? null : description;
    }

    /** One alert in a list of the group's: the labels that set it apart, and its title when not the group's. */
    String describe(Alert alert) {
        var own = alert.labels().entrySet().stream()
                .filter(e -> !e.getValue().equals(commonLabels.get(e.getKey())))
                .map(e -> e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining(", "));
        var title = alert.title();
        if (title == null || title.equals(title())) return own.isEmpty() ? title() : own;
        return own.isEmpty() ? title : own + ": " + title;
    }

    /** The alertname the alerts share, or null. */
    String alertname() {
        return first(commonLabels.get("alertname"), groupLabels.get("alertname"), null);
    }

    /** How many alerts the group has, the ones Alertmanager left out included. */
    int count() { return alerts.size() + truncatedAlerts; }

    /** A summary for the request form: the alertname and title on one line, at most 200 characters. */
    String prefill() {
        var title = title().replaceAll("\\s+", " ").strip();
        var name = alertname();
        var text = name == null || title.contains(name) ? title : name + ": " + title;
        return Texts.shorten(text, PREFILL_MAX);
    }

    static String idOf(String groupKey) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(groupKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static Map<String, String> strings(JsonNode parent, String field, String at, List<String> problems) {
        var node = parent.get(field);
        var out = new LinkedHashMap<String, String>();
        if (node == null || node.isNull()) return out;
        if (!node.isObject()) {
            problems.add("\"" + at + "\" must be an object of text values");
            return out;
        }
        node.fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode() && !e.getValue().isNull()) out.put(e.getKey(), e.getValue().asText());
            else problems.add("\"" + at + "." + e.getKey() + "\" must be text");
        });
        return out;
    }

    private static String text(JsonNode json, String field) {
        var node = json.get(field);
        return node == null || !node.isTextual() || node.textValue().isBlank() ? null : node.textValue().strip();
    }

    // Alertmanager writes Go's zero time for "not ended"; anything before year 2 means the same.
    private static Instant instant(String text) {
        if (text == null) return null;
        try {
            var at = OffsetDateTime.parse(text).toInstant();
            return at.isBefore(Instant.parse("0002-01-01T00:00:00Z")) ? null : at;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String first(String... candidates) {
        return Stream.of(candidates).map(AlertmanagerGroup::blankToNull).filter(s -> s != null).findFirst().orElse(null);
    }

    private static String join(String a, String b) {
        if (blankToNull(a) == null) return blankToNull(b);
        return blankToNull(b) == null ? a : a + " on " + b;
    }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s.strip(); }
}
