package org.countersign.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.webhook.WebhookFixture.integration;

import java.util.List;
import java.util.Set;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Draft;
import org.countersign.domain.TestPolicies;
import org.countersign.webhook.Integration.Format;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The slack-incoming and pagerduty formats, as their receivers get them. */
class FormatsTest {
    private final WebhookFixture countersign = new WebhookFixture();
    private final Receiver receiver = countersign.closeLater(new Receiver());

    @AfterEach
    void stop() {
        countersign.close();
    }

    @Test
    void slack_incoming_gets_one_admin_log_line_per_step_with_what_people_typed_escaped() throws Exception {
        countersign.start(integration("admin-log", receiver.url(), Format.SLACK_INCOMING, false));
        var id = countersign.open(draft("availability", "Ping <!channel> & <https://evil.example|click>"));
        var s = countersign.service;
        s.approve(id, TestPolicies.SRE1, "sre");
        s.approve(id, TestPolicies.REL1, "releng");
        s.startDeploy(id, DeployWebhook.PIPELINE);
        s.finishDeploy(id, DeployWebhook.PIPELINE, DeployResult.SUCCEEDED, "all green");
        s.close(id, TestPolicies.SRE1, "follow-up in T1");

        var lines = List.of(line(), line(), line(), line(), line(), line(), line());

        assertThat(lines).allSatisfy(l -> assertThat(l).matches("[0-2][0-9]:[0-5][0-9] " + id + " .*"));
        assertThat(lines).extracting(l -> l.substring(6)).containsExactly(
                id + " opened by slack:U0DEV1 (Availability; needs SRE and Release Engineering): "
                        + "Ping &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;",
                id + " approval for SRE by slack:U0SRE1",
                id + " approval for Release Engineering by slack:U0REL1",
                id + " approved by SRE (slack:U0SRE1) and Release Engineering (slack:U0REL1)",
                id + " deploy started (webhook:deploy)",
                id + " deployed (webhook:deploy): all green",
                id + " closed by slack:U0SRE1: follow-up in T1");
        assertThat(receiver.all().get(0).json().size()).as("only text").isEqualTo(1);
    }

    @Test
    void a_withdrawn_approval_gets_its_line_and_is_not_named_among_the_approvers() throws Exception {
        countersign.start(integration("admin-log", receiver.url(), Format.SLACK_INCOMING, false));
        var id = countersign.open(draft("availability", "Revert the cache change"));
        var s = countersign.service;
        s.approve(id, TestPolicies.SRE1, "sre");
        s.withdraw(id, TestPolicies.SRE1_MATRIX, null); // the same person, from their Matrix account
        s.approve(id, TestPolicies.SRE2, "sre");
        s.approve(id, TestPolicies.REL1, "releng");

        var lines = List.of(line(), line(), line(), line(), line(), line());

        assertThat(lines).extracting(l -> l.substring(6)).containsSubsequence(
                id + " approval for SRE withdrawn by matrix:@sre1:example.org",
                id + " approved by SRE (slack:U0SRE2) and Release Engineering (slack:U0REL1)");
    }

    @Test
    void slack_incoming_lines_of_a_confidential_request_carry_no_summary_or_notes() throws Exception {
        countersign.start(integration("admin-log", receiver.url(), Format.SLACK_INCOMING, false));
        var id = countersign.open(draft("security", "Patch CVE-2099-0001"));
        countersign.service.reject(id, TestPolicies.SEC1, "CVE-2099-0001 needs a different fix");

        assertThat(line().substring(6)).isEqualTo(id + " opened by slack:U0DEV1 (Security issue; needs SRE, "
                + "Release Engineering and Security)");
        assertThat(line().substring(6)).isEqualTo(id + " rejected by slack:U0SEC1");
    }

    @Test
    void slack_incoming_is_sent_unsigned_when_it_has_no_secret() throws Exception {
        countersign.start(new Integration("admin-log", receiver.url(), Set.of(), Format.SLACK_INCOMING, null, null, false));
        countersign.open("availability");

        var got = receiver.take();

        assertThat(got.header("Countersign-Signature")).isNull();
        assertThat(got.header("Countersign-Delivery")).isNotNull();
    }

    @Test
    void pagerduty_triggers_when_a_request_opens_and_resolves_when_its_deploy_succeeds() throws Exception {
        countersign.start(pagerDuty());
        var id = countersign.approved();
        countersign.service.finishDeploy(id, TestPolicies.SRE1, DeployResult.SUCCEEDED, null);

        var trigger = receiver.take().json();
        var resolve = receiver.take().json();

        assertThat(trigger.path("routing_key").asText()).isEqualTo("R0UT1NGKEY");
        assertThat(trigger.path("event_action").asText()).isEqualTo("trigger");
        assertThat(trigger.path("dedup_key").asText()).isEqualTo(id.toString());
        var payload = trigger.path("payload");
        assertThat(payload.path("summary").asText()).isEqualTo(id + " emergency deploy (Availability) needs approval "
                + "from SRE, Release Engineering: Revert the cache change that took the API down");
        assertThat(payload.path("source").asText()).isEqualTo("countersign");
        assertThat(payload.path("severity").asText()).isEqualTo("error");
        assertThat(payload.path("custom_details").path("id").asText()).isEqualTo(id.toString());
        assertThat(resolve.path("event_action").asText()).isEqualTo("resolve");
        assertThat(resolve.path("dedup_key").asText()).isEqualTo(id.toString());
        assertThat(resolve.path("routing_key").asText()).isEqualTo("R0UT1NGKEY");
        Thread.sleep(200);
        assertThat(receiver.all()).as("approvals send nothing").hasSize(2);
    }

    @Test
    void pagerduty_keeps_a_failed_deploy_open_until_the_request_is_closed() throws Exception {
        countersign.start(pagerDuty());
        var id = countersign.approved();
        countersign.service.finishDeploy(id, TestPolicies.SRE1, DeployResult.FAILED, "migration broke");
        countersign.service.close(id, TestPolicies.SRE1, "fixed forward in EMG-99");

        assertThat(receiver.take().json().path("event_action").asText()).isEqualTo("trigger");
        var next = receiver.take();
        assertThat(next.header("Countersign-Event")).isEqualTo("request.closed");
        assertThat(next.json().path("event_action").asText()).isEqualTo("resolve");
    }

    @Test
    void pagerduty_pages_critical_for_a_security_issue_without_saying_what_it_is() throws Exception {
        countersign.start(pagerDuty());
        var id = countersign.open(draft("security", "Patch CVE-2099-0001"));
        countersign.service.cancel(id, TestPolicies.DEV, "not needed");

        var trigger = receiver.take();
        var payload = trigger.json().path("payload");

        assertThat(payload.path("severity").asText()).isEqualTo("critical");
        assertThat(payload.path("summary").asText()).isEqualTo(id + " emergency deploy (Security issue) needs approval "
                + "from SRE, Release Engineering, Security");
        assertThat(trigger.text()).doesNotContain("CVE-2099-0001");
        assertThat(receiver.take().json().path("event_action").asText()).isEqualTo("resolve");
    }

    @Test
    void pagerduty_pages_a_break_glass_critically_under_its_own_dedup_key_with_the_reason() throws Exception {
        countersign.start(pagerDuty());
        var id = countersign.open("availability");
        receiver.take(); // the trigger of the request itself

        countersign.service.breakGlass(id, TestPolicies.SRE1, TestPolicies.GLASS_REASON);

        var page = receiver.take().json();
        assertThat(page.path("event_action").asText()).isEqualTo("trigger");
        assertThat(page.path("dedup_key").asText()).isEqualTo(id + "/break-glass");
        assertThat(page.path("payload").path("severity").asText()).isEqualTo("critical");
        assertThat(page.path("payload").path("summary").asText()).isEqualTo("BREAK-GLASS: " + id + " emergency deploy "
                + "(Availability) approved without its quorum by slack:U0SRE1: " + TestPolicies.GLASS_REASON);
    }

    @Test
    void pagerduty_pages_a_confidential_break_glass_without_its_reason() throws Exception {
        countersign.start(pagerDuty());
        var id = countersign.open(draft("security", "Patch CVE-2099-0001"));
        receiver.take();

        countersign.service.breakGlass(id, TestPolicies.SRE1, TestPolicies.GLASS_REASON + " CVE-2099-0001");

        var page = receiver.take();
        assertThat(page.json().path("dedup_key").asText()).isEqualTo(id + "/break-glass");
        assertThat(page.text()).doesNotContain("CVE-2099-0001").doesNotContain(TestPolicies.GLASS_REASON);
    }

    private Integration pagerDuty() {
        return new Integration("pager", receiver.url(), Set.of(), Format.PAGERDUTY,
                "PD_KEY", Secret.of("R0UT1NGKEY"), false);
    }

    private String line() throws InterruptedException {
        return receiver.take().json().path("text").asText();
    }

    private static Draft draft(String reason, String summary) {
        return new Draft(reason, summary, "Exploit details", List.of("https://gerrit.example.org/r/c/operations/+/123456"),
                "T1", true, null, null);
    }
}
