package org.countersign.matrix;

import java.util.Optional;
import org.countersign.app.KeyValues;
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

    MatrixBot(RequestService service, MatrixClient matrix, KeyValues kv, MatrixRooms rooms, String botUserId,
              Throttle throttle) {
        this.conversation = new Conversation(service, throttle);
        this.venue = Venue.chat("room", "MATRIX_SECURITY_ROOM_ID", rooms.takesConfidential(), SYNTAX,
                "React " + APPROVE_KEY + " on a card to approve it for your team (remove it to withdraw); "
                        + REJECT_KEY + " tells you how to reject.").watchedBy(rooms.privacy());
        this.matrix = matrix;
        this.kv = kv;
        this.rooms = rooms;
        this.botUserId = botUserId;
    }

    /** Handles one timeline event of one of our rooms. */
    void handle(String room, SyncResponse.Event event) {
        if (botUserId.equals(event.sender())) return;
        if ("m.room.redaction".equals(event.type())) {
            unvote(room, event);
            return;
        }
        var verb = "m.reaction".equals(event.type()) ? vote(event) : command(event);
        if (verb.isEmpty()) return;
        var reply = conversation.said(Actor.matrix(event.sender()), venue.room(rooms.isSecurityRoom(room)), verb.get());
        if (reply.takeDown()) hide(room, event);
        if (verb.get() instanceof Verb.Approve approve && "m.reaction".equals(event.type())
                && (reply.kind() == Reply.Kind.DONE || reply.kind() == Reply.Kind.UNCHANGED))
            remember(event, approve.id());
        reply.say().ifPresent(text -> answer(room, event.eventId(), text, "reply-" + event.eventId()));
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
        kv.delete(key);
        var reply = conversation.said(Actor.matrix(redaction.sender()), venue.room(rooms.isSecurityRoom(room)),
                new Verb.Withdraw(id.get(), null));
        if (reply.refused() && reply.refusal() == Outcome.Refusal.NOT_ALLOWED) return;
        var card = remembered.get()[2];
        reply.say().ifPresent(text -> answer(room, card.isEmpty() ? redaction.eventId() : card, text,
                "reply-" + redaction.eventId()));
    }

    /** A {@code !command} in a message that is not a notice; empty for ordinary chat and other bots' commands. */
    private static Optional<Verb> command(SyncResponse.Event event) {
        if (!"m.room.message".equals(event.type()) || "m.notice".equals(event.msgtype()) || event.body() == null)
            return Optional.empty();
        return VerbParser.parse(event.body(), SYNTAX);
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

    /** A message about a confidential request, typed where everyone reads: take it down where the bot may. */
    private void hide(String room, SyncResponse.Event event) {
        try {
            matrix.redact(room, event.eventId(), "confidential: moved to the security room", "hide-" + event.eventId());
        } catch (MatrixException e) {
            log.warn("could not redact a confidential message typed in {}: {}", room, e.getMessage());
        }
    }

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
