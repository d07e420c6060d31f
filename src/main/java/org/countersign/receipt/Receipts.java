package org.countersign.receipt;

import java.util.List;
import java.util.Map;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;
import org.countersign.domain.State;

/**
 * Signed approval receipts: an in-toto Statement about a request, in a DSSE envelope signed with Ed25519. A receipt is
 * signed from the stored request and its timeline when asked for; Ed25519 signatures are deterministic and the
 * statement is canonical JSON, so the same version of a request gets the same bytes on every call and every instance
 * that holds the same key.
 */
public final class Receipts {
    private final SigningKeys keys;

    public Receipts(SigningKeys keys) { this.keys = keys; }

    /** What a receipt request gets. */
    public sealed interface Answer {
        /** The envelope of a request that has been approved (it may have moved on since: its state says where). */
        record Signed(Dsse.Envelope envelope) implements Answer {}

        /** The request has not been approved (or its approvals were cleared by an edit): no receipt. */
        record NotApproved(State state) implements Answer {}
    }

    /**
     * The receipt of a request as it stands.
     *
     * @param hide true when the reader may not see what a confidential request is about (see {@link Statement})
     */
    public Answer receipt(EmergencyRequest r, List<Event> timeline, boolean hide) {
        // The request and its timeline are read one after the other: an event written in between is not this version's.
        var upToThisVersion = timeline.stream().filter(e -> e.version() <= r.version()).toList();
        if (!approved(r, upToThisVersion)) return new Answer.NotApproved(r.state());
        return new Answer.Signed(Dsse.sign(Dsse.IN_TOTO, Statement.bytes(r, upToThisVersion, hide), keys));
    }

    /** Every public key, the signing one first, as a JWKS. */
    public Map<String, Object> jwks() { return Jwks.of(keys.published()); }

    public SigningKeys keys() { return keys; }

    /** It was approved, and no edit cleared those approvals since: its last approval (or its break-glass) still stands. */
    static boolean approved(EmergencyRequest r, List<Event> timeline) {
        // A break-glass approves without (all) the approvals; its mark says who let it through.
        if (r.state() == State.PENDING || r.approvals().isEmpty() && r.breakGlass() == null) return false;
        boolean approved = false;
        for (var e : timeline) {
            if (e.type() == EventType.REQUEST_APPROVED) approved = true;
            else if (e.type() == EventType.APPROVALS_CLEARED) approved = false;
        }
        return approved;
    }
}
