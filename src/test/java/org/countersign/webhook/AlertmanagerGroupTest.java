package org.countersign.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.countersign.Config;
import org.junit.jupiter.api.Test;

/** Reading Alertmanager's payload, and what the group shows, from bodies built as Alertmanager builds them. */
class AlertmanagerGroupTest {

    @Test
    void a_firing_group_is_read_with_its_labels_annotations_and_alerts() {
        var group = parse(AlertmanagerPayloads.firing("").withAlerts(2, 3).json());

        assertThat(group.firing()).isTrue();
        assertThat(group.id()).hasSize(24).isEqualTo(AlertmanagerGroup.idOf("{}:{alertname=\"HighErrorRate\"}"));
        assertThat(group.commonLabels()).containsEntry("severity", "critical");
        assertThat(group.alerts()).hasSize(2);
        assertThat(group.count()).isEqualTo(5);
        assertThat(group.alerts().get(0).startsAt()).isEqualTo(Instant.parse("2024-03-01T10:00:00.123456789Z"));
        assertThat(group.alerts().get(0).endsAt()).as("Go's zero time means still firing").isNull();
        assertThat(group.describe(group.alerts().get(1))).isEqualTo("instance=api-2:9100");
    }

    @Test
    void the_version_may_come_as_a_number() {
        var body = AlertmanagerPayloads.firing("").node().put("version", 4).toString();

        assertThat(AlertmanagerGroup.parse(bytes(body))).isInstanceOf(AlertmanagerGroup.Valid.class);
    }

    @Test
    void the_title_falls_back_from_summary_to_description_to_alertname() {
        var noSummary = AlertmanagerPayloads.firing("").withAnnotation("summary", null).withAlerts(2, 0);
        var nothing = noSummary.withAnnotation("description", null);

        assertThat(parse(noSummary.json()).title()).isEqualTo("5xx responses are 12% of requests for 10 minutes");
        assertThat(parse(noSummary.json()).description()).isNull();
        assertThat(parse(nothing.json()).title()).isEqualTo("HighErrorRate");
    }

    @Test
    void the_prefill_names_the_alert_on_one_line_of_at_most_200_characters() {
        var multiline = parse(AlertmanagerPayloads.firing("").withAnnotation("summary", "API\nerror   rate").json());
        var long_ = parse(AlertmanagerPayloads.firing("").withAnnotation("summary", "é".repeat(300)).json());
        var named = parse(AlertmanagerPayloads.firing("").withAnnotation("summary", "HighErrorRate on api").json());

        assertThat(multiline.prefill()).isEqualTo("HighErrorRate: API error rate");
        assertThat(long_.prefill()).hasSize(200).endsWith("é…");
        assertThat(named.prefill()).isEqualTo("HighErrorRate on api");
    }

    @Test
    void resolved_at_is_the_latest_end_of_the_alerts() {
        var group = parse(AlertmanagerPayloads.firing("").resolved().json());

        assertThat(group.firing()).isFalse();
        assertThat(group.notice().resolvedAt(Instant.parse("2024-03-02T00:00:00Z"))).isEqualTo(Instant.parse("2024-03-01T10:20:00Z"));
    }

    @Test
    void alertmanager_token_is_optional_hidden_and_at_least_16_characters() {
        var on = Config.fromEnv(Map.of("ALERTMANAGER_TOKEN", AlertmanagerPayloads.TOKEN));
        var off = Config.fromEnv(Map.of());

        assertThat(on.alertmanagerTokenOpt()).contains(AlertmanagerPayloads.TOKEN);
        assertThat(on.toString()).contains("alertmanagerToken=****").doesNotContain(AlertmanagerPayloads.TOKEN);
        assertThat(off.alertmanagerTokenOpt()).isEmpty();
        try {
            Config.fromEnv(Map.of("ALERTMANAGER_TOKEN", "short"));
            throw new AssertionError("a short token was taken");
        } catch (Config.Invalid e) {
            assertThat(e.problems()).containsExactly("ALERTMANAGER_TOKEN (hidden) is too short: use at least 16 "
                    + "characters, e.g. the output of openssl rand -hex 32");
        }
    }

    private static AlertmanagerGroup parse(String body) {
        var parsed = AlertmanagerGroup.parse(bytes(body));
        if (parsed instanceof AlertmanagerGroup.Invalid invalid) throw new AssertionError(invalid.problem());
        return ((AlertmanagerGroup.Valid) parsed).group();
    }

    private static byte[] bytes(String body) { return body.getBytes(StandardCharsets.UTF_8); }
}
