package org.countersign.matrix;

import java.util.Optional;
import java.util.stream.Collectors;
import org.countersign.app.KeyValues;
import org.countersign.app.RequestService;
import org.countersign.app.StreamConsumer;
import org.countersign.chat.Card;
import org.countersign.chat.Cards;
import org.countersign.chat.Notices;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;
import org.countersign.domain.RequestId;

/**
 * Keeps each request's Matrix card true: an {@code m.notice} posted when first needed and edited in place
 * ({@code m.replace}) on every later event, plus a short notice in the card's thread per event. Transaction
 * ids come from the card and event ids, so a redelivered event is deduplicated by the homeserver itself.
 */
public final class MatrixCards implements StreamConsumer.Handler {
    public static final String GROUP = "matrix-cards";

    private final RequestService service;
    private final Cards cards;
    private final MatrixCard renderer = new MatrixCard();
    private final Notices notices;
    private final MatrixClient matrix;
    private final KeyValues kv;
    private final MatrixRooms rooms;

    static final java.time.Duration CARD_LEASE = java.time.Duration.ofSeconds(30);
    static final java.time.Duration CARD_BUSY = java.time.Duration.ofMillis(100);

    private final org.countersign.app.Leases leases;
    private final String instance;

    /** @param instance this instance's name, as holder of card leases */
    public MatrixCards(RequestService service, Cards cards, MatrixClient matrix, KeyValues kv, MatrixRooms rooms,
                       org.countersign.app.Leases leases, String instance) {
        this.leases = leases;
        this.instance = instance;
        this.service = service;
        this.cards = cards;
        this.notices = new Notices(service.policy());
        this.matrix = matrix;
        this.kv = kv;
        this.rooms = rooms;
    }

    /** Where a request's card is: room, event id, and the request version it shows. */
    record CardRef(String room, String eventId, long version) {
        static Optional<CardRef> parse(String text) {
            var parts = text.split(" ");
            return parts.length == 3 ? Optional.of(new CardRef(parts[0], parts[1], Long.parseLong(parts[2])))
                    : Optional.empty();
        }

        String text() { return room + " " + eventId + " " + version; }
    }

    static String cardKey(RequestId id) { return "matrix:card:" + id; }

    /** Which request a card event shows, for reactions on it. */
    static String cardEventKey(String eventId) { return "matrix:card-event:" + eventId; }

    @Override
    public void handle(Event event) {
        var found = service.find(event.request());
        if (found.isEmpty()) return;
        var room = rooms.forRequest(found.get());
        if (room.isEmpty()) return;
        // As for Slack: two instances on one request's events must not show an older version last.
        var lease = cardKey(event.request());
        if (!leases.acquire(lease, instance, CARD_LEASE))
            throw new StreamConsumer.RetryLater("another instance is editing the card of " + event.request(), CARD_BUSY);
        try {
            var ref = showLatest(found.get(), room.get());
            if (event.type() != EventType.REQUEST_OPENED) notice(event, found.get(), ref);
        } finally {
            leases.release(lease, instance);
        }
    }

    private CardRef showLatest(EmergencyRequest request, String room) {
        var key = cardKey(request.id());
        var ref = kv.get(key).flatMap(CardRef::parse).orElse(null);
        var current = request;
        while (ref == null || ref.version() < current.version()) {
            var card = cards.of(current);
            if (ref == null) {
                var content = renderer.content(card);
                var eventId = MatrixCalls.call("post the card of " + request.id(),
                        () -> matrix.send(room, "m.room.message", content, "card-" + request.id()));
                kv.put(cardEventKey(eventId), request.id().toString(), null);
                ref = new CardRef(room, eventId, current.version());
            } else {
                var at = ref;
                var version = current.version();
                var content = renderer.edit(card, at.eventId());
                MatrixCalls.call("edit the card of " + request.id(),
                        () -> matrix.send(at.room(), "m.room.message", content, "edit-" + request.id() + "-v" + version));
                ref = new CardRef(ref.room(), ref.eventId(), version);
            }
            kv.put(key, ref.text(), null);
            current = service.find(request.id()).orElse(current);
        }
        return ref;
    }

    private void notice(Event event, EmergencyRequest request, CardRef ref) {
        var parts = notices.of(event, request);
        if (parts.isEmpty()) return;
        var body = parts.get().stream().map(p -> p instanceof Card.Person person ? MatrixText.name(person.actor())
                : ((Card.Text) p).text()).collect(Collectors.joining());
        var html = parts.get().stream().map(p -> p instanceof Card.Person person ? MatrixText.pill(person.actor())
                : MatrixText.html(MatrixText.clean(((Card.Text) p).text()))).collect(Collectors.joining());
        var content = MatrixReplies.notice(MatrixText.plain(body, 4000), html);
        var thread = content.putObject("m.relates_to");
        thread.put("rel_type", "m.thread").put("event_id", ref.eventId()).put("is_falling_back", true);
        thread.putObject("m.in_reply_to").put("event_id", ref.eventId());
        MatrixCalls.call("post a notice on " + request.id(),
                () -> matrix.send(ref.room(), "m.room.message", content, "notice-" + event.id()));
    }
}
