package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.TestPolicies.DEV;
import static org.countersign.domain.TestPolicies.REL1;
import static org.countersign.domain.TestPolicies.SRE1;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.countersign.domain.Approval;
import org.countersign.domain.BreakGlass;
import org.countersign.domain.Review;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;
import org.countersign.domain.Rejection;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.junit.jupiter.api.Test;

class DomainJsonTest {
    private final ObjectMapper json = DomainJson.mapper();
    private final Instant t0 = Instant.parse("2025-03-01T10:15:30.123456789Z");

    private EmergencyRequest everyFieldSet() {
        return new EmergencyRequest(new RequestId(12), 4, State.REJECTED, "security", true, List.of("sre", "releng"),
                "Revert the cache change", "It took the API down", List.of("https://gerrit.example.org/r/1", "abc1234"),
                "T12345", false, "The revert conflicts", DEV, "dev", REL1, t0, t0.plusSeconds(60), t0.plusSeconds(3600),
                List.of(new Approval("sre", SRE1, "sre1", t0.plusSeconds(10), List.of("https://gerrit.example.org/r/1"))),
                new Rejection(REL1, "Not a revert", t0.plusSeconds(60)), "deployed with a hiccup", "follow up in T1",
                t0.plusSeconds(7200), "0f".repeat(32));
    }

    private EmergencyRequest fewFieldsSet() {
        return new EmergencyRequest(new RequestId(3), 1, State.PENDING, "availability", false, List.of("sre"),
                "Fix it", null, List.of("42"), null, true, null, DEV, "slack:U0DEV1", null, t0, t0, t0.plusSeconds(3600),
                List.of(), null, null, null, null, null);
    }

    @Test
    void a_request_with_every_field_set_round_trips_exactly() throws Exception {
        var request = everyFieldSet();
        assertThat(json.readValue(json.writeValueAsString(request), EmergencyRequest.class)).isEqualTo(request);
    }

    @Test
    void what_a_request_was_reminded_of_round_trips_and_a_request_stored_before_reminders_reads_as_reminded_of_nothing()
            throws Exception {
        var r = fewFieldsSet();
        var reminded = new EmergencyRequest(r.id(), r.version(), r.state(), r.reason(), r.confidential(),
                r.requiredTeams(), r.summary(), r.details(), r.changes(), r.task(), r.rollback(), r.whyNotRollback(),
                r.requester(), r.requesterPerson(), r.deployer(), r.created(), r.updated(), r.expires(), r.approvals(),
                r.rejection(), r.deployNote(), r.closeNote(), r.approvalsValidUntil(), r.policySha256(), null, null, null, null,
                new org.countersign.domain.Reminded(2, t0.plusSeconds(1800), t0.plusSeconds(3600)));
        var before = json.readTree(json.writeValueAsString(r));
        ((com.fasterxml.jackson.databind.node.ObjectNode) before).remove("reminded");

        assertThat(json.readValue(json.writeValueAsString(reminded), EmergencyRequest.class)).isEqualTo(reminded);
        assertThat(json.readValue(before.toString(), EmergencyRequest.class).reminded())
                .isEqualTo(org.countersign.domain.Reminded.NONE);
    }

    @Test
    void a_request_with_empty_fields_round_trips_exactly() throws Exception {
        var request = fewFieldsSet();
        assertThat(json.readValue(json.writeValueAsString(request), EmergencyRequest.class)).isEqualTo(request);
    }

    @Test
    void a_request_let_through_by_break_glass_and_reviewed_round_trips_exactly() throws Exception {
        var r = everyFieldSet();
        var request = new EmergencyRequest(r.id(), r.version(), State.DEPLOYED, r.reason(), r.confidential(),
                r.requiredTeams(), r.summary(), r.details(), r.changes(), r.task(), r.rollback(), r.whyNotRollback(),
                r.requester(), r.requesterPerson(), r.deployer(), r.created(), r.updated(), r.expires(), r.approvals(),
                null, r.deployNote(), null, r.approvalsValidUntil(), r.policySha256(),
                new BreakGlass(SRE1, "sre1", "The API is down and nobody in releng answers the page", t0.plusSeconds(5)),
                new Review(REL1, "carol", "https://phabricator.example.org/T4242", t0.plusSeconds(90)),
                t0.plusSeconds(172_800), t0.plusSeconds(172_900), org.countersign.domain.Reminded.NONE);

        var text = json.writeValueAsString(request);

        assertThat(json.readValue(text, EmergencyRequest.class)).isEqualTo(request);
        assertThat(json.readTree(text).path("breakGlass").path("by").asText()).isEqualTo("slack:U0SRE1");
    }

    @Test
    void a_request_stored_before_break_glass_and_review_reads_without_them() throws Exception {
        var stored = json.writeValueAsString(fewFieldsSet());
        assertThat(stored).doesNotContain("breakGlass").doesNotContain("review");

        var read = json.readValue(stored, EmergencyRequest.class);

        assertThat(read.breakGlass()).isNull();
        assertThat(read.review()).isNull();
        assertThat(read.reviewDue()).isNull();
        assertThat(read).isEqualTo(fewFieldsSet());
    }

    @Test
    void an_event_round_trips_exactly() throws Exception {
        var event = new Event("EMG-12/2/0", EventType.APPROVAL_ADDED, new RequestId(12), 2, t0, SRE1, State.PENDING,
                "sre", null);
        assertThat(json.readValue(json.writeValueAsString(event), Event.class)).isEqualTo(event);
    }

    @Test
    void ids_actors_instants_and_enums_are_written_as_readable_strings() throws Exception {
        var tree = json.readTree(json.writeValueAsString(everyFieldSet()));
        assertThat(tree.get("id").asText()).isEqualTo("EMG-12");
        assertThat(tree.get("requester").asText()).isEqualTo("slack:U0DEV1");
        assertThat(tree.get("approvals").get(0).get("by").asText()).isEqualTo("slack:U0SRE1");
        assertThat(tree.get("created").asText()).isEqualTo("2025-03-01T10:15:30.123456789Z");
        assertThat(tree.get("state").asText()).isEqualTo("REJECTED");
    }

    @Test
    void null_fields_are_left_out() throws Exception {
        var tree = json.readTree(json.writeValueAsString(fewFieldsSet()));
        assertThat(tree.has("details")).isFalse();
        assertThat(tree.has("deployer")).isFalse();
        assertThat(tree.has("rejection")).isFalse();
    }

    @Test
    void unknown_fields_are_ignored_and_missing_lists_read_as_empty() throws Exception {
        var request = json.readValue("""
                {"id":"EMG-7","version":1,"state":"PENDING","reason":"abuse","requiredTeams":["sre"],
                 "requester":"matrix:@dev:example.org","requesterPerson":"dev","created":"2025-03-01T10:00:00Z",
                 "addedInAFutureVersion":{"x":1}}
                """, EmergencyRequest.class);
        assertThat(request.id()).isEqualTo(new RequestId(7));
        assertThat(request.requester().id()).isEqualTo("@dev:example.org");
        assertThat(request.approvals()).isEmpty();
        assertThat(request.changes()).isEmpty();
    }

    @Test
    void an_approved_request_stored_before_approvals_had_a_deadline_reads_without_one() throws Exception {
        var request = json.readValue("""
                {"id":"EMG-8","version":3,"state":"APPROVED","reason":"abuse","requiredTeams":["sre"],
                 "requester":"slack:U0DEV1","requesterPerson":"dev","created":"2025-03-01T10:00:00Z",
                 "updated":"2025-03-01T10:02:00Z","expires":"2025-03-01T11:00:00Z",
                 "approvals":[{"team":"sre","by":"slack:U0SRE1","person":"sre1","at":"2025-03-01T10:02:00Z",
                               "changes":["42"]}]}
                """, EmergencyRequest.class);

        assertThat(request.approvalsValidUntil()).isNull();
        assertThat(request.deadline()).isEmpty();
    }

    @Test
    void the_approvals_deadline_is_written_as_an_instant() throws Exception {
        var tree = json.readTree(json.writeValueAsString(everyFieldSet()));

        assertThat(tree.get("approvalsValidUntil").asText()).isEqualTo("2025-03-01T12:15:30.123456789Z");
        assertThat(tree.has("deadline")).isFalse();
    }
}
