package org.countersign.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one {@code GET /_matrix/client/v3/sync} returned, cut down to what a bot needs: the token for the next call,
 * the new timeline of each joined room and the rooms we are invited to.
 *
 * @param nextBatch the {@code since} for the next sync
 * @param joined    room id to its new timeline, in the order the homeserver listed the rooms
 * @param invited   room id to the stripped state the invite came with
 */
public record SyncResponse(String nextBatch, Map<String, JoinedRoom> joined, Map<String, InvitedRoom> invited) {

    public SyncResponse {
        if (nextBatch == null || nextBatch.isEmpty()) throw new IllegalArgumentException("sync without next_batch");
        joined = Collections.unmodifiableMap(new LinkedHashMap<>(joined));
        invited = Collections.unmodifiableMap(new LinkedHashMap<>(invited));
    }

    /** The new timeline events of {@code roomId}, oldest first; empty when nothing happened there. */
    public List<Event> timeline(String roomId) {
        var room = joined.get(roomId);
        return room == null ? List.of() : room.timeline();
    }

    /** True when no room had anything new. */
    public boolean isEmpty() {
        return joined.values().stream().allMatch(r -> r.timeline().isEmpty()) && invited.isEmpty();
    }

    /**
     * A joined room's part of the sync.
     *
     * @param limited   true when the homeserver left events out between {@code since} and this timeline
     * @param prevBatch a token for {@code /messages} to fetch what was left out, or null
     */
    public record JoinedRoom(List<Event> timeline, boolean limited, String prevBatch) {
        public JoinedRoom {
            timeline = List.copyOf(timeline);
        }
    }

    /** An invite: the stripped state events (type, state_key, sender, content) the inviter shared. */
    public record InvitedRoom(List<Event> inviteState) {
        public InvitedRoom {
            inviteState = List.copyOf(inviteState);
        }
    }

    /**
     * A room event as {@code /sync} gives it (ClientEventWithoutRoomID).
     *
     * @param stateKey null for a message event, a string (often empty) for a state event
     * @param unsigned the {@code unsigned} object, empty when absent
     * @param redacts  for an {@code m.room.redaction}, the event it removes (in its content since room version 11,
     *                 beside it before); else null
     */
    public record Event(String eventId, String type, String sender, Instant originServerTs, String stateKey,
                        JsonNode content, JsonNode unsigned, String redacts) {

        public Event {
            content = content == null || content.isNull() ? JsonNodeFactory.instance.objectNode() : content;
            unsigned = unsigned == null || unsigned.isNull() ? JsonNodeFactory.instance.objectNode() : unsigned;
        }

        /** {@code content.msgtype}, or "" when there is none. */
        public String msgtype() {
            return content.path("msgtype").asText("");
        }

        /** {@code content.body}, or "" when there is none. */
        public String body() {
            return content.path("body").asText("");
        }

        /** {@code content["m.relates_to"]}: a missing node when the event relates to nothing. */
        public JsonNode relatesTo() {
            return content.path("m.relates_to");
        }

        /** The transaction id we sent it with: only present when this device sent the event. */
        public String transactionId() {
            return unsigned.path("transaction_id").asText(null);
        }

        public boolean isState() {
            return stateKey != null;
        }

        static Event from(JsonNode event) {
            var stateKey = event.get("state_key");
            return new Event(
                    event.path("event_id").asText(null),
                    event.path("type").asText(""),
                    event.path("sender").asText(""),
                    Instant.ofEpochMilli(event.path("origin_server_ts").asLong(0)),
                    stateKey == null || stateKey.isNull() ? null : stateKey.asText(),
                    event.get("content"),
                    event.get("unsigned"),
                    event.path("content").path("redacts").asText(event.path("redacts").asText(null)));
        }
    }

    static SyncResponse from(JsonNode body) {
        var rooms = body.path("rooms");
        var joined = new LinkedHashMap<String, JoinedRoom>();
        rooms.path("join").properties().forEach(room -> {
            var timeline = room.getValue().path("timeline");
            joined.put(room.getKey(), new JoinedRoom(events(timeline.path("events")),
                    timeline.path("limited").asBoolean(false), timeline.path("prev_batch").asText(null)));
        });
        var invited = new LinkedHashMap<String, InvitedRoom>();
        rooms.path("invite").properties().forEach(room -> invited.put(room.getKey(),
                new InvitedRoom(events(room.getValue().path("invite_state").path("events")))));
        return new SyncResponse(body.path("next_batch").asText(""), joined, invited);
    }

    private static List<Event> events(JsonNode array) {
        var events = new ArrayList<Event>();
        array.forEach(e -> events.add(Event.from(e)));
        return events;
    }
}
