package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import java.time.Clock;
import java.time.Instant;
import org.countersign.slack.fake.FakeSlack;
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

    @Test
    void an_alert_whose_source_and_alertmanager_links_are_longer_than_slack_shows_is_still_posted() throws Exception {
        // Prometheus puts the whole expression in an alert's generatorURL: a long rule makes a URL of kilobytes.
        var longUrl = "http://prometheus.example.org:9090/graph?g0.expr=" + "sum%28rate%28x%5B5m%5D%29%29%2B&a=b".repeat(150);
        var body = AlertmanagerPayloads.firing("").node();
        body.put("externalURL", longUrl.replace("prometheus", "alertmanager"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) body.get("alerts").get(0)).put("generatorURL", longUrl);
        var notice = AlertmanagerPayloads.noticeOf(body);
        try (var slack = new FakeSlack("xoxb-alerts").withChannel("C0OPS", "ops");
             var client = Slack.getInstance(slack.slackConfig())) {
            var alerts = new SlackAlerts(client.methods("xoxb-alerts"), "C0OPS", Clock.systemUTC());

            var where = alerts.post(notice);

            assertThat(where).startsWith("C0OPS ");
            var shown = slack.messages("C0OPS").get(0).blocks().toString();
            assertThat(shown).contains("API error rate above 5%", "Open emergency deployment", "too long to link");
        }
    }
}
