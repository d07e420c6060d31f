package org.countersign.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.countersign.app.ReminderSweeper;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Reminders;
import org.countersign.domain.TestPolicies;
import org.countersign.webhook.Integration.Format;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** escalate-after through a pagerduty integration, as a fake PagerDuty Events API v2 receives it. */
class PagerDutyEscalationTest {
    private final MovingClock clock = new MovingClock(Instant.now());
    private final WebhookFixture countersign = new WebhookFixture(TestPolicies.standard()
            .withReminders(new Reminders(null, Duration.ofMinutes(30), null)), clock);
    private final Receiver pagerDuty = countersign.closeLater(new Receiver());
    private final ReminderSweeper sweeper = new ReminderSweeper(countersign.store, countersign.service, clock);

    @AfterEach
    void stop() {
        countersign.close();
    }

    @Test
    void an_escalation_is_one_critical_trigger_under_its_own_dedup_key_and_one_resolve_with_it_when_the_request_ends()
            throws Exception {
        countersign.start(pager());
        var id = countersign.open("availability");
        clock.advance(Duration.ofMinutes(30));
        sweeper.sweepOnce();
        sweeper.sweepOnce(); // a second sweep (or instance) finds it done
        countersign.service.cancel(id, TestPolicies.DEV, "fixed by a config change");

        var opened = pagerDuty.take().json();
        var escalation = pagerDuty.take();
        var resolveEscalation = pagerDuty.take().json();
        var resolveRequest = pagerDuty.take().json();

        assertThat(opened.path("dedup_key").asText()).isEqualTo(id.toString());
        assertThat(escalation.header("Countersign-Event")).isEqualTo("request.escalated");
        assertThat(escalation.json().path("event_action").asText()).isEqualTo("trigger");
        assertThat(escalation.json().path("dedup_key").asText()).isEqualTo(id + "/escalation");
        assertThat(escalation.json().path("routing_key").asText()).isEqualTo("R0UT1NGKEY");
        assertThat(escalation.json().path("payload").path("severity").asText()).isEqualTo("critical");
        assertThat(escalation.json().path("payload").path("summary").asText()).isEqualTo(id + " emergency deploy "
                + "(Availability) is escalated: it still needs SRE and Release Engineering after 30 min: "
                + "Revert the cache change that took the API down");
        assertThat(resolveEscalation.path("event_action").asText()).isEqualTo("resolve");
        assertThat(resolveEscalation.path("dedup_key").asText()).isEqualTo(id + "/escalation");
        assertThat(resolveRequest.path("event_action").asText()).isEqualTo("resolve");
        assertThat(resolveRequest.path("dedup_key").asText()).isEqualTo(id.toString());
        Thread.sleep(300);
        assertThat(pagerDuty.all()).hasSize(4);
    }

    @Test
    void an_escalated_request_that_is_deployed_and_closed_resolves_its_escalation_once_when_the_deploy_succeeds()
            throws Exception {
        countersign.start(pager());
        var id = countersign.open("availability");
        clock.advance(Duration.ofMinutes(31));
        sweeper.sweepOnce();
        countersign.service.approve(id, TestPolicies.SRE1, "sre");
        countersign.service.approve(id, TestPolicies.REL1, "releng");
        countersign.service.finishDeploy(id, TestPolicies.SRE1, DeployResult.SUCCEEDED, null);
        countersign.service.close(id, TestPolicies.SRE1, "follow-up in T1");

        var sent = List.of(pagerDuty.take(), pagerDuty.take(), pagerDuty.take(), pagerDuty.take(), pagerDuty.take());
        Thread.sleep(300);

        assertThat(pagerDuty.all()).hasSize(5);
        assertThat(sent).extracting(r -> r.header("Countersign-Event") + " " + r.json().path("event_action").asText()
                + " " + r.json().path("dedup_key").asText()).containsExactly(
                "request.opened trigger " + id,
                "request.escalated trigger " + id + "/escalation",
                "deploy.finished resolve " + id + "/escalation",
                "deploy.finished resolve " + id,
                "request.closed resolve " + id);
    }

    @Test
    void a_request_approved_before_escalate_after_pages_nobody_a_second_time() throws Exception {
        countersign.start(pager());
        var id = countersign.approved();
        clock.advance(Duration.ofMinutes(45));
        sweeper.sweepOnce();
        countersign.service.cancel(id, TestPolicies.DEV, "not needed");

        assertThat(pagerDuty.take().json().path("event_action").asText()).isEqualTo("trigger");
        assertThat(pagerDuty.take().json().path("dedup_key").asText()).isEqualTo(id.toString());
        Thread.sleep(300);
        assertThat(pagerDuty.all()).extracting(r -> r.json().path("dedup_key").asText())
                .doesNotContain(id + "/escalation");
    }

    private Integration pager() {
        return new Integration("pager", pagerDuty.url(), Set.of(), Format.PAGERDUTY, "PD_KEY",
                Secret.of("R0UT1NGKEY"), false);
    }

    /** The service's time, moved on by the test; deliveries are still timed by the real clock. */
    static final class MovingClock extends Clock {
        private volatile Instant now;

        MovingClock(Instant now) { this.now = now; }

        void advance(Duration d) { now = now.plus(d); }

        @Override public Instant instant() { return now; }

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }

        @Override public Clock withZone(ZoneId zone) { return this; }
    }
}
