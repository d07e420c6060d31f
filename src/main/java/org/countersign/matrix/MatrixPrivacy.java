package org.countersign.matrix;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.countersign.chat.PrivacyWatch;

/**
 * Matrix's side of the {@link PrivacyWatch}: the security room's {@code m.room.join_rules} must let in only those a
 * member lets in ({@code invite}, or {@code knock}: asking is not joining), and its {@code m.room.history_visibility}
 * must not be {@code world_readable} (absent means {@code shared}, as the spec says). The notice goes to the ops room.
 */
public final class MatrixPrivacy implements PrivacyWatch.Probe {
    static final Set<String> PRIVATE_JOIN_RULES = Set.of("invite", "knock");

    private final MatrixClient matrix;
    private final MatrixRooms rooms;

    public MatrixPrivacy(MatrixClient matrix, MatrixRooms rooms) {
        if (rooms.securityRoom() == null) throw new IllegalArgumentException("no security room to check");
        this.matrix = matrix;
        this.rooms = rooms;
    }

    @Override
    public String platform() { return MatrixCards.PLATFORM; }

    @Override
    public String place() { return rooms.securityRoom(); }

    @Override
    public String describe() { return "the security room " + rooms.securityRoom(); }

    @Override
    public String setting() { return "MATRIX_SECURITY_ROOM_ID"; }

    @Override
    public Optional<String> exposure() {
        try {
            return exposureNow();
        } catch (MatrixException e) {
            // Invited but not joined yet (the sync loop joins too): only members read a room's state.
            if (e.kind() != MatrixException.Kind.FORBIDDEN) throw e;
            matrix.join(rooms.securityRoom());
            return exposureNow();
        }
    }

    private Optional<String> exposureNow() {
        var joinRule = state("m.room.join_rules", "join_rule", null);
        if (joinRule == null) return Optional.of("it has no join rules, so the homeserver may let anyone in");
        if (!PRIVATE_JOIN_RULES.contains(joinRule))
            return Optional.of("its join rule is " + joinRule + ", so people join without an invite; set it to invite");
        var history = state("m.room.history_visibility", "history_visibility", "shared");
        if ("world_readable".equals(history))
            return Optional.of("its history is world_readable, so anyone can read it without joining");
        return Optional.empty();
    }

    /** A field of the room's state event, {@code absent} when the room has no such event. */
    private String state(String eventType, String field, String absent) {
        try {
            var value = matrix.roomState(rooms.securityRoom(), eventType, "").path(field);
            if (!value.isTextual()) throw new IllegalStateException(eventType + " has no " + field);
            return value.asText();
        } catch (MatrixException e) {
            if (e.kind() == MatrixException.Kind.NOT_FOUND) return absent;
            throw e;
        }
    }

    @Override
    public void tellOps(String text) {
        matrix.sendNotice(rooms.room(), MatrixText.plain(text, 4000), null, "privacy-" + UUID.randomUUID());
    }
}
