package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What {@code /metrics} says after a whole flow ({@link ObservedService}), and that the alerting rules and the Grafana
 * dashboard only use metric names, and label values, that the real {@code /metrics} has: they cannot drift apart.
 */
class MetricsFlowTest {
    static final Path DASHBOARD = Path.of("infra", "grafana", "countersign.json");
    private static final Pattern NAME = Pattern.compile("\\b((?:countersign|jvm|process|system)_[a-zA-Z0-9_]+)\\b");
    private static final Pattern SELECTOR = Pattern.compile("\\b([a-zA-Z_][a-zA-Z0-9_]*)\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!=|!~|=)\\s*\"([^\"]*)\"");
    static String metrics;

    @BeforeAll
    static void scrape() throws Exception {
        metrics = ObservedService.shared().metrics();
    }

    @Test
    void the_request_s_time_to_approval_and_to_deploy_are_in_their_histograms() {
        assertThat(metrics).contains("countersign_time_to_approval_seconds_count 1")
                .contains("countersign_time_to_approval_seconds_bucket{le=\"60.0\"} 1")
                .contains("countersign_time_to_deploy_seconds_count 1")
                .contains("countersign_time_to_deploy_seconds_bucket{le=\"+Inf\"} 1")
                .contains("countersign_transitions_total{type=\"deploy.finished\"} 1.0")
                .contains("countersign_requests{state=\"DEPLOYED\"} 1.0")
                .contains("countersign_requests_pending_unapproved 0.0");
    }

    @Test
    void each_platform_s_rate_limit_is_counted_and_nothing_else_failed() {
        assertThat(value("countersign_chat_api_errors_total{kind=\"rate_limited\",platform=\"slack\"}")).isGreaterThanOrEqualTo(1);
        assertThat(value("countersign_chat_api_errors_total{kind=\"rate_limited\",platform=\"matrix\"}")).isGreaterThanOrEqualTo(1);
        for (var platform : List.of("slack", "matrix")) for (var kind : List.of("refused", "unavailable"))
            assertThat(metrics).contains("countersign_chat_api_errors_total{kind=\"" + kind + "\",platform=\"" + platform
                    + "\"} 0.0");
    }

    @Test
    void each_consumer_group_reports_its_backlog_and_the_refused_delivery_is_a_dead_letter() {
        for (var group : List.of("slack-cards", "matrix-cards", "webhook:pipeline", "webhook:pager", "webhook:broken")) {
            assertThat(metrics).contains("countersign_consumer_lag{group=\"" + group + "\"} 0.0")
                    .contains("countersign_consumer_pending{group=\"" + group + "\"} 0.0");
        }
        assertThat(metrics).contains("countersign_consumer_dead_letters{group=\"webhook:broken\"} 1.0")
                .contains("countersign_consumer_dead_letters{group=\"webhook:pager\"} 0.0");
    }

    @Test
    void webhook_deliveries_are_counted_by_outcome() {
        assertThat(metrics).contains("countersign_webhook_deliveries_total{integration=\"broken\",outcome=\"rejected\"} 1.0")
                .contains("countersign_webhook_deliveries_total{integration=\"broken\",outcome=\"delivered\"} 0.0");
        // pager: the trigger when opened, the resolve when deployed
        assertThat(value("countersign_webhook_deliveries_total{integration=\"pager\",outcome=\"delivered\"}")).isEqualTo(2);
        assertThat(value("countersign_webhook_deliveries_total{integration=\"pipeline\",outcome=\"delivered\"}")).isGreaterThanOrEqualTo(6);
    }

    @Test
    void the_instance_is_ready_reads_redis_and_both_security_places_are_private() {
        assertThat(metrics).contains("countersign_ready 1.0").contains("countersign_redis_up 1.0")
                .contains("countersign_security_place_private{platform=\"slack\"} 1.0")
                .contains("countersign_security_place_private{platform=\"matrix\"} 1.0");
    }

    @Test
    void every_metric_and_label_value_the_alerting_rules_use_is_in_the_real_metrics() throws Exception {
        var rules = new ObjectMapper(new YAMLFactory()).readTree(PromtoolTest.RULES.toFile());
        var expressions = new ArrayList<String>();
        rules.path("groups").forEach(g -> g.path("rules").forEach(r -> expressions.add(r.path("expr").asText())));

        assertThat(expressions).hasSize(11);
        assertUsesOnlyWhatIsScraped(expressions);
    }

    @Test
    void every_metric_and_label_value_the_dashboard_uses_is_in_the_real_metrics() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        var expressions = new ArrayList<String>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> expressions.add(t.path("expr").asText())));

        assertThat(expressions).hasSizeGreaterThan(15);
        assertUsesOnlyWhatIsScraped(expressions);
    }

    @Test
    void the_check_would_catch_a_name_that_is_not_scraped() {
        var caught = org.assertj.core.api.Assertions.catchThrowable(() -> assertUsesOnlyWhatIsScraped(
                List.of("max(countersign_requests_pending)", "countersign_consumer_lag{group=\"nobody\"}")));
        assertThat(caught).hasMessageContaining("countersign_requests_pending");
        var label = org.assertj.core.api.Assertions.catchThrowable(() -> assertUsesOnlyWhatIsScraped(
                List.of("countersign_requests{state=\"WAITING\"}")));
        assertThat(label).hasMessageContaining("WAITING");
    }

    /** Each name is a sample's name in the scrape; each {@code label="value"} (or each alternative of {@code =~"a|b"}) one of its samples has. */
    static void assertUsesOnlyWhatIsScraped(List<String> expressions) {
        var samples = metrics.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        var names = new HashSet<String>();
        samples.forEach(l -> names.add(l.split("[{ ]", 2)[0]));
        var missing = new ArrayList<String>();
        for (var expr : expressions) {
            var m = NAME.matcher(expr);
            while (m.find()) if (!names.contains(m.group(1))) missing.add(m.group(1) + " (in " + expr + ")");
            var s = SELECTOR.matcher(expr);
            while (s.find()) {
                var matchers = MATCHER.matcher(s.group(2));
                while (matchers.find()) {
                    if (!matchers.group(2).equals("=") && !matchers.group(2).equals("=~")) continue;
                    for (var value : Set.of(matchers.group(3).split("\\|"))) {
                        var wanted = matchers.group(1) + "=\"" + value + "\"";
                        if (samples.stream().noneMatch(l -> l.startsWith(s.group(1) + "{") && l.contains(wanted)))
                            missing.add(s.group(1) + "{" + wanted + "} (in " + expr + ")");
                    }
                }
            }
        }
        assertThat(missing).as("used but not in /metrics").isEmpty();
    }

    private static double value(String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).strip()))
                .orElseThrow(() -> new AssertionError("no " + series + " in /metrics"));
    }
}
