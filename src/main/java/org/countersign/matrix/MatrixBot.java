package org.countersign.matrix;

import java.util.Optional;
import java.util.stream.Collectors;
import org.countersign.app.KeyValues;
import org.countersign.app.RequestService;
import org.countersign.app.StoreUnavailable;
import org.countersign.app.Throttle;
import org.countersign.chat.Cards;
import org.countersign.domain.Actor;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Outcome;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Outcome.Refused;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Matrix adapter's brain for one room event: a {@code !command} or a reaction on a card becomes a call to
 * the service with the sender's verified Matrix id, and the answer is an {@code m.notice} reply. The bot
 * never answers its own events or any notice (the spec says bots must not answer notices).
 */
final class MatrixBot {
    private static final Logger log = LoggerFactory.getLogger(MatrixBot.class);
    static final String APPROVE_KEY = "✅";
    static final String REJECT_KEY = "❌";
    static final String UNAVAILABLE = "State store unavailable; nothing was recorded, try again in a moment.";

    private final RequestService service;
    private final MatrixClient matrix;
    private final KeyValues kv;
    private final MatrixRooms rooms;
    private final String botUserId;
    private final Throttle throttle;
    private final Cards lines;

    MatrixBot(RequestService service, MatrixClient matrix, KeyValues kv, MatrixRooms rooms, String botUserId,
              Throttle throttle) {
        this.throttle = throttle;
        this.lines = new Cards(service.workflow());
        this.service = service;
        this.matrix = matrix;
        this.kv = kv;
        this.rooms = rooms;
        this.botUserId = botUserId;
    }

    /** Handles one timeline event of one of our rooms. */
    void handle(String room, SyncResponse.Event event) {
        if (botUserId.equals(event.sender())) return;
        if (!isCommandOrVote(event)) return;
        if (throttle.check("matrix:" + event.sender()) instanceof Throttle.Refused refused) {
            if (refused.tell()) reply(room, event, refused.message());
            return;
        }
        try {
            if ("m.reaction".equals(event.type())) reaction(room, event);
            else if ("m.room.message".equals(event.type()) && !"m.notice".equals(event.msgtype())) message(room, event);
        } catch (StoreUnavailable e) {
            reply(room, event, UNAVAILABLE);
        }
    }

    private static boolean isCommandOrVote(SyncResponse.Event event) {
        if ("m.reaction".equals(event.type())) return true;
        return "m.room.message".equals(event.type()) && !"m.notice".equals(event.msgtype())
                && event.body() != null && event.body().stripLeading().startsWith("!");
    }

    private void message(String room, SyncResponse.Event event) {
        var parsed = MatrixCommand.parse(event.body());
        if (parsed.isEmpty()) return;
        var by = Actor.matrix(event.sender());
        var command = parsed.get();
        String answer;
        if (command instanceof MatrixCommand.Usage u) {
            answer = u.problem() + "\nUsage: " + u.usage();
        } else if (command instanceof MatrixCommand.Help) {
            answer = MatrixCommand.help();
        } else if (command instanceof MatrixCommand.ListRequests) {
            answer = list(room);
        } else if (command instanceof MatrixCommand.Status s) {
            answer = s.id().map(id -> service.find(id).map(r -> statusLine(r, room)).orElse("There is no request " + id + "."))
                    .orElseGet(() -> list(room));
        } else if (command instanceof MatrixCommand.Emergency e) {
            answer = open(room, event, by, e);
        } else {
            answer = act(by, command).orElse(null);
        }
        if (answer != null) reply(room, event, answer);
    }

    private String open(String room, SyncResponse.Event event, Actor by, MatrixCommand.Emergency e) {
        var draft = e.draft();
        var confidential = service.policy().reason(draft.reason()).map(r -> r.confidential()).orElse(false);
        if (confidential && !rooms.takesConfidential())
            return "Security requests go to a private room and none is set up (MATRIX_SECURITY_ROOM_ID). Nothing was "
                    + "recorded; ask your Countersign admin.";
        var outcome = service.open(by, draft);
        if (outcome instanceof Refused refused) return refusal(refused) + "\nUsage: " + MatrixCommand.usage("emergency");
        var request = ((Applied) outcome).request();
        if (confidential && !rooms.isSecurityRoom(room)) hide(room, event);
        return outcome.message() + (confidential ? " Its card is in the security room." : "");
    }

    /** A confidential request typed in the public room: take the message down where the bot may. */
    private void hide(String room, SyncResponse.Event event) {
        try {
            matrix.redact(room, event.eventId(), "confidential: moved to the security room", "hide-" + event.eventId());
        } catch (MatrixException e) {
            log.warn("could not redact a confidential request typed in {}: {}", room, e.getMessage());
        }
    }

    /** Commands on an existing request: silent when they worked (the card and its thread say so). */
    private Optional<String> act(Actor by, MatrixCommand command) {
        Outcome outcome;
        if (command instanceof MatrixCommand.Approve c) outcome = service.approve(c.id(), by, c.team());
        else if (command instanceof MatrixCommand.Reject c) outcome = service.reject(c.id(), by, c.reason());
        else if (command instanceof MatrixCommand.Cancel c) outcome = service.cancel(c.id(), by, c.note());
        else if (command instanceof MatrixCommand.DeployStarted c) outcome = service.startDeploy(c.id(), by);
        else if (command instanceof MatrixCommand.DeployEnded c) outcome = service.finishDeploy(c.id(), by, c.result(), c.note());
        else if (command instanceof MatrixCommand.Close c) outcome = service.close(c.id(), by, c.note());
        else throw new IllegalArgumentException("not a command on a request: " + command);
        return outcome instanceof Applied ? Optional.empty()
                : Optional.of(outcome instanceof Refused r ? refusal(r) : outcome.message());
    }

    private void reaction(String room, SyncResponse.Event event) {
        var relation = event.relatesTo();
        if (relation == null || !"m.annotation".equals(relation.path("rel_type").asText())) return;
        var key = relation.path("key").asText("");
        var cardEvent = relation.path("event_id").asText("");
        var request = kv.get(MatrixCards.cardEventKey(cardEvent)).flatMap(RequestId::parse);
        if (request.isEmpty()) return;
        var id = request.get();
        if (key.startsWith(APPROVE_KEY)) {
            var outcome = service.approve(id, Actor.matrix(event.sender()), null);
            if (outcome instanceof Applied) return;
            var text = outcome instanceof Refused r ? refusal(r) : outcome.message();
            if (outcome instanceof Refused r && r.kind() == Outcome.Refusal.INVALID)
                text += "\nUse: !approve " + id + " <team>";
            reply(room, event, text);
        } else if (key.startsWith(REJECT_KEY)) {
            reply(room, event, "To reject " + id + ", say why: !reject " + id + " <reason>");
        }
    }

    private String refusal(Refused refused) {
        if (refused.problems().size() <= 1) return refused.message();
        return refused.message() + refused.problems().stream().skip(1).map(p -> "\n- " + p.message())
                .collect(Collectors.joining());
    }

    private String list(String room) {
        var open = service.recent(State.open(), 20);
        if (open.isEmpty()) return "No open emergency requests.";
        return "Open emergency requests:\n" + open.stream().map(r -> statusLine(r, room)).collect(Collectors.joining("\n"));
    }

    private String statusLine(EmergencyRequest r, String room) {
        return lines.line(r, rooms.isSecurityRoom(room), "(confidential: details in the security room)");
    }

    private void reply(String room, SyncResponse.Event to, String text) {
        var content = MatrixReplies.replyTo(to.eventId(), MatrixText.plain(text, 4000));
        for (int attempt = 1; ; attempt++) {
            try {
                matrix.send(room, "m.room.message", content, "reply-" + to.eventId());
                return;
            } catch (MatrixException e) {
                // The same transaction id makes a second try safe; wait a little when told to, then give up.
                if (attempt < 3 && e.retryable()) {
                    pause(e.retryAfter().orElse(java.time.Duration.ofMillis(500)));
                    continue;
                }
                log.warn("could not answer {} in {}: {}", to.eventId(), room, e.getMessage());
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
