package org.countersign.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import org.countersign.app.ReminderSweeper;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Reminders;
import org.countersign.domain.TestPolicies;
import org.countersign.webhook.Integration.Format;
import org.countersign.webhook.PagerDutyEscalationTest.MovingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every Events API v2 body the {@code pagerduty} format sends (trigger, escalation, break-glass, resolve), as a real
 * HTTP receiver gets it, is valid under PagerDuty's published schema (src/test/resources/pagerduty, see its README)
 * and within the limits PagerDuty documents beside it (summary 1024 characters, dedup_key 255).
 */
class PagerDutySchemaTest {
    static final String ID = "https://github.com/PagerDuty/api-schema/reference/events-v2/enqueue.json";
    static Schema event;

    private final MovingClock clock = new MovingClock(Instant.now());
    private final WebhookFixture countersign = new WebhookFixture(TestPolicies.withAftercare()
            .withReminders(new Reminders(null, Duration.ofMinutes(30), null)), clock);
    private final Receiver pagerDuty = countersign.closeLater(new Receiver());

    @BeforeAll
    static void schema() throws IOException {
        String text;
        try (var in = PagerDutySchemaTest.class.getResourceAsStream("/pagerduty/events-v2-enqueue.schema.json")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemas(Map.of(ID, text)));
        event = registry.getSchema(SchemaLocation.of(ID + "#/components/schemas/Event"));
    }

    @AfterEach
    void stop() {
        countersign.close();
    }

    @Test
    void every_body_the_pagerduty_format_sends_is_valid_under_pagerduty_s_schema() throws Exception {
        countersign.start(new Integration("pager", pagerDuty.url(), Set.of(), Format.PAGERDUTY, "PD_KEY",
                Secret.of("R0UT1NGKEY"), false));
        var escalated = countersign.open("availability");
        clock.advance(Duration.ofMinutes(31));
        new ReminderSweeper(countersign.store, countersign.service, clock).sweepOnce();
        countersign.service.cancel(escalated, TestPolicies.DEV, "fixed by a config change");
        var glass = countersign.open("security"); // confidential: its details stay out of the page
        countersign.service.breakGlass(glass, TestPolicies.SRE1, TestPolicies.GLASS_REASON);
        countersign.service.startDeploy(glass, TestPolicies.SRE1);
        countersign.service.finishDeploy(glass, TestPolicies.SRE1, DeployResult.SUCCEEDED, null);

        var sent = new ArrayList<Receiver.Received>();
        for (int i = 0; i < 7; i++) sent.add(pagerDuty.take());

        assertThat(sent).extracting(r -> r.json().path("event_action").asText() + " " + r.json().path("dedup_key").asText())
                .containsExactlyInAnyOrder("trigger " + escalated, "trigger " + escalated + "/escalation",
                        "resolve " + escalated + "/escalation", "resolve " + escalated, "trigger " + glass,
                        "trigger " + glass + "/break-glass", "resolve " + glass);
        for (var body : sent) {
            var errors = event.validate(body.text(), InputFormat.JSON);
            assertThat(errors).as(body.text() + ": " + errors).isEmpty();
            assertThat(body.json().path("dedup_key").asText().length()).isLessThanOrEqualTo(255);
            assertThat(body.json().path("payload").path("summary").asText().length()).isLessThanOrEqualTo(1024);
        }
    }

    @Test
    void the_schema_would_catch_a_body_pagerduty_refuses() {
        var errors = event.validate("""
                {"routing_key": "R0UT1NGKEY", "event_action": "page",
                 "payload": {"summary": "EMG-1 needs approval", "severity": "high"}}""", InputFormat.JSON);

        assertThat(errors.toString()).contains("event_action").contains("severity").contains("source");
    }
}
