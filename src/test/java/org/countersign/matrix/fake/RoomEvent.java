package org.countersign.matrix.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;

/**
 * An event as the fake stores it in a room's log.
 *
 * @param stateKey       null for message events
 * @param streamPosition where it sits in the homeserver's stream; sync tokens are {@code "s" + position}
 * @param redacted       true once redacted: {@code content} is then empty
 */
public record RoomEvent(String roomId, String eventId, String type, String sender, String stateKey,
                        Instant originServerTs, JsonNode content, long streamPosition, boolean redacted) {

    /** {@code content.msgtype}, or "". */
    public String msgtype() {
        return content.path("msgtype").asText("");
    }

    /** {@code content.body}, or "". */
    public String body() {
        return content.path("body").asText("");
    }

    /** {@code content["m.relates_to"]}, a missing node when absent. */
    public JsonNode relatesTo() {
        return content.path("m.relates_to");
    }

    /** True for an {@code m.replace} edit of another event. */
    public boolean isEdit() {
        return "m.replace".equals(relatesTo().path("rel_type").asText());
    }

    /** True for an {@code m.room.message} with msgtype {@code m.notice}, edits included. */
    public boolean isNotice() {
        return "m.room.message".equals(type) && "m.notice".equals(msgtype());
    }

    RoomEvent redact() {
        return new RoomEvent(roomId, eventId, type, sender, stateKey, originServerTs,
                JsonNodeFactory.instance.objectNode(), streamPosition, true);
    }
}
