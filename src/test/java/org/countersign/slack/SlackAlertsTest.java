package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.countersign.webhook.AlertmanagerPayloads;
import org.junit.jupiter.api.Test;

/** The Slack message of an alert group, from bodies built as Alertmanager builds them. */
class SlackAlertsTest {

    @Test
    void the_slack_message_of_a_huge_group_stays_within_block_kit_limits() {
        var notice = AlertmanagerPayloads.firing("").withAlerts(2_000, 0).withLabel("big", "<".repeat(5_000))
                .withAnnotation("summary", "&".repeat(5_000)).withAnnotation("description", ">".repeat(50_000)).notice();

        var blocks = SlackAlerts.blocks(notice, Instant.parse("2024-03-01T10:30:00Z"));

        assertThat(blocks.size()).isLessThanOrEqualTo(5);
        blocks.forEach(b -> {
            assertThat(b.path("text").path("text").asText().length()).isLessThanOrEqualTo(3000);
            b.path("elements").forEach(e -> assertThat(e.path("text").asText().length()).isLessThanOrEqualTo(3000));
            b.path("elements").forEach(e -> assertThat(e.path("value").asText().length()).isLessThanOrEqualTo(2000));
        });
        assertThat(SlackAlerts.fallbackText(notice).length()).isLessThanOrEqualTo(310);
    }
}
