package org.countersign.chat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import org.countersign.app.CardLedger;
import org.countersign.app.KeyValues;
import org.countersign.app.Leases;
import org.countersign.app.RequestService;
import org.countersign.app.StreamConsumer;
import org.countersign.domain.Disclosure;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;
import org.countersign.domain.RequestId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each request's card on one platform true: posts it when first needed, updates it in place on every later
 * event, and posts one short threaded reply per event so people are notified. Driven by the events stream, so it
 * never slows an ack; idempotent per event, so a redelivered event neither repeats nor loses anything. Instances
 * share the events, so each holds a card's lease while it works on it, renewed while a platform call is slow. Before a
 * new card is posted a note says so under the card's key: whoever finds that note instead of a card asks the platform
 * for the card ({@link CardSurface#find}) before posting, so a crash between the post and its note makes no second card
 * where the platform can tell. The platform is a {@link CardSurface}.
 */
public final class CardPublisher implements StreamConsumer.Handler {
    private static final Logger log = LoggerFactory.getLogger(CardPublisher.class);
    /** How many of the newest requests {@link #catchUp} looks at. */
    static final int CATCH_UP_MAX = 200;
    static final Duration CARD_LEASE = Duration.ofSeconds(30);
    static final Duration CARD_BUSY = Duration.ofMillis(100);
    static final Duration REPLY_MEMORY = Duration.ofDays(30);

    private final RequestService service;
    private final Cards cards;
    private final CardSurface surface;
    private final KeyValues kv;
    private final Leases leases;
    private final CardLedger ledger;
    private final String instance;
    private final Notices notices;
    private final Duration lease;
    private final ScheduledExecutorService renewals;

    /** @param instance this instance's name, as holder of card leases */
    public CardPublisher(RequestService service, Cards cards, CardSurface surface, KeyValues kv, Leases leases,
                         CardLedger ledger, String instance) {
        this(service, cards, surface, kv, leases, ledger, instance, CARD_LEASE);
    }

    /** With card leases of {@code lease} (tests shorten it). */
    CardPublisher(RequestService service, Cards cards, CardSurface surface, KeyValues kv, Leases leases,
                  CardLedger ledger, String instance, Duration lease) {
        this.service = service;
        this.cards = cards;
        this.surface = surface;
        this.kv = kv;
        this.leases = leases;
        this.ledger = ledger;
        this.instance = instance;
        this.notices = new Notices(service::policy);
        this.lease = lease;
        this.renewals = LeaseRenewal.scheduler(surface.platform());
    }

    /** The consumer group of a platform's card publisher: {@code slack-cards}. */
    public static String group(String platform) { return platform + "-cards"; }

    /** Also the name of the card's lease, so instances of every version exclude each other. */
    static String cardKey(String platform, RequestId id) { return platform + ":card:" + id; }

    static String replyKey(String platform, Event event) { return platform + ":reply:" + event.id(); }

    @Override
    public void handle(Event event) {
        // One step takes the lease and reads the request, the card and the reply note: two round trips per event in all.
        var lease = cardKey(surface.platform(), event.request());
        var begun = ledger.begin(event.request(), lease, instance, this.lease, lease, replyKey(surface.platform(), event));
        boolean release = begun.leased();
        var renewal = begun.leased() ? LeaseRenewal.start(renewals, leases, lease, instance, this.lease) : null;
        try {
            if (begun.request().isEmpty()) return;
            var found = begun.request().get();
            var place = surface.place(found);
            if (place.isEmpty()) return;
            var held = surface.heldBack(found);
            if (held.isPresent()) {
                // Not retried: a retry would hold up every other card; catchUp shows it once the room is private again.
                log.warn("{} card of {} held back ({} {}): {}", surface.platform(), event.request(), event.type().wire(),
                        event.id(), held.get());
                return;
            }
            // Two instances on events of one request would both post the card, or one would show an older version last.
            if (!begun.leased())
                throw new StreamConsumer.RetryLater("another instance is updating the " + surface.platform()
                        + " card of " + event.request(), CARD_BUSY);
            release = !publish(event, found, place.get(), begun, renewal);
            if (event.type() == EventType.REQUEST_BREAK_GLASS) announceBreakGlass(event, found);
        } finally {
            if (renewal != null) renewal.close();
            if (release) ledger.release(lease, instance);
        }
    }

    /**
     * Shows the newest version and sends the event's reply, then stores both in one step that also says whether a newer
     * version came meanwhile (then shows that too). True when that step gave the lease up.
     */
    private boolean publish(Event event, EmergencyRequest found, String place, CardLedger.Begun begun,
                            LeaseRenewal renewal) {
        var key = cardKey(surface.platform(), found.id());
        var ref = stored(begun.card(), place, found);
        boolean replied = begun.replied() || event.type() == EventType.REQUEST_OPENED;
        boolean releaseAtEnd = event.type() != EventType.REQUEST_BREAK_GLASS;
        var current = found;
        while (true) {
            var before = ref;
            // Lost during a slow call: the holder now shows the newest version, so stop before calling over it.
            if (renewal.lost()) throw new StreamConsumer.RetryLater("the lease on the " + surface.platform()
                    + " card of " + found.id() + " expired during a slow call", CARD_BUSY);
            ref = show(key, ref, current, place);
            String reply = null;
            if (!replied) {
                // A card just posted is noted before the reply, so a failed reply never makes a second card on retry.
                if (before == null) kv.put(key, ref.text(), null);
                reply = surface.reply(ref, event, found).orElse(null);
                replied = true;
            }
            var newer = ledger.finish(new CardLedger.Done(found.id(), key, instance, lease, key, ref.text(),
                    ref.version(), reply == null ? null : replyKey(surface.platform(), event), reply, REPLY_MEMORY,
                    releaseAtEnd));
            if (newer.isEmpty()) return releaseAtEnd;
            current = newer.get();
        }
    }

    /** Posts the card (noting first that a post begins), or updates it, so that it shows {@code current}. */
    private CardRef show(String key, CardRef ref, EmergencyRequest current, String place) {
        if (ref != null && ref.version() >= current.version()) return ref;
        var card = cards.of(current);
        if (ref == null) {
            kv.put(key, CardRef.posting(service.now()), null);
            return surface.post(place, card, current);
        }
        surface.update(ref, card, current);
        return ref.showing(current.version());
    }

    /**
     * The card under the card key: its reference; or, when a post was begun and never noted, the card the platform
     * finds (shown as version 0, so it is brought up to date); else null, and the card is to be posted.
     */
    private CardRef stored(Optional<String> value, String place, EmergencyRequest request) {
        if (value.isEmpty()) return null;
        var ref = CardRef.parse(value.get());
        if (ref.isPresent()) return ref.get();
        var since = CardRef.postingSince(value.get());
        if (since.isEmpty()) return null;
        var found = surface.find(place, request, since.get());
        if (found.isPresent()) {
            log.info("{} card of {} found after a post that was not noted: {}", surface.platform(), request.id(),
                    found.get().message());
            return found.get().showing(0);
        }
        log.info("{} card of {}: a post begun at {} was not noted and the platform shows none; posting it",
                surface.platform(), request.id(), since.get());
        return null;
    }

    /**
     * Brings every confidential card among the newest requests up to date: posts those held back while the security
     * room was not private, and updates those that missed a change. Their thread notices of that time are not sent.
     */
    public void catchUp() {
        for (var request : service.recent(Set.of(), CATCH_UP_MAX)) {
            if (Disclosure.placeOf(request) != Disclosure.Place.SECURITY) continue;
            var place = surface.place(request);
            if (place.isEmpty() || surface.heldBack(request).isPresent()) continue;
            var shown = kv.get(cardKey(surface.platform(), request.id())).flatMap(CardRef::parse);
            if (shown.isPresent() && shown.get().version() >= request.version()) continue;
            var lease = cardKey(surface.platform(), request.id());
            if (!leases.acquire(lease, instance, this.lease)) continue; // another instance is showing it
            try (var renewal = LeaseRenewal.start(renewals, leases, lease, instance, this.lease)) {
                showLatest(request, place.get());
                log.info("{} card of {} shown after it was held back", surface.platform(), request.id());
            } catch (RuntimeException e) {
                log.warn("could not show the held-back {} card of {}: {}", surface.platform(), request.id(),
                        e.getMessage());
            } finally {
                leases.release(lease, instance);
            }
        }
    }

    /** Posts or updates the card until it shows the newest version, even when another instance raced us. */
    private CardRef showLatest(EmergencyRequest request, String place) {
        var key = cardKey(surface.platform(), request.id());
        var ref = stored(kv.get(key), place, request);
        var current = request;
        while (ref == null || ref.version() < current.version()) {
            ref = show(key, ref, current, place);
            kv.put(key, ref.text(), null);
            current = service.find(request.id()).orElse(current);
        }
        return ref;
    }

    /**
     * A break-glass is loud: told at the top of the ops and of the security channel or room, once each. In the ops one,
     * the reason of a confidential request is left out, as the Disclosure rule says.
     */
    private void announceBreakGlass(Event event, EmergencyRequest request) {
        if (request.breakGlass() == null) return;
        for (var place : Disclosure.Place.values()) {
            var room = surface.room(place);
            if (room.isEmpty()) continue;
            var key = announceKey(surface.platform(), event, place);
            if (kv.get(key).isPresent()) continue;
            var seesAll = Disclosure.seesAll(request, new Disclosure.Audience.Room(place == Disclosure.Place.SECURITY));
            var sent = surface.announce(room.get(), notices.breakGlass(request, seesAll), event);
            kv.put(key, sent, REPLY_MEMORY);
        }
    }

    static String announceKey(String platform, Event event, Disclosure.Place place) {
        return platform + ":announce:" + event.id() + ":" + place.name().toLowerCase(java.util.Locale.ROOT);
    }

    private void reply(Event event, EmergencyRequest request, CardRef ref) {
        var key = replyKey(surface.platform(), event);
        if (kv.get(key).isPresent()) return;
        surface.reply(ref, event, request).ifPresent(sent -> kv.put(key, sent, REPLY_MEMORY));
    }
}
