package org.countersign.matrix.synapse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/** A person on Synapse, speaking the client-server API as their client would. */
public final class SynapseUser {
    private final String baseUrl;
    private final String userId;
    private final String token;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    SynapseUser(String baseUrl, String userId, String token) {
        this.baseUrl = baseUrl;
        this.userId = userId;
        this.token = token;
    }

    public String id() { return userId; }

    public String token() { return token; }

    /** A new room, {@code private_chat} (join rule invite, history shared), with {@code invite} invited. */
    public String createRoom(String name, String... invite) {
        var body = json.createObjectNode().put("preset", "private_chat").put("name", name);
        var invites = body.putArray("invite");
        for (var user : invite) invites.add(user);
        return call("POST", "/createRoom", body).path("room_id").asText();
    }

    public void invite(String room, String user) {
        call("POST", "/rooms/" + encode(room) + "/invite", json.createObjectNode().put("user_id", user));
    }

    public void join(String room) {
        call("POST", "/join/" + encode(room), json.createObjectNode());
    }

    /** Types {@code text} in {@code room}; returns the event id. */
    public String say(String room, String text) {
        return send(room, "m.room.message", json.createObjectNode().put("msgtype", "m.text").put("body", text));
    }

    /**
     * Answers {@code event} with {@code text} as a client with reply fallbacks does: the quoted original before the text
     * in {@code body}, an {@code <mx-reply>} in {@code formatted_body}, and {@code m.in_reply_to}.
     */
    public String reply(String room, JsonNode event, String text) {
        var original = event.path("content").path("body").asText();
        var quoted = new StringBuilder();
        var lines = original.split("\n");
        for (int i = 0; i < lines.length; i++)
            quoted.append(i == 0 ? "> <" + event.path("sender").asText() + "> " : "> ").append(lines[i]).append('\n');
        var content = json.createObjectNode().put("msgtype", "m.text").put("body", quoted + "\n" + text)
                .put("format", "org.matrix.custom.html")
                .put("formatted_body", "<mx-reply><blockquote>In reply to " + event.path("sender").asText()
                        + "</blockquote></mx-reply>" + text);
        content.putObject("m.relates_to").putObject("m.in_reply_to").put("event_id", event.path("event_id").asText());
        return send(room, "m.room.message", content);
    }

    public String react(String room, String eventId, String key) {
        var content = json.createObjectNode();
        content.putObject("m.relates_to").put("rel_type", "m.annotation").put("event_id", eventId).put("key", key);
        return send(room, "m.reaction", content);
    }

    public String redact(String room, String eventId) {
        return call("PUT", "/rooms/" + encode(room) + "/redact/" + encode(eventId) + "/" + UUID.randomUUID(),
                json.createObjectNode()).path("event_id").asText();
    }

    public String send(String room, String type, ObjectNode content) {
        return call("PUT", "/rooms/" + encode(room) + "/send/" + encode(type) + "/" + UUID.randomUUID(), content)
                .path("event_id").asText();
    }

    /** The room's timeline as this user may see it, oldest first (up to 2,000 events), redacted ones included. */
    public List<JsonNode> timeline(String room) {
        var events = new ArrayList<JsonNode>();
        String from = null;
        for (int page = 0; page < 20; page++) {
            var answer = call("GET", "/rooms/" + encode(room) + "/messages?dir=b&limit=100"
                    + (from == null ? "" : "&from=" + encode(from)), null);
            answer.path("chunk").forEach(events::add);
            from = answer.path("end").asText(null);
            if (from == null || answer.path("chunk").isEmpty()) break;
        }
        Collections.reverse(events);
        return events;
    }

    /** One event as this user may see it now ({@code GET /rooms/{roomId}/event/{eventId}}). */
    public JsonNode event(String room, String eventId) {
        return call("GET", "/rooms/" + encode(room) + "/event/" + encode(eventId), null);
    }

    /** The state event's content, as this user may see it. */
    public JsonNode state(String room, String type) {
        return call("GET", "/rooms/" + encode(room) + "/state/" + encode(type), null);
    }

    public void putState(String room, String type, ObjectNode content) {
        call("PUT", "/rooms/" + encode(room) + "/state/" + encode(type), content);
    }

    private JsonNode call(String method, String path, JsonNode body) {
        var request = HttpRequest.newBuilder(URI.create(baseUrl + "/_matrix/client/v3" + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        try {
            var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2)
                throw new IllegalStateException(userId + " " + method + " " + path + ": " + response.statusCode() + " "
                        + response.body());
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(userId + " " + method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() { return userId; }
}
