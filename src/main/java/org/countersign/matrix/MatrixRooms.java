package org.countersign.matrix;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.countersign.chat.Privacy;
import org.countersign.domain.Disclosure;
import org.countersign.domain.EmergencyRequest;

/**
 * The Matrix rooms of the {@link Disclosure} rule's places: the ops room, and the private security room.
 *
 * @param securityRoom null when none is set up: confidential requests are then refused in Matrix
 * @param privacy      whether the security room is private now, as last checked
 */
public record MatrixRooms(String room, String securityRoom, Privacy privacy) {
    public MatrixRooms(String room, String securityRoom) { this(room, securityRoom, Privacy.ASSUMED); }

    /** Why this request's card must not be shown now (its place is the security room, not private now), or empty. */
    public Optional<String> heldBack(EmergencyRequest request) {
        return Disclosure.placeOf(request) == Disclosure.Place.SECURITY ? privacy.problem() : Optional.empty();
    }

    /** The room for this request's card; empty when it must not be posted in Matrix at all. */
    public Optional<String> forRequest(EmergencyRequest request) {
        return Optional.ofNullable(Disclosure.placeOf(request) == Disclosure.Place.SECURITY ? securityRoom : room);
    }

    /** The room of a place, when set up and, for the security one, private now. */
    public Optional<String> room(Disclosure.Place place) {
        if (place == Disclosure.Place.OPS) return Optional.ofNullable(room);
        return securityRoom == null || !privacy.isPrivate() ? Optional.empty() : Optional.of(securityRoom);
    }

    boolean takesConfidential() { return securityRoom != null; }

    boolean isSecurityRoom(String roomId) { return roomId != null && roomId.equals(securityRoom); }

    List<String> all() {
        var rooms = new ArrayList<String>();
        rooms.add(room);
        if (securityRoom != null) rooms.add(securityRoom);
        return rooms;
    }
}
