package org.countersign.chat;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.countersign.app.OpenOnce;
import org.countersign.app.RequestService;
import org.countersign.app.StoreUnavailable;
import org.countersign.app.Throttle;
import org.countersign.chat.Reply.Kind;
import org.countersign.domain.Actor;
import org.countersign.domain.Command;
import org.countersign.domain.Disclosure;
import org.countersign.domain.Disclosure.Audience;
import org.countersign.domain.Draft;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Member;
import org.countersign.domain.Outcome;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Outcome.Refusal;
import org.countersign.domain.Outcome.Refused;
import org.countersign.domain.Outcome.Unchanged;
import org.countersign.domain.Problem;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one conversation Slack, Matrix, the console (and any chat platform after them) hold with people: a parsed
 * {@link Verb} from a verified actor, said {@link Where somewhere}, becomes a call to the {@link RequestService} and a
 * {@link Reply}. The per-person limit, every sentence (help, lists, status, confirmations, refusals, "nothing was
 * recorded") and what a confidential request may show where (through {@link Disclosure}) live here, once; adapters
 * only parse what arrived and render what comes back.
 */
public final class Conversation {
    private static final Logger log = LoggerFactory.getLogger(Conversation.class);
    public static final String UNAVAILABLE = "State store unavailable; nothing was recorded, try again in a moment.";
    /** When the store may have taken the change before it failed: look first (a repeated approval changes nothing). */
    public static final String MAY_BE_RECORDED = "State store unavailable: what you did may or may not have been "
            + "recorded. Check the request's status in a moment before doing it again.";
    static final int LIST_MAX = 20;
    private static final java.time.format.DateTimeFormatter UTC_MINUTE = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(java.time.ZoneOffset.UTC);
    static final String ADVICE = "Rollback first, fix later. Availability before new features. Make on-wiki edits rarely.";

    private final RequestService service;
    private final Throttle throttle;
    private final Cards cards;

    public Conversation(RequestService service, Throttle throttle) {
        this.service = service;
        this.throttle = throttle;
        this.cards = new Cards(service::workflow);
    }

    /** The answer to {@code verb}, said by {@code by} {@code where}. */
    public Reply said(Actor by, Where where, Verb verb) {
        try {
            if (verb instanceof Verb.ListOpen || verb instanceof Verb.Status s && s.id().isEmpty()) return list(by, where);
            if (acts(verb)) return act(by, where, verb); // counted in its first read
            var held = heldBack(by);
            if (held.isPresent()) return held.get();
            return answer(by, where, verb);
        } catch (StoreUnavailable e) {
            return Reply.of(Kind.UNAVAILABLE, e.mayBeRecorded() ? MAY_BE_RECORDED : UNAVAILABLE);
        }
    }

    /**
     * The per-person limit for what the conversation does not answer itself (a platform opening its form): the reply
     * when {@code by} acts too often, else empty, counting this action.
     */
    public Optional<Reply> heldBack(Actor by) {
        if (throttle.check(by.toString()) instanceof Throttle.Refused held) return Optional.of(heldReply(held));
        return Optional.empty();
    }

    private static Reply heldReply(Throttle.Refused held) {
        return Reply.of(held.tell() ? Kind.HELD : Kind.HELD_QUIETLY, held.message());
    }

    /**
     * Where the deployment windows stand now, as the request form shows it ({@code No deployment window is open; the
     * next is Mon 07:00 UTC (in 9 h)}); empty when the policy names none.
     */
    public Optional<String> standing() { return service.policy().windows().sentence(service.now()); }

    /**
     * The refusal of someone the policy's {@code may-open} leaves out, before a form is put in front of them; empty when
     * they may open.
     */
    public Optional<Reply> mayOpen(Actor by) {
        try {
            return service.mayOpen(by)
                    .map(refused -> Reply.refused(refused.kind(), null, refused.message(), List.of()));
        } catch (StoreUnavailable e) {
            return Optional.empty();
        }
    }

    private Reply answer(Actor by, Where where, Verb verb) {
        if (verb instanceof Verb.Usage u) return usage(u, where.venue().syntax());
        if (verb instanceof Verb.Help) return Reply.of(Kind.ANSWER, help(where.venue(), whoSigns()));
        if (verb instanceof Verb.Windows) return Reply.of(Kind.ANSWER, WindowWords.of(service.policy().windows(), service.now(),
                service.workflow()));
        if (verb instanceof Verb.Reviews) return reviews(by, where);
        if (verb instanceof Verb.Status s && s.id().isPresent()) return status(by, where, s.id().get());
        if (verb instanceof Verb.Open o) return open(by, where, o.draft(), o.once());
        if (verb instanceof Verb.Edit e && e.changes() == null) return editForm(by, e.id());
        throw new IllegalArgumentException("not an answer: " + verb);
    }

    /** Whether {@code verb} changes a request (and so is {@link #act}ed on), rather than answered. */
    private static boolean acts(Verb verb) {
        return Verb.target(verb).isPresent() && !(verb instanceof Verb.Edit e && e.changes() == null);
    }

    /** A command typed wrongly: what is wrong, its usage, and an example where one helps. */
    private static Reply usage(Verb.Usage u, Syntax syntax) {
        var example = u.usage().contains("EMG-n") ? " (e.g. " + syntax.typed(u.command() + " EMG-12") + ")" : "";
        return Reply.refused(Refusal.INVALID, null, u.problem() + "\nUsage: " + u.usage() + example, List.of());
    }

    // ---- questions -------------------------------------------------------------------------------------------

    /** Every command with its usage, in the platform's spelling. */
    public static String help(Venue venue) { return help(venue, null); }

    /** Every command with its usage, in the platform's spelling, then {@code signers} (who approves what), if given. */
    static String help(Venue venue, String signers) {
        var syntax = venue.syntax();
        var out = new StringBuilder("Countersign: emergency deploys, signed off by every team their reason needs.\n");
        for (var command : VerbParser.commands())
            out.append('\n').append(syntax.usage(command)).append("\n    ").append(VerbParser.what(syntax, command));
        out.append("\n");
        if (venue.cardTip() != null) out.append('\n').append(venue.cardTip());
        if (!syntax.opensByForm())
            out.append("\nQuote arguments with spaces: --no-rollback \"the bad change also migrated the schema\".");
        if (signers != null) out.append("\n\n").append(signers).append('\n');
        return out.append('\n').append(ADVICE).toString();
    }

    /**
     * Which teams sign requests of each reason under the policy, and the team words {@code approve} takes: {@code
     * Security issue: SRE, Release Engineering and Security must approve}.
     */
    String whoSigns() {
        var policy = service.policy();
        var workflow = service.workflow();
        var byTeams = new java.util.LinkedHashMap<List<String>, List<String>>();
        for (var reason : policy.reasons().values())
            byTeams.computeIfAbsent(reason.teams(), t -> new java.util.ArrayList<>()).add(reason.label());
        var out = new StringBuilder("Who must approve:");
        byTeams.forEach((teams, reasons) -> out.append("\n    ").append(String.join(", ", reasons)).append(": ")
                .append(workflow.labels(teams)));
        out.append("\nTeams: ").append(policy.teams().values().stream().map(t -> t.label() + " (" + t.key() + ")")
                .collect(Collectors.joining(", ")));
        return out.toString();
    }

    /** The open requests, or the hold: a list is only read, so the action is counted in the list's round trip. */
    private Reply list(Actor by, Where where) {
        var read = throttle.check(by.toString(), (limiter, caller, limit) ->
                service.recent(State.open(), LIST_MAX, limiter, caller, limit));
        if (read.verdict() instanceof Throttle.Refused held) return heldReply(held);
        var open = read.value();
        if (open.isEmpty()) return Reply.of(Kind.ANSWER, "No open emergency requests.");
        var audience = audience(by, where);
        return Reply.of(Kind.ANSWER, cards.list("Open emergency requests:\n", open, r -> Disclosure.seesAll(r, audience),
                hidden(where)));
    }

    /** The requests awaiting a review, the longest due first, overdue ones marked. */
    private Reply reviews(Actor by, Where where) {
        var awaiting = service.awaitingReview();
        if (awaiting.isEmpty()) return Reply.of(Kind.ANSWER, "No request awaits its review.");
        var now = service.now();
        var audience = audience(by, where);
        var teams = service.policy().anyOf(service.policy().review().teams().stream().sorted().toList());
        return Reply.of(Kind.ANSWER, "Awaiting their review (by " + teams + ", not the requester or the deployer: "
                + where.venue().syntax().typed("review EMG-n <follow-up link or task>") + "):\n"
                + awaiting.stream().limit(LIST_MAX).map(r -> (r.reviewOverdue(now) ? "OVERDUE since " : "due ")
                        + UTC_MINUTE.format(r.reviewDue()) + ": " + line(r, audience, where))
                .collect(Collectors.joining("\n")));
    }

    private Reply status(Actor by, Where where, RequestId id) {
        return service.find(id).map(r -> Reply.about(Kind.ANSWER, id, line(r, audience(by, where), where)))
                .orElseGet(() -> Reply.refused(Refusal.NOT_FOUND, id, "There is no request " + id + "; "
                        + where.venue().syntax().typed("list") + " shows the open ones", List.of()));
    }

    private String line(EmergencyRequest r, Audience audience, Where where) {
        return cards.line(r, Disclosure.seesAll(r, audience), hidden(where));
    }

    /** What a list line says in place of a confidential request's summary someone may not see. */
    private static String hidden(Where where) {
        return where.venue().cardsBelow() ? "confidential: details only for its requester and teams"
                : "confidential: details in the security " + where.venue().roomWord();
    }

    // ---- opening ---------------------------------------------------------------------------------------------

    private Reply open(Actor by, Where where, Draft draft, OpenOnce once) {
        var venue = where.venue();
        var reason = service.policy().reason(draft.reason());
        var place = reason.map(Disclosure::placeOf).orElse(Disclosure.Place.OPS);
        if (place == Disclosure.Place.SECURITY && !venue.takesConfidential()) {
            var text = "Security requests go to a private " + venue.roomWord() + " and none is set up ("
                    + venue.securitySetting() + "). Nothing was recorded; ask your Countersign admin.";
            return Reply.refused(Refusal.INVALID, null, text, List.of(new Problem("reason", text)));
        }
        var exposed = place == Disclosure.Place.SECURITY ? venue.privacy().problem() : Optional.<String>empty();
        if (exposed.isPresent()) {
            log.warn("Refused a security request from {}: {}", by, exposed.get());
            var text = "Security requests go to the private security " + venue.roomWord() + ", but " + exposed.get()
                    + ". Nothing was recorded and nothing was posted: make it private, or set " + venue.securitySetting()
                    + " to a private " + venue.roomWord() + " (ask your Countersign admin), then try again.";
            var refused = Reply.refused(Refusal.NOT_ALLOWED, null, text, List.of(new Problem("reason", text)));
            // Typed where everyone reads it: what it is about must not stay there.
            return where.isOpenRoom() ? refused.takingDown() : refused;
        }
        var outcome = service.open(by, draft, once);
        if (outcome instanceof Refused refused)
            return Reply.refused(refused.kind(), null, refusal(refused)
                    + (venue.syntax().opensByForm() ? "" : "\nUsage: " + venue.syntax().usage("emergency")),
                    refused.problems());
        var r = ((Applied) outcome).request();
        var reply = Reply.about(Kind.OPENED, r.id(), r.id() + " is open; it needs " + teams(r.requiredTeams())
                + " to approve. Its card is " + venue.cardLocation(place) + ".");
        // Typed where everyone reads it: what it is about must not stay there.
        return place == Disclosure.Place.SECURITY && where.isOpenRoom() ? reply.takingDown() : reply;
    }

    // ---- acting on a request ---------------------------------------------------------------------------------

    private Reply act(Actor by, Where where, Verb verb) {
        var id = Verb.target(verb).orElseThrow(() -> new IllegalArgumentException("not a verb on a request: " + verb));
        // The action is counted in the round trip that reads the request it acts on.
        var read = throttle.check(by.toString(), (limiter, caller, limit) -> service.find(id, limiter, caller, limit));
        if (read.verdict() instanceof Throttle.Refused held) return heldReply(held);
        var found = read.value();
        var syntax = where.venue().syntax();
        if (verb instanceof Verb.BreakGlass glass && (glass.reason() == null || glass.reason().isBlank()))
            return Reply.about(Kind.ANSWER, id, "To break the glass on " + id + ", write why it cannot wait: "
                    + syntax.typed("break-glass " + id + " <reason>"));
        if (verb instanceof Verb.Reject reject && reject.reason() == null)
            return Reply.about(Kind.ANSWER, id, "To reject " + id + ", say why: " + syntax.typed("reject " + id
                    + " <reason>"));
        var text = Verb.freeText(verb);
        if (text != null && !text.isBlank() && where.isOpenRoom()
                && found.map(EmergencyRequest::confidential).orElse(false))
            return Reply.refused(Refusal.NOT_ALLOWED, id, id + " is confidential: say that in the security "
                    + where.venue().roomWord() + ", not here, so what it is about stays private. Nothing was recorded.",
                    List.of()).takingDown();
        var outcome = service.execute(id, by, command(verb, id), found);
        var request = outcome instanceof Applied a ? Optional.of(a.request())
                : outcome instanceof Unchanged u ? Optional.of(u.request())
                : outcome instanceof Refused r && r.kind() == Refusal.NOT_FOUND ? Optional.<EmergencyRequest>empty()
                : service.find(id); // a refusal does not carry the request; read it only then
        if (request.isPresent() && Disclosure.hidesFrom(request.get(), audience(by, where)))
            return discreet(outcome, id, where);
        if (outcome instanceof Applied a) return Reply.about(Kind.DONE, id, a.message());
        if (outcome instanceof Unchanged u) return Reply.about(Kind.UNCHANGED, id, u.message());
        var refused = (Refused) outcome;
        var hint = verb instanceof Verb.Approve approve && approve.team() == null && refused.kind() == Refusal.INVALID
                ? "\nUse: " + syntax.typed("approve " + id + " <team>") : "";
        return Reply.refused(refused.kind(), id, refusal(refused) + hint, refused.problems());
    }

    /** What {@code verb} asks of request {@code id}, for the member who asks it. */
    private static Function<Member, Command> command(Verb verb, RequestId id) {
        if (verb instanceof Verb.Approve v) return m -> new Command.Approve(id, m, v.team());
        if (verb instanceof Verb.Withdraw v) return m -> new Command.Withdraw(id, m, v.team());
        if (verb instanceof Verb.Edit v) return m -> new Command.EditChanges(id, m, v.changes());
        if (verb instanceof Verb.Reject v) return m -> new Command.Reject(id, m, v.reason());
        if (verb instanceof Verb.Cancel v) return m -> new Command.Cancel(id, m, v.note());
        if (verb instanceof Verb.DeployStarted) return m -> new Command.StartDeploy(id, m);
        if (verb instanceof Verb.DeployEnded v) return m -> new Command.FinishDeploy(id, m, v.result(), v.note());
        if (verb instanceof Verb.Close v) return m -> new Command.Close(id, m, v.note());
        if (verb instanceof Verb.BreakGlass v) return m -> new Command.BreakGlass(id, m, v.reason());
        if (verb instanceof Verb.Review v) return m -> new Command.Review(id, m, v.followUp());
        throw new IllegalArgumentException("not a verb on a request: " + verb);
    }

    /**
     * The form to edit the changes of {@code id}, filled in with the current ones, for someone who may edit them; the
     * form is the person's alone, so what it shows is what they may see, wherever they pressed.
     */
    private Reply editForm(Actor by, RequestId id) {
        var outcome = service.mayEdit(id, by);
        if (outcome instanceof Refused refused) return Reply.refused(refused.kind(), id, refusal(refused), List.of());
        var r = ((Unchanged) outcome).request();
        if (Disclosure.hidesFrom(r, new Audience.Person(service.member(by))))
            return Reply.refused(Refusal.NOT_ALLOWED, id, id + " is confidential, so Countersign shows its changes only "
                    + "to its requester and the members of its teams; nothing was opened.", List.of());
        return Reply.editForm(id, "Edit the changes of " + id + ": its approvals are cleared, so every team approves "
                + "again", r.changes());
    }

    /** The outcome about a confidential request told where its text must not go: what happened, never why. */
    private static Reply discreet(Outcome outcome, RequestId id, Where where) {
        var elsewhere = where.venue().cardsBelow() ? "only to its requester and the members of its teams"
                : "only in the private security " + where.venue().roomWord();
        var about = id + " is confidential, so Countersign speaks of it " + elsewhere;
        if (outcome instanceof Applied) return Reply.about(Kind.DONE, id, "Recorded. " + about + ".");
        if (outcome instanceof Unchanged) return Reply.about(Kind.UNCHANGED, id, "Nothing changed. " + about + ".");
        return Reply.refused(((Refused) outcome).kind(), id, "Nothing was recorded. " + about + ".", List.of());
    }

    private Audience audience(Actor by, Where where) {
        return switch (where.kind()) {
            case ROOM -> new Audience.Room(false);
            case SECURITY_ROOM -> new Audience.Room(true);
            case ALONE -> new Audience.Person(service.member(by));
        };
    }

    /** A refusal with every problem, the first in the sentence and the others below it. */
    private static String refusal(Refused refused) {
        if (refused.problems().size() <= 1) return refused.message();
        return refused.message() + refused.problems().stream().skip(1).map(p -> "\n- " + p.message())
                .collect(Collectors.joining());
    }

    private String teams(List<String> teams) { return service.workflow().labels(teams); }
}
