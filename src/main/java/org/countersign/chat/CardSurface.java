package org.countersign.chat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.countersign.domain.Disclosure;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;

/**
 * What one chat platform does for the {@link CardPublisher}: say where a request's card goes and call its own API
 * with its own renderer. The lease, the stored card reference, the show-latest loop and reply de-duplication are
 * the publisher's. A surface maps its platform's failures to {@code StreamConsumer.RetryLater} or an exception.
 */
public interface CardSurface {
    /** The platform's name: the prefix of its keys ({@code slack:card:<id>}) and of its consumer group. */
    String platform();

    /** Where the request's card goes (a channel, a room); empty when it must not be shown on this platform. */
    Optional<String> place(EmergencyRequest request);

    /**
     * Why the request's card must not be shown now though it has a place (its security room is not private), or
     * empty. A held card is brought up to date by {@link CardPublisher#catchUp} once the room is private again.
     */
    default Optional<String> heldBack(EmergencyRequest request) { return Optional.empty(); }

    /** Posts a new card at {@code place}; returns the posted message, showing {@code request}'s version. */
    CardRef post(String place, Card card, EmergencyRequest request);

    /**
     * The card already posted for {@code request} at {@code place} no earlier than about {@code since}, if the platform
     * can tell: asked when a post was begun and its card never noted (the process died, or the answer was lost, after
     * the platform may have taken it). The publisher then updates the found card instead of posting a second one.
     * Empty when there is none or the platform cannot tell; then the card is posted (a duplicate beats no card).
     */
    default Optional<CardRef> find(String place, EmergencyRequest request, Instant since) { return Optional.empty(); }

    /** Replaces the card at {@code ref} (showing an older version) with {@code card} of {@code request}. */
    void update(CardRef ref, Card card, EmergencyRequest request);

    /** Posts the notice for {@code event} in the card's thread; the reply's message id, empty when it says nothing. */
    Optional<String> reply(CardRef ref, Event event, EmergencyRequest request);

    /**
     * The channel or room of {@code place} when it is set up and may be written to now (the security one only while it
     * is private), for the loud notices told in both places: a break-glass. Empty when there is none.
     */
    default Optional<String> room(Disclosure.Place place) { return Optional.empty(); }

    /** Posts {@code notice} at the top level of {@code room}, not in a thread; the message's id. */
    default String announce(String room, List<Card.Value> notice, Event event) {
        throw new UnsupportedOperationException(platform() + " does not announce");
    }
}
