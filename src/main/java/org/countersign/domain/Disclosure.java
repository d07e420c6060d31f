package org.countersign.domain;

import java.util.Objects;

/**
 * The one rule of who may see what of a request, and where its card goes. A confidential request (a reason marked
 * {@code confidential}: an unfixed vulnerability, say) has its card only in the private security channel or room, and
 * what it is about (summary, details, changes, task, why not roll back, rejection reason, notes, the text of its
 * timeline) is shown only there, to its requester and the members of its teams, and to endpoints marked confidential.
 * Everyone else sees its id, state and teams (a chat list line also names its reason; the console, the dashboard and
 * the API leave out the reason, the people and the times too). Every card, list line, reply, API
 * answer, page, live event, webhook and dead letter asks here; no adapter tests {@code confidential} itself.
 */
public final class Disclosure {
    private Disclosure() {}

    /** Where a request's card is posted on a chat platform. */
    public enum Place {
        /** The ops channel or room, where everyone coordinating deploys reads. */
        OPS,
        /** The private security channel or room only. */
        SECURITY
    }

    /** Who reads an answer, a card, a page or a payload. */
    public sealed interface Audience {
        /** Everyone in a chat channel or room; {@code security}: the private security one. */
        record Room(boolean security) implements Audience {}

        /** One person alone, known as a member (the console, a signed-in page, a private form). */
        record Person(Member member) implements Audience {
            public Person { Objects.requireNonNull(member, "member"); }
        }

        /** A webhook endpoint; {@code confidential} when its owner marked it to receive confidential requests. */
        record Endpoint(boolean confidential) implements Audience {}

        /** Whoever can reach the API or the dashboard without saying who they are. */
        record Anyone() implements Audience {}

        static Audience room(boolean security) { return new Room(security); }
    }

    /** Where the card of a request goes. */
    public static Place placeOf(EmergencyRequest r) { return r.confidential() ? Place.SECURITY : Place.OPS; }

    /** Where the card of a request opened for this reason would go. */
    public static Place placeOf(Reason reason) { return reason.confidential() ? Place.SECURITY : Place.OPS; }

    /** Whether this audience may see what the request is about, or only its id, state, reason, teams and actors. */
    public static boolean seesAll(EmergencyRequest r, Audience audience) {
        if (!r.confidential()) return true;
        if (audience instanceof Audience.Room room) return room.security();
        if (audience instanceof Audience.Endpoint endpoint) return endpoint.confidential();
        if (audience instanceof Audience.Person person)
            return r.requestedBy(person.member().person()) || r.requiredTeams().stream().anyMatch(person.member()::in);
        return false;
    }

    /** The opposite of {@link #seesAll}: what the request is about must be left out for this audience. */
    public static boolean hidesFrom(EmergencyRequest r, Audience audience) { return !seesAll(r, audience); }
}
