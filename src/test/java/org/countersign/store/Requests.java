package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.countersign.app.PolicyDirectory;
import org.countersign.domain.Actor;
import org.countersign.domain.Command;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;

/** Real requests and changes, made by the Workflow under the standard test policy. */
final class Requests {
    static final Workflow WORKFLOW = new Workflow(TestPolicies.standard());
    static final PolicyDirectory DIRECTORY = new PolicyDirectory(TestPolicies.standard());
    static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

    private Requests() {}

    /** DEV opens an availability fix (needs SRE and Release Engineering) at {@code at}. */
    static Applied opened(RequestId id, Instant at) {
        return applied(WORKFLOW.open(id, TestPolicies.draft("availability"), DIRECTORY.resolve(TestPolicies.DEV), at));
    }

    static Applied approved(EmergencyRequest r, Actor by, String team, Instant at) {
        return applied(WORKFLOW.apply(r, new Command.Approve(r.id(), DIRECTORY.resolve(by), team), at));
    }

    static Applied rejected(EmergencyRequest r, Actor by, String reason, Instant at) {
        return applied(WORKFLOW.apply(r, new Command.Reject(r.id(), DIRECTORY.resolve(by), reason), at));
    }

    static Applied cancelled(EmergencyRequest r, Instant at) {
        return applied(WORKFLOW.apply(r, new Command.Cancel(r.id(), DIRECTORY.resolve(TestPolicies.DEV), null), at));
    }

    /** Opens a request in the store at {@code at} and returns it as saved. */
    static EmergencyRequest create(RedisRequestStore store, Instant at) {
        var opened = opened(store.nextId(), at);
        assertThat(store.save(opened.request(), 0, opened.events())).as("create").isTrue();
        return opened.request();
    }

    /** Saves a change computed from {@code from}; returns the new request. */
    static EmergencyRequest save(RedisRequestStore store, EmergencyRequest from, Applied change) {
        assertThat(store.save(change.request(), from.version(), change.events())).as("save").isTrue();
        return change.request();
    }

    private static Applied applied(Object outcome) {
        assertThat(outcome).isInstanceOf(Applied.class);
        return (Applied) outcome;
    }
}
