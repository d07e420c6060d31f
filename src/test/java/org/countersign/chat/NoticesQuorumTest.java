package org.countersign.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.RequestBuilder.aRequest;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.countersign.domain.Actor;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;
import org.countersign.domain.Policy;
import org.countersign.domain.Reason;
import org.countersign.domain.State;
import org.countersign.domain.TestPolicies;
import org.junit.jupiter.api.Test;

/** The thread's notices count a team as signed by its reason's own quorum, as the Workflow does. */
class NoticesQuorumTest {
    /** The standard policy, with abuse requests needing two SRE approvals. */
    static Policy twoSreForAbuse() {
        var base = TestPolicies.standard();
        var reasons = new LinkedHashMap<>(base.reasons());
        reasons.put("abuse", new Reason("abuse", "Abuse", List.of("sre", "releng"), false, List.of(), Map.of("sre", 2)));
        return Policy.of(base.teams(), reasons, Duration.ofMinutes(60), Map.of());
    }

    @Test
    void a_reminder_names_a_team_that_has_one_approval_of_the_two_its_reason_needs() {
        var policy = twoSreForAbuse();
        var r = aRequest().withPolicy(policy).forReason("abuse").approvedBy(TestPolicies.SRE1, "sre")
                .approvedBy(TestPolicies.REL1, "releng").build();
        assertThat(r.state()).isEqualTo(State.PENDING);
        var reminded = new Event("EMG-1/9/0", EventType.REQUEST_REMINDED, r.id(), r.version(), r.updated(), Actor.SYSTEM,
                State.PENDING, null, "still needs SRE");

        var text = new Notices(policy).of(reminded, r).orElseThrow().stream().map(NoticesQuorumTest::plain)
                .collect(Collectors.joining());

        assertThat(text).contains("waiting for SRE").doesNotContain("Release Engineering");
    }

    private static String plain(Card.Value part) {
        if (part instanceof Card.Text t) return t.text();
        if (part instanceof Card.TeamCall call) return call.label();
        if (part instanceof Card.Person p) return p.actor().toString();
        return "";
    }
}
