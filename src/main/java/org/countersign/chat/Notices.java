package org.countersign.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.countersign.chat.Card.Person;
import org.countersign.chat.Card.TeamCall;
import org.countersign.chat.Card.Text;
import org.countersign.chat.Card.Value;
import org.countersign.domain.Actor;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.Policy;
import org.countersign.domain.Reminders;
import org.countersign.domain.State;
import org.countersign.domain.Team;

/**
 * The short message that tells people what just happened to a request (a threaded reply under its card),
 * as text and people, so each platform renders people its own way and escapes the text.
 */
public final class Notices {
    private final Supplier<Policy> rules;

    /** Notices in the words of {@code policy} as it stands at each notice (a reload changes labels and who is called). */
    public Notices(Supplier<Policy> rules) { this.rules = rules; }

    public Notices(Policy policy) { this(() -> policy); }

    /** The notice for an event; empty when the card itself says it all (a new request). */
    public Optional<List<Value>> of(Event e, EmergencyRequest r) {
        var policy = rules.get();
        var n = new Builder(policy);
        var detail = e.detail() == null ? "" : e.detail();
        switch (e.type()) {
            case REQUEST_OPENED -> { return Optional.empty(); }
            case APPROVAL_ADDED -> n.text("✅ ").person(e.actor()).text(" approved " + r.id() + " for "
                    + policy.teamLabel(e.team()) + ".");
            case APPROVAL_WITHDRAWN -> n.text("↩️ ").person(e.actor()).text(" withdrew their approval of " + r.id()
                    + " for " + policy.teamLabel(e.team()) + ".");
            case REQUEST_APPROVED -> n.text("break-glass".equals(e.detail())
                            ? "🟢 " + r.id() + " is approved without its quorum (break-glass): ready to deploy. "
                            : "🟢 " + r.id() + " is approved by every team: ready to deploy. ")
                    .person(r.requester()).deployer(r);
            case APPROVALS_CLEARED -> n.text("⚠️ The changes of " + r.id() + " were edited, so its approvals were "
                    + "cleared: " + policy.allOf(r.requiredTeams()) + " must approve again.");
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
            case REQUEST_BREAK_GLASS -> n.text("🚨 BREAK-GLASS: ").person(e.actor()).text(" let " + r.id()
                    + " proceed without its quorum: " + detail + " It must be reviewed afterwards.");
            case REQUEST_REVIEWED -> n.text("🔎 ").person(e.actor()).text(" reviewed " + r.id() + ". Follow-up: " + detail);
            case REVIEW_OVERDUE -> n.text("⏰ The review of " + r.id() + " is overdue (" + detail + "): someone in "
                    + policy.anyOf(policy.review().teams().stream().sorted().toList()) + " who neither opened nor deployed it, please review it. ").person(r.requester());
            case REQUEST_REMINDED -> {
                var needed = stillNeeded(policy, r);
                if (needed.isEmpty()) return Optional.empty(); // approved meanwhile: nobody to remind
                n.text("⏰ " + r.id() + " is waiting for ");
                for (int i = 0; i < needed.size(); i++) {
                    if (i > 0) n.text(i == needed.size() - 1 ? " and " : ", ");
                    n.call(needed.get(i));
                }
                n.text(" to approve (open " + since(r, e) + ").");
            }
            case REQUEST_ESCALATED -> n.text(reminderLine(e).orElseThrow()); // the same sentence as the console's
            case REQUEST_EXPIRY_WARNED -> n.text("⏳ ").person(r.requester()).text(" " + detail + ".");
        }
        return Optional.of(n.parts);
    }

    /**
     * The loud top-level notice of a break-glass, told in the ops and the security channel or room alike;
     * {@code seesAll} false (the ops room, for a confidential request) leaves the reason out, as the Disclosure rule says.
     */
    public List<Value> breakGlass(EmergencyRequest r, boolean seesAll) {
        var policy = rules.get();
        var bg = r.breakGlass();
        var n = new Builder(policy).text("🚨 BREAK-GLASS on " + r.id() + " (" + policy.reasonLabel(r.reason()) + "): ").person(bg.by())
                .text(" let it proceed without the approval of " + policy.allOf(r.requiredTeams().stream()
                        .filter(t -> r.approvalsFor(t).size() < policy.quorum(r.reason(), t)).toList()) + ". ");
        n.text(seesAll ? "Reason: " + bg.reason() + " " : "The reason is told only where the request may be read. ");
        return n.text("It must be reviewed afterwards.").parts;
    }

    /**
     * The reminder, escalation or expiry warning as one plain line for a thread that is re-drawn from the timeline
     * (the console's card), from the event alone, so it reads the same after the request moved on; empty for others.
     */
    public Optional<String> reminderLine(Event e) {
        var detail = e.detail() == null ? "" : e.detail();
        return switch (e.type()) {
            case REQUEST_REMINDED -> Optional.of("⏰ Reminder: " + e.request() + " " + detail + ".");
            case REQUEST_ESCALATED -> Optional.of("📟 " + e.request() + " has been escalated: it " + detail
                    + ", so the on-call is being paged.");
            case REQUEST_EXPIRY_WARNED -> Optional.of("⏳ " + detail + ".");
            default -> Optional.empty();
        };
    }

    /** The required teams still short of their quorum now, in the order the reason lists them. */
    private static List<String> stillNeeded(Policy policy, EmergencyRequest r) {
        if (r.state() != State.PENDING) return List.of();
        return r.requiredTeams().stream()
                .filter(t -> r.approvalsFor(t).size() < policy.quorum(r.reason(), t)).toList();
    }

    private static String since(EmergencyRequest r, Event e) {
        return Reminders.spoken(java.time.Duration.between(r.created(), e.at()));
    }

    private static final class Builder {
        final Policy policy;
        final List<Value> parts = new ArrayList<>();

        Builder(Policy policy) { this.policy = policy; }

        Builder text(String text) {
            parts.add(new Text(text));
            return this;
        }

        Builder person(Actor actor) {
            parts.add(new Person(actor));
            return this;
        }

        Builder call(String team) {
            var t = policy.team(team);
            var members = t.map(x -> x.members().stream()
                    .sorted(java.util.Comparator.comparing(Actor::toString)).toList()).orElse(List.of());
            parts.add(new TeamCall(policy.teamLabel(team), t.map(Team::slackUsergroup).orElse(null), members));
            return this;
        }

        Builder deployer(EmergencyRequest r) {
            return r.deployer() == null || r.deployer().equals(r.requester()) ? this : text(" ").person(r.deployer());
        }
    }
}
