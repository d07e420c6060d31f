package org.countersign.matrix;

import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.countersign.app.KeyValues;
import org.countersign.chat.Card;
import org.countersign.chat.CardPublisher;
import org.countersign.chat.CardRef;
import org.countersign.chat.CardSurface;
import org.countersign.chat.Notices;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.Platform;
import org.countersign.domain.Policy;

/**
 * Matrix's side of the {@link CardPublisher}: the card as an {@code m.notice} edited in place ({@code m.replace}),
 * and each notice in the card's thread. Transaction ids come from the card and event ids, so a repeated send is
 * deduplicated by the homeserver itself. Each card event is remembered with its request, for reactions on it.
 */
public final class MatrixCards implements CardSurface {
    static final String PLATFORM = "matrix";
    public static final String GROUP = CardPublisher.group(PLATFORM);

    private final MatrixClient matrix;
    private final MatrixRooms rooms;
    private final KeyValues kv;
    private final MatrixCard renderer = new MatrixCard();
    private final Notices notices;

    public MatrixCards(MatrixClient matrix, Supplier<Policy> policy, MatrixRooms rooms, KeyValues kv) {
        this.matrix = matrix;
        this.rooms = rooms;
        this.kv = kv;
        this.notices = new Notices(policy);
    }

    /** Which request a card event shows, for reactions on it. */
    static String cardEventKey(String eventId) { return "matrix:card-event:" + eventId; }

    @Override
    public String platform() { return PLATFORM; }

    @Override
    public Optional<String> place(EmergencyRequest request) { return rooms.forRequest(request); }

    @Override
    public Optional<String> heldBack(EmergencyRequest request) { return rooms.heldBack(request); }

    @Override
    public CardRef post(String room, Card card, EmergencyRequest request) {
        var content = renderer.content(card);
        var eventId = MatrixCalls.call("post the card of " + request.id(),
                () -> matrix.send(room, "m.room.message", content, "card-" + request.id()));
        kv.put(cardEventKey(eventId), request.id().toString(), null);
        return new CardRef(room, eventId, request.version());
    }

    /**
     * None: a card's transaction id is {@code card-<request>}, and the homeserver answers a repeated send with the same
     * token and transaction id with the event it made the first time (client-server spec, transaction identifiers), so
     * posting again after a post that was never noted returns the card already there. The homeserver remembers
     * transaction ids for a limited time only, so a post retried much later may show a second card.
     */
    @Override
    public Optional<CardRef> find(String room, EmergencyRequest request, java.time.Instant since) {
        return Optional.empty();
    }

    @Override
    public void update(CardRef ref, Card card, EmergencyRequest request) {
        var content = renderer.edit(card, ref.message());
        MatrixCalls.call("edit the card of " + request.id(), () -> matrix.send(ref.place(), "m.room.message", content,
                "edit-" + request.id() + "-v" + request.version()));
    }

    @Override
    public Optional<String> room(org.countersign.domain.Disclosure.Place place) { return rooms.room(place); }

    @Override
    public String announce(String room, java.util.List<Card.Value> notice, Event event) {
        var content = notice(notice);
        return MatrixCalls.call("announce " + event.type().wire() + " of " + event.request(),
                () -> matrix.send(room, "m.room.message", content, "announce-" + event.id() + "-"
                        + Integer.toHexString(room.hashCode())));
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode notice(java.util.List<Card.Value> parts) {
        var body = parts.stream().map(MatrixCards::plain).collect(Collectors.joining());
        var html = parts.stream().map(MatrixCards::html).collect(Collectors.joining());
        return MatrixReplies.notice(MatrixText.plain(body, 4000), html);
    }

    @Override
    public Optional<String> reply(CardRef ref, Event event, EmergencyRequest request) {
        return notices.of(event, request).map(parts -> {
            var content = notice(parts);
            // Only a reminder mentions anyone (the policy's listed users of the teams it calls on), and the expiry
            // warning its requester: the notices people must act on.
            var called = new java.util.ArrayList<>(parts.stream().filter(p -> p instanceof Card.TeamCall)
                    .flatMap(p -> matrixUsers((Card.TeamCall) p)).distinct().toList());
            if (event.type() == org.countersign.domain.EventType.REQUEST_EXPIRY_WARNED
                    && request.requester().platform() == Platform.MATRIX && MatrixText.isUserId(request.requester().id()))
                called.add(request.requester().id());
            if (!called.isEmpty()) {
                var ids = ((com.fasterxml.jackson.databind.node.ObjectNode) content.get("m.mentions")).putArray("user_ids");
                called.forEach(ids::add);
            }
            var thread = content.putObject("m.relates_to");
            thread.put("rel_type", "m.thread").put("event_id", ref.message()).put("is_falling_back", true);
            thread.putObject("m.in_reply_to").put("event_id", ref.message());
            return MatrixCalls.call("post a notice on " + request.id(),
                    () -> matrix.send(ref.place(), "m.room.message", content, "notice-" + event.id()));
        });
    }

    private static java.util.stream.Stream<String> matrixUsers(Card.TeamCall call) {
        return call.members().stream().filter(a -> a.platform() == Platform.MATRIX && MatrixText.isUserId(a.id()))
                .map(a -> a.id());
    }

    private static String plain(Card.Value p) {
        if (p instanceof Card.Person person) return MatrixText.name(person.actor());
        if (p instanceof Card.TeamCall call) {
            var users = matrixUsers(call).toList();
            return MatrixText.clean(call.label()) + (users.isEmpty() ? "" : " (" + String.join(" ", users) + ")");
        }
        return ((Card.Text) p).text();
    }

    private static String html(Card.Value p) {
        if (p instanceof Card.Person person) return MatrixText.pill(person.actor());
        if (p instanceof Card.TeamCall call) {
            var pills = call.members().stream().filter(a -> a.platform() == Platform.MATRIX && MatrixText.isUserId(a.id()))
                    .map(MatrixText::pill).toList();
            return MatrixText.html(MatrixText.clean(call.label())) + (pills.isEmpty() ? "" : " (" + String.join(" ", pills) + ")");
        }
        return MatrixText.html(MatrixText.clean(((Card.Text) p).text()));
    }
}
