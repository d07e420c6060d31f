package org.countersign.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.countersign.domain.Actor;
import org.countersign.domain.DraftBuilder;
import org.countersign.domain.Outcome;
import org.countersign.domain.Platform;
import org.countersign.domain.PolicyBuilder;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The service's log says each decision in one line, on a real Redis, and never what a request is about. */
class DecisionLogTest {
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private PrintStream stderr;

    @BeforeEach
    void capture() {
        stderr = System.err; // slf4j-simple writes to whatever System.err is when it logs
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(stderr);
    }

    private String log() { return captured.toString(StandardCharsets.UTF_8); }

    @Test
    void an_approval_is_one_line_naming_the_request_the_team_the_person_and_the_platform() {
        var alice = new Actor(Platform.CONSOLE, "alice");
        var policy = PolicyBuilder.aPolicy().withTeam("sre", "SRE", alice)
                .withTeam("releng", "Release Engineering", TestPolicies.REL1)
                .withReason("availability", "Availability", "sre", "releng").linking("alice", alice).build();
        var service = new RequestService(TestRedis.store(), new PolicyDirectory(policy), new Workflow(policy),
                Clock.systemUTC());
        var opened = service.open(TestPolicies.DEV, DraftBuilder.aDraft().build());
        var id = ((Outcome.Applied) opened).request().id();

        service.approve(id, alice, "sre");

        assertThat(log().lines().filter(l -> l.contains(id + " approved for SRE")))
                .singleElement().satisfies(l -> assertThat(l).endsWith(id + " approved for SRE by alice via console"));
        assertThat(log()).contains(id + " opened by slack:U0DEV1 (Availability)");
    }

    @Test
    void a_confidential_request_is_logged_without_its_summary_details_or_reasons() {
        var policy = TestPolicies.standard();
        var service = new RequestService(TestRedis.store(), new PolicyDirectory(policy), new Workflow(policy),
                Clock.systemUTC());
        var draft = DraftBuilder.aDraft().forReason("security").withSummary("CVE-SECRET-SUMMARY in the login form")
                .build();
        var opened = service.open(TestPolicies.DEV, draft);
        var id = ((Outcome.Applied) opened).request().id();

        service.approve(id, TestPolicies.SRE1, "sre");
        service.reject(id, TestPolicies.REL1, "REJECT-SECRET: the patch leaks the token");

        assertThat(log()).contains(id + " approved for SRE by sre1 via slack").contains(id + " rejected by slack:U0REL1")
                .doesNotContain("CVE-SECRET-SUMMARY").doesNotContain("REJECT-SECRET").doesNotContain("login form");
    }
}
