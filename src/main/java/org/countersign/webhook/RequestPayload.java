package org.countersign.webhook;

import java.time.Instant;
import java.util.List;
import org.countersign.domain.Disclosure;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.receipt.Dsse;

/**
 * A request as webhooks see it: its current version, or the version and state of an event ({@link #at}). For a confidential request sent to an endpoint that
 * is not marked confidential, what could describe an unfixed vulnerability (summary, details, changes, task,
 * why not roll back, notes, the rejection reason) is left out and {@code redacted} is true.
 */
record RequestPayload(String id, long version, String state, String reason, boolean confidential, boolean redacted,
                      List<String> requiredTeams, List<ApprovalPayload> approvals, String requester, String deployer,
                      String summary, String details, List<String> changes, String task, Boolean rollback,
                      String whyNotRollback, RejectionPayload rejection, String deployNote, String closeNote,
                      Instant created, Instant updated, Instant expires) {

    record ApprovalPayload(String team, String by, Instant at) {}

    record RejectionPayload(String by, String reason, Instant at) {}

    /**
     * The {@code countersign} format's body: the event and the request as it stands, with its signed receipt on an
     * approval and on the end of an approved request.
     */
    record EventPayload(String id, String type, Instant occurredAt, String actor, String team, String detail,
                        RequestPayload request, Dsse.Envelope receipt) {
        static EventPayload of(Event e, EmergencyRequest r, boolean hide) { return of(e, r, hide, null); }

        static EventPayload of(Event e, EmergencyRequest r, boolean hide, Dsse.Envelope receipt) {
            return new EventPayload(e.id(), e.type().wire(), e.at(), e.actor().toString(), e.team(),
                    hide ? null : e.detail(), RequestPayload.of(r, hide).at(e), receipt);
        }
    }

    /**
     * With the version and state the event wrote, not the request's now: a {@code request.approved} delivered late
     * (after a retry, or by another instance) still says APPROVED when the request has been cancelled since.
     */
    RequestPayload at(Event e) {
        return new RequestPayload(id, e.version(), e.state().name(), reason, confidential, redacted, requiredTeams,
                approvals, requester, deployer, summary, details, changes, task, rollback, whyNotRollback, rejection,
                deployNote, closeNote, created, updated, expires);
    }

    /** Whether this endpoint must not see what a confidential request is about. */
    static boolean hides(EmergencyRequest r, Integration to) {
        return Disclosure.hidesFrom(r, new Disclosure.Audience.Endpoint(to.confidential()));
    }

    static RequestPayload of(EmergencyRequest r, boolean hide) {
        var rejection = r.rejection() == null ? null
                : new RejectionPayload(r.rejection().by().toString(), hide ? null : r.rejection().reason(), r.rejection().at());
        return new RequestPayload(r.id().toString(), r.version(), r.state().name(), r.reason(), r.confidential(), hide,
                r.requiredTeams(), r.approvals().stream()
                        .map(a -> new ApprovalPayload(a.team(), a.by().toString(), a.at())).toList(),
                r.requester().toString(), r.deployer() == null ? null : r.deployer().toString(),
                hide ? null : r.summary(), hide ? null : r.details(), hide ? null : r.changes(), hide ? null : r.task(),
                hide ? null : r.rollback(), hide ? null : r.whyNotRollback(), rejection,
                hide ? null : r.deployNote(), hide ? null : r.closeNote(), r.created(), r.updated(), r.expires());
    }
}
