package org.countersign.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.countersign.chat.AlertNotice;

/**
 * Alertmanager webhook bodies (version 4) as Alertmanager writes them, built step by step, and a client that posts
 * them with a bearer token. A default group has one firing HighErrorRate alert on api-1.
 */
public final class AlertmanagerPayloads {
    public static final String TOKEN = "alertmanager-test-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String groupKey;
    private final String status;
    private final Map<String, String> commonLabels;
    private final Map<String, String> commonAnnotations;
    private final int alerts;
    private final int truncated;

    private AlertmanagerPayloads(String groupKey, String status, Map<String, String> commonLabels,
                                 Map<String, String> commonAnnotations, int alerts, int truncated) {
        this.groupKey = groupKey;
        this.status = status;
        this.commonLabels = commonLabels;
        this.commonAnnotations = commonAnnotations;
        this.alerts = alerts;
        this.truncated = truncated;
    }

    /** One firing alert in the group {@code {}:{alertname="HighErrorRate"}} + {@code suffix}. */
    public static AlertmanagerPayloads firing(String suffix) {
        var labels = new LinkedHashMap<String, String>();
        labels.put("alertname", "HighErrorRate");
        labels.put("severity", "critical");
        labels.put("service", "api");
        var annotations = new LinkedHashMap<String, String>();
        annotations.put("summary", "API error rate above 5%");
        annotations.put("description", "5xx responses are 12% of requests for 10 minutes");
        return new AlertmanagerPayloads("{}:{alertname=\"HighErrorRate\"}" + suffix, "firing", labels, annotations, 1, 0);
    }

    public AlertmanagerPayloads resolved() {
        return new AlertmanagerPayloads(groupKey, "resolved", commonLabels, commonAnnotations, alerts, truncated);
    }

    public AlertmanagerPayloads withAnnotation(String name, String value) {
        var annotations = new LinkedHashMap<>(commonAnnotations);
        if (value == null) annotations.remove(name);
        else annotations.put(name, value);
        return new AlertmanagerPayloads(groupKey, status, commonLabels, annotations, alerts, truncated);
    }

    public AlertmanagerPayloads withLabel(String name, String value) {
        var labels = new LinkedHashMap<>(commonLabels);
        labels.put(name, value);
        return new AlertmanagerPayloads(groupKey, status, labels, commonAnnotations, alerts, truncated);
    }

    /** {@code n} alerts in the body, and {@code truncated} more that Alertmanager left out. */
    public AlertmanagerPayloads withAlerts(int n, int truncated) {
        return new AlertmanagerPayloads(groupKey, status, commonLabels, commonAnnotations, n, truncated);
    }

    public String groupKey() { return groupKey; }

    public ObjectNode node() {
        var body = JSON.createObjectNode();
        body.put("version", "4").put("groupKey", groupKey).put("truncatedAlerts", truncated).put("status", status)
                .put("receiver", "countersign");
        body.putObject("groupLabels").put("alertname", commonLabels.get("alertname"));
        var labels = body.putObject("commonLabels");
        commonLabels.forEach(labels::put);
        var annotations = body.putObject("commonAnnotations");
        commonAnnotations.forEach(annotations::put);
        body.put("externalURL", "http://alertmanager.example.org:9093");
        var list = body.putArray("alerts");
        for (int i = 1; i <= alerts; i++) {
            var alert = list.addObject().put("status", status);
            var l = alert.putObject("labels");
            commonLabels.forEach(l::put);
            l.put("instance", "api-" + i + ":9100");
            // Only the summary, so that a group of hundreds stays a small body; the common ones carry the rest.
            var a = alert.putObject("annotations");
            if (commonAnnotations.containsKey("summary")) a.put("summary", commonAnnotations.get("summary"));
            alert.put("startsAt", "2024-03-01T10:00:00.123456789Z")
                    .put("endsAt", status.equals("resolved") ? "2024-03-01T10:20:00Z" : "0001-01-01T00:00:00Z")
                    .put("generatorURL", "http://prometheus.example.org:9090/graph?g0.expr=rate%28http_errors%5B5m%5D%29&g0.tab=1")
                    .put("fingerprint", String.format("%016x", i));
        }
        return body;
    }

    public String json() { return node().toString(); }

    /** The body as the receiver hands it to a chat surface. */
    public AlertNotice notice() { return noticeOf(node()); }

    /** {@code body} (a {@link #node()} changed by a test) as the receiver hands it to a chat surface. */
    public static AlertNotice noticeOf(ObjectNode body) {
        var parsed = AlertmanagerGroup.parse(body.toString().getBytes(StandardCharsets.UTF_8));
        if (parsed instanceof AlertmanagerGroup.Invalid invalid) throw new AssertionError(invalid.problem());
        return ((AlertmanagerGroup.Valid) parsed).group().notice();
    }

    /** POSTs {@code body} to the service's Alertmanager endpoint with {@code Authorization: Bearer token}. */
    public static HttpResponse<String> post(int port, String body, String token) {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + AlertmanagerWebhook.PATH))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) request.header("Authorization", "Bearer " + token);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static HttpResponse<String> post(int port, AlertmanagerPayloads payload) {
        return post(port, payload.json(), TOKEN);
    }
}
