package org.countersign.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.countersign.chat.Card.Person;
import org.countersign.chat.Card.Text;
import org.countersign.chat.Card.Value;
import org.countersign.domain.Actor;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.Policy;

/**
 * The short message that tells people what just happened to a request (a threaded reply under its card),
 * as text and people, so each platform renders people its own way and escapes the text.
 */
public final class Notices {
    private final Policy policy;

    public Notices(Policy policy) { this.policy = policy; }

    /** The notice for an event; empty when the card itself says it all (a new request). */
    public Optional<List<Value>> of(Event e, EmergencyRequest r) {
        var n = new Builder();
        var detail = e.detail() == null ? "" : e.detail();
        switch (e.type()) {
            case REQUEST_OPENED -> { return Optional.empty(); }
            case APPROVAL_ADDED -> n.text("✅ ").person(e.actor()).text(" approved " + r.id() + " for "
                    + policy.teamLabel(e.team()) + ".");
            case APPROVAL_WITHDRAWN -> n.text("↩️ ").person(e.actor()).text(" withdrew their approval of " + r.id()
                    + " for " + policy.teamLabel(e.team()) + ".");
            case REQUEST_APPROVED -> n.text("🟢 " + r.id() + " is approved by every team: ready to deploy. ")
                    .person(r.requester()).deployer(r);
            case APPROVALS_CLEARED -> n.text("⚠️ The changes of " + r.id() + " were edited, so its approvals were "
                    + "cleared: " + String.join(", ", r.requiredTeams().stream().map(policy::teamLabel).toList())
                    + " must approve again.");
            case REQUEST_EDITED -> n.text("✏️ ").person(e.actor()).text(" edited the changes of " + r.id() + ".");
            case REQUEST_REJECTED -> n.text("❌ ").person(e.actor()).text(" rejected " + r.id() + ": " + detail + " ")
                    .person(r.requester());
            case REQUEST_CANCELLED -> n.text("🚫 ").person(e.actor()).text(" cancelled " + r.id()
                    + (detail.isEmpty() ? "." : ": " + detail));
            case REQUEST_EXPIRED -> n.text(r.approvalsExpired()
                    ? "⌛ The approvals of " + r.id() + " expired before its deploy started; open a new request if the fix"
                            + " is still needed. "
                    : "⌛ " + r.id() + " expired without every approval (" + detail + "). ").person(r.requester());
            case DEPLOY_STARTED -> n.text("🚀 ").person(e.actor()).text(" started the deploy of " + r.id() + ".");
            case DEPLOY_FINISHED -> n.text("🏁 ").person(e.actor()).text(" reported the deploy of " + r.id() + ": "
                    + detail + ". Close it with a follow-up note.");
            case REQUEST_CLOSED -> n.text("🔒 ").person(e.actor()).text(" closed " + r.id() + ". Follow-up: " + detail);
        }
        return Optional.of(n.parts);
    }

    private static final class Builder {
        final List<Value> parts = new ArrayList<>();

        Builder text(String text) {
            parts.add(new Text(text));
            return this;
        }

        Builder person(Actor actor) {
            parts.add(new Person(actor));
            return this;
        }

        Builder deployer(EmergencyRequest r) {
            return r.deployer() == null || r.deployer().equals(r.requester()) ? this : text(" ").person(r.deployer());
        }
    }
}
