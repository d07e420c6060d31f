package org.countersign.matrix;

import java.util.Optional;
import org.countersign.app.KeyValues;
import org.countersign.app.OpenOnce;
import org.countersign.app.RequestService;
import org.countersign.app.Throttle;
import org.countersign.chat.Conversation;
import org.countersign.chat.Reply;
import org.countersign.chat.Syntax;
import org.countersign.chat.Venue;
import org.countersign.chat.Verb;
import org.countersign.chat.VerbParser;
import org.countersign.chat.Where;
import org.countersign.domain.Actor;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Matrix adapter's ear for one room event: a {@code !command}, a reaction on a card or the removal of a ✅ that
 * approved is read into a {@link Verb}
 * with the sender's verified Matrix id and handed to the {@link Conversation}; its reply is sent as an
 * {@code m.notice} reply, and a message the reply says to take down is redacted. The bot never answers its own
 * events or any notice (the spec says bots must not answer notices).
 */
final class MatrixBot {
    private static final Logger log = LoggerFactory.getLogger(MatrixBot.class);
    static final String APPROVE_KEY = "✅";
    static final String REJECT_KEY = "❌";
    /** How long a ✅'s removal still withdraws the approval it made: longer than any request waits for approvals. */
    static final java.time.Duration REACTION_MEMORY = java.time.Duration.ofDays(30);
    static final Syntax SYNTAX = Syntax.bang("a Matrix user id", "@alice:example.org",
            id -> MatrixText.isUserId(id) ? Optional.of(Actor.matrix(id)) : Optional.empty());

    private final MatrixClient matrix;
    private final KeyValues kv;
    private final MatrixRooms rooms;
    private final String botUserId;
    private final Conversation conversation;
    private final Venue venue;
    private final RequestService service;

    MatrixBot(RequestService service, MatrixClient matrix, KeyValues kv, MatrixRooms rooms, String botUserId,
              Throttle throttle) {
        this.conversation = new Conversation(service, throttle);
        this.venue = Venue.chat("room", "MATRIX_SECURITY_ROOM_ID", rooms.takesConfidential(), SYNTAX,
                "React " + APPROVE_KEY + " on a card to approve it for your team (remove it to withdraw); "
                        + REJECT_KEY + " tells you how to reject.").watchedBy(rooms.privacy());
        this.service = service;
        this.matrix = matrix;
        this.kv = kv;
        this.rooms = rooms;
        this.botUserId = botUserId;
    }

    /**
     * Handles one timeline event of one of our rooms. It may come again (after a crash mid-command, the next sync holder
     * is handed it once more): what it was answered is remembered as soon as the request service has it, so a second
     * delivery only sends that answer again (the same transaction id, which the homeserver deduplicates) and applies
     * nothing twice; an {@code !emergency} whose answer was not remembered yet is not opened a second time either.
     */
    void handle(String room, SyncResponse.Event event) {
        if (botUserId.equals(event.sender())) return;
        var done = kv.get(doneKey(event.eventId())).flatMap(Done::decode);
        if (done.isPresent()) {
            finish(room, event, done.get());
            return;
        }
        if ("m.room.redaction".equals(event.type())) {
            unvote(room, event);
            return;
        }
        var verb = "m.reaction".equals(event.type()) ? vote(event) : command(event);
        if (verb.isEmpty()) return;
        if (verb.get() instanceof Verb.Open open) verb = Optional.of(once(event, open));
        var reply = conversation.said(Actor.matrix(event.sender()), venue.room(rooms.isSecurityRoom(room)), verb.get());
        if (verb.get() instanceof Verb.Approve approve && "m.reaction".equals(event.type())
                && (reply.kind() == Reply.Kind.DONE || reply.kind() == Reply.Kind.UNCHANGED))
            remember(event, approve.id());
        finish(room, event, record(event, new Done(reply.takeDown(), event.eventId(), reply.say().orElse(""))));
    }

    /** What handling an event came to: whether to take it down, and what to answer to which event. */
    record Done(boolean takeDown, String answerTo, String text) {
        String encode() { return (takeDown ? "1" : "0") + "|" + answerTo + "|" + text; }

        static Optional<Done> decode(String value) {
            var parts = value.split("\\|", 3);
            return parts.length == 3 ? Optional.of(new Done("1".equals(parts[0]), parts[1], parts[2])) : Optional.empty();
        }
    }

    static String doneKey(String eventId) { return "matrix:done:" + eventId; }

    private Done record(SyncResponse.Event event, Done done) {
        kv.put(doneKey(event.eventId()), done.encode(), MatrixSyncLoop.HANDLED_MEMORY);
        return done;
    }

    private void finish(String room, SyncResponse.Event event, Done done) {
        if (done.takeDown()) hide(room, event);
        if (!done.text().isEmpty()) answer(room, done.answerTo(), done.text(), "reply-" + event.eventId());
    }

    /**
     * An {@code !emergency} opens under the id its first handling kept for the event, so a delivery handled again
     * before its answer was remembered answers with the request it opened instead of opening a second one.
     */
    private Verb once(SyncResponse.Event event, Verb.Open open) {
        var key = "matrix:opening:" + event.eventId();
        return new Verb.Open(open.draft(), new OpenOnce() {
            @Override
            public Optional<RequestId> kept() { return kv.get(key).flatMap(RequestId::parse); }

            @Override
            public RequestId keep(RequestId fresh) {
                if (kv.putIfAbsent(key, fresh.toString(), MatrixSyncLoop.HANDLED_MEMORY)) return fresh;
                return kept().orElse(fresh);
            }
        });
    }

    /** Which request a ✅ that approved (or found the approval made) stands for, and whose it is, for its removal. */
    static String approvalReactionKey(String reactionEventId) { return "matrix:approval-reaction:" + reactionEventId; }

    private void remember(SyncResponse.Event reaction, RequestId id) {
        var card = reaction.relatesTo().path("event_id").asText("");
        kv.put(approvalReactionKey(reaction.eventId()), id + "|" + reaction.sender() + "|" + card, REACTION_MEMORY);
    }

    /**
     * A redaction of a ✅ that approved is its sender taking the approval back: withdrawn, if the request still waits.
     * Someone else's redaction (a moderator's) withdraws nothing. Only a refusal that matters is said (the request was
     * approved meanwhile); a ✅ whose approval is already gone goes quietly.
     */
    private void unvote(String room, SyncResponse.Event redaction) {
        if (redaction.redacts() == null) return;
        var key = approvalReactionKey(redaction.redacts());
        var remembered = kv.get(key).map(v -> v.split("\\|", 3)).filter(parts -> parts.length == 3);
        if (remembered.isEmpty() || !remembered.get()[1].equals(redaction.sender())) return;
        var id = RequestId.parse(remembered.get()[0]);
        if (id.isEmpty()) return;
        var reply = conversation.said(Actor.matrix(redaction.sender()), venue.room(rooms.isSecurityRoom(room)),
                new Verb.Withdraw(id.get(), null));
        var card = remembered.get()[2];
        var quiet = reply.refused() && reply.refusal() == Outcome.Refusal.NOT_ALLOWED;
        var done = record(redaction, new Done(false, card.isEmpty() ? redaction.eventId() : card,
                quiet ? "" : reply.say().orElse("")));
        kv.delete(key);
        finish(room, redaction, done);
    }

    /**
     * A {@code !command} in a message that is not a notice; empty for ordinary chat and other bots' commands. A reply's
     * quoted fallback ({@code > <@alice:example.org> ...}) is not part of what was typed.
     */
    private static Optional<Verb> command(SyncResponse.Event event) {
        if (!"m.room.message".equals(event.type()) || "m.notice".equals(event.msgtype()) || event.body() == null)
            return Optional.empty();
        var body = event.relatesTo().has("m.in_reply_to") ? MatrixText.withoutReplyFallback(event.body()) : event.body();
        return VerbParser.parse(body, SYNTAX);
    }

    /** ✅ on a card approves for the one team still needed; ❌ asks for the reason. */
    private Optional<Verb> vote(SyncResponse.Event event) {
        var relation = event.relatesTo();
        if (relation == null || !"m.annotation".equals(relation.path("rel_type").asText())) return Optional.empty();
        var key = relation.path("key").asText("");
        var cardEvent = relation.path("event_id").asText("");
        if (!key.startsWith(APPROVE_KEY) && !key.startsWith(REJECT_KEY)) return Optional.empty();
        var request = kv.get(MatrixCards.cardEventKey(cardEvent)).flatMap(RequestId::parse);
        if (request.isEmpty()) return Optional.empty();
        return Optional.of(key.startsWith(APPROVE_KEY) ? new Verb.Approve(request.get(), null)
                : new Verb.Reject(request.get(), null));
    }

    /**
     * A message about a confidential request, typed where everyone reads: take it down where the bot may. Where it may
     * not (by default only moderators redact others' messages), its sender is asked to, so it does not stay up unseen.
     */
    private void hide(String room, SyncResponse.Event event) {
        try {
            matrix.redact(room, event.eventId(), "confidential: moved to the security room", "hide-" + event.eventId());
        } catch (MatrixException e) {
            log.warn("could not redact a confidential message typed in {}: {}", room, e.getMessage());
            if (e.status() == 403) answer(room, event.eventId(), CANNOT_HIDE, "unhidden-" + event.eventId());
        }
    }

    static final String CANNOT_HIDE = "Please delete your message: it is about a confidential request, and Countersign "
            + "may not remove it here (give it the power to redact others' messages in this room, as a moderator has).";

    private void answer(String room, String toEventId, String text, String txnId) {
        var content = MatrixReplies.replyTo(toEventId, MatrixText.plain(text, 4000));
        for (int attempt = 1; ; attempt++) {
            try {
                matrix.send(room, "m.room.message", content, txnId);
                return;
            } catch (MatrixException e) {
                // The same transaction id makes a second try safe; wait a little when told to, then give up.
                if (attempt < 3 && e.retryable()) {
                    pause(e.retryAfter().orElse(java.time.Duration.ofMillis(500)));
                    continue;
                }
                log.warn("could not answer {} in {}: {}", toEventId, room, e.getMessage());
                return;
            }
        }
    }

    private static void pause(java.time.Duration d) {
        try {
            Thread.sleep(Math.min(5_000, Math.max(1, d.toMillis())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
