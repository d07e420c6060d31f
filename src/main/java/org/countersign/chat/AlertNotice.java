package org.countersign.chat;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An alert group as a chat message shows it, whichever platform: what fires, the labels it shares, its alerts and
 * links. Every text is as the payload gave it; each platform escapes and cuts it.
 *
 * @param id          the group's short, stable name
 * @param description the group's description when it is not already the title, else null
 * @param labels      the labels every alert of the group has, in the payload's order
 * @param count       how many alerts the group has, the ones Alertmanager left out of {@code alerts} included
 * @param prefill     a one-line summary for the request form, at most 200 characters
 * @param externalUrl Alertmanager's own URL, or null
 */
public record AlertNotice(String id, boolean firing, String title, String description, Map<String, String> labels,
                          List<Alert> alerts, int count, String prefill, String externalUrl) {
    /** The most of each text a message shows, on any platform, before it cuts it with "…". */
    public static final int TITLE_MAX = 300;
    public static final int DESCRIPTION_MAX = 1000;
    public static final int LABELS_MAX = 1000;
    public static final int ALERT_LINE_MAX = 300;

    public AlertNotice {
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        alerts = List.copyOf(alerts);
    }

    /**
     * One alert of the group.
     *
     * @param line      how it reads in the group's list: the labels that set it apart, and its title when not the group's
     * @param sourceUrl where it comes from (Prometheus' generator URL), or null
     * @param endsAt    when it ended; null while it fires
     */
    public record Alert(boolean firing, String line, String sourceUrl, Instant endsAt) {}

    /** Whether the message lists the alerts: there is more than one, or Alertmanager left some out. */
    public boolean listsAlerts() { return alerts.size() > 1 || count > alerts.size(); }

    /** {@code 1 alert}, {@code 5 alerts}. */
    public String alertCount() { return count + " alert" + (count == 1 ? "" : "s"); }

    /** The shared labels as {@code name=value, name=value}; empty when there are none. */
    public String labelList() {
        return labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    /** When the group resolved: its alerts' latest end, or {@code now} when they give none (or a future one). */
    public Instant resolvedAt(Instant now) {
        return alerts.stream().map(Alert::endsAt).filter(t -> t != null && !t.isAfter(now))
                .max(Instant::compareTo).orElse(now);
    }
}
