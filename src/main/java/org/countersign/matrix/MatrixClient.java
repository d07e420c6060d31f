package org.countersign.matrix;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;

/**
 * A small client for the Matrix client-server API v3: just what a bot needs. Every call is synchronous and throws
 * {@link MatrixException} when it does not succeed. Thread-safe; the access token is sent as a Bearer header and
 * never appears in messages or {@link #toString()}.
 */
public final class MatrixClient {
    static final String HTML = "org.matrix.custom.html";
    private static final String PREFIX = "/_matrix/client/v3";

    private final String baseUrl;
    private final String accessToken;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private volatile java.util.function.Consumer<MatrixException> failures = e -> {};

    /**
     * A client of the homeserver at {@code baseUrl} (such as {@code https://matrix.example.org}); {@code timeout}
     * bounds each call, and a sync's long-poll is added on top.
     */
    public MatrixClient(String baseUrl, String accessToken, HttpClient http, Duration timeout) {
        this(baseUrl, accessToken, http, timeout, Clock.systemUTC());
    }

    MatrixClient(String baseUrl, String accessToken, HttpClient http, Duration timeout, Clock clock) {
        if (baseUrl == null || !(baseUrl.startsWith("http://") || baseUrl.startsWith("https://")))
            throw new IllegalArgumentException("homeserver URL is not http(s): " + baseUrl);
        if (accessToken == null || accessToken.isBlank()) throw new IllegalArgumentException("access token is blank");
        if (timeout == null || timeout.isNegative() || timeout.isZero())
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.accessToken = accessToken;
        this.http = http;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** Tells {@code failures} of every call that fails, before it is thrown: for the metrics. */
    public MatrixClient onFailure(java.util.function.Consumer<MatrixException> failures) {
        this.failures = failures;
        return this;
    }

    /** The user id the access token belongs to ({@code GET /account/whoami}). */
    public String whoami() {
        return text("GET", "/account/whoami", null, "user_id");
    }

    /**
     * One {@code GET /sync}: from {@code since} (null for the first sync, which returns recent history), with an
     * inline filter (JSON, or null), waiting up to {@code longPoll} for something to happen.
     */
    public SyncResponse sync(String since, String filterJson, Duration longPoll) {
        var query = new StringBuilder("?timeout=").append(longPoll.toMillis());
        if (since != null) query.append("&since=").append(encode(since));
        if (filterJson != null) query.append("&filter=").append(encode(filterJson));
        var body = call("GET", "/sync" + query, null, timeout.plus(longPoll));
        if (body.path("next_batch").asText("").isEmpty())
            throw MatrixException.unavailable("GET " + PREFIX + "/sync", "answer without next_batch", null);
        return SyncResponse.from(body);
    }

    /**
     * One page of a room's timeline going back ({@code GET /rooms/{roomId}/messages?dir=b}) from {@code from} (a sync's
     * {@code prev_batch}) towards {@code to} (the {@code since} of that sync, or null), at most {@code limit} events,
     * filtered by {@code filterJson} (a RoomEventFilter, or null): newest first, with the token of the next page.
     */
    public MessagesPage messages(String roomId, String from, String to, int limit, String filterJson) {
        var query = new StringBuilder("?dir=b&limit=").append(limit).append("&from=").append(encode(from));
        if (to != null) query.append("&to=").append(encode(to));
        if (filterJson != null) query.append("&filter=").append(encode(filterJson));
        var body = call("GET", "/rooms/" + encode(roomId) + "/messages" + query, null, timeout);
        var events = new java.util.ArrayList<SyncResponse.Event>();
        body.path("chunk").forEach(e -> events.add(SyncResponse.Event.from(e)));
        var end = body.path("end").asText("");
        return new MessagesPage(events, end.isEmpty() ? null : end);
    }

    /**
     * A page of {@code /messages}: its events in the order asked for, and {@code end}, the token for the page after it
     * (null when there are no more).
     */
    public record MessagesPage(java.util.List<SyncResponse.Event> events, String end) {
        public MessagesPage {
            events = java.util.List.copyOf(events);
        }
    }

    /** Sends a message event with a fresh transaction id; returns its event id. */
    public String send(String roomId, String eventType, JsonNode content) {
        return send(roomId, eventType, content, UUID.randomUUID().toString());
    }

    /**
     * Sends a message event; returns its event id. The homeserver treats a repeated {@code txnId} from this token
     * as a retransmission and answers with the first event's id, so a retry with the same id cannot post twice.
     */
    public String send(String roomId, String eventType, JsonNode content, String txnId) {
        var path = "/rooms/" + encode(roomId) + "/send/" + encode(eventType) + "/" + encode(txnId);
        return text("PUT", path, content, "event_id");
    }

    /** Redacts {@code eventId} ({@code reason} may be null); returns the redaction's event id. */
    public String redact(String roomId, String eventId, String reason, String txnId) {
        var body = json.createObjectNode();
        if (reason != null) body.put("reason", reason);
        var path = "/rooms/" + encode(roomId) + "/redact/" + encode(eventId) + "/" + encode(txnId);
        return text("PUT", path, body, "event_id");
    }

    /** Joins a room by id or alias ({@code POST /join/{roomIdOrAlias}}); returns the room id. */
    public String join(String roomIdOrAlias) {
        return text("POST", "/join/" + encode(roomIdOrAlias), json.createObjectNode(), "room_id");
    }

    /** The user ids of everyone joined to the room now. */
    public Set<String> joinedMembers(String roomId) {
        var joined = call("GET", "/rooms/" + encode(roomId) + "/joined_members", null, timeout).path("joined");
        var members = new LinkedHashSet<String>();
        joined.fieldNames().forEachRemaining(members::add);
        return Collections.unmodifiableSet(members);
    }

    /** The content of the room's state event {@code eventType}/{@code stateKey} ("" for most room state). */
    public JsonNode roomState(String roomId, String eventType, String stateKey) {
        var path = "/rooms/" + encode(roomId) + "/state/" + encode(eventType);
        if (!stateKey.isEmpty()) path += "/" + encode(stateKey);
        return call("GET", path, null, timeout);
    }

    /** Posts an {@code m.notice} (a bot's message; bots never answer one); {@code formattedHtml} may be null. */
    public String sendNotice(String roomId, String body, String formattedHtml, String txnId) {
        return send(roomId, "m.room.message", notice(body, formattedHtml), txnId);
    }

    /**
     * Replaces an earlier notice of ours with an {@code m.replace} edit: {@code m.new_content} holds the new notice,
     * the top-level body is the {@code * } fallback for clients that do not understand edits.
     */
    public String editNotice(String roomId, String originalEventId, String body, String formattedHtml, String txnId) {
        var edit = notice("* " + body, formattedHtml == null ? null : "* " + formattedHtml);
        edit.set("m.new_content", notice(body, formattedHtml));
        edit.putObject("m.relates_to").put("rel_type", "m.replace").put("event_id", originalEventId);
        return send(roomId, "m.room.message", edit, txnId);
    }

    @Override
    public String toString() {
        return "MatrixClient[" + baseUrl + "]";
    }

    // An empty m.mentions turns off the legacy display-name and @room push rules: a card naming people pings no one.
    private ObjectNode notice(String body, String formattedHtml) {
        var content = json.createObjectNode().put("msgtype", "m.notice").put("body", body);
        if (formattedHtml != null) content.put("format", HTML).put("formatted_body", formattedHtml);
        content.putObject("m.mentions");
        return content;
    }

    private JsonNode call(String method, String pathAndQuery, JsonNode body, Duration callTimeout) {
        try {
            return callOnce(method, pathAndQuery, body, callTimeout);
        } catch (MatrixException e) {
            failures.accept(e);
            throw e;
        }
    }

    private JsonNode callOnce(String method, String pathAndQuery, JsonNode body, Duration callTimeout) {
        var path = PREFIX + pathAndQuery;
        var name = method + " " + decodedPath(path);
        var request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(callTimeout)
                .header("Authorization", "Bearer " + accessToken)
                .header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw MatrixException.unavailable(name, "no answer within " + callTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw MatrixException.unavailable(name, "cannot reach the homeserver: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MatrixException.unavailable(name, "interrupted", e);
        }
        var parsed = parse(response.body());
        if (response.statusCode() / 100 == 2) {
            if (parsed == null || !parsed.isObject())
                throw MatrixException.unavailable(name, "HTTP " + response.statusCode() + " with a body that is "
                        + "not a JSON object", null);
            return parsed;
        }
        throw error(name, response, parsed);
    }

    private MatrixException error(String name, HttpResponse<String> response, JsonNode parsed) {
        var matrixError = parsed != null && parsed.isObject() && parsed.path("errcode").isTextual();
        var errcode = matrixError ? parsed.get("errcode").asText() : "";
        var message = matrixError ? parsed.path("error").asText("") : "not a Matrix error response";
        var softLogout = matrixError && parsed.path("soft_logout").asBoolean(false);
        Duration retryAfter = longer(
                response.headers().firstValue("Retry-After").map(this::retryAfterHeader).orElse(null),
                matrixError && parsed.path("retry_after_ms").canConvertToLong()
                        ? Duration.ofMillis(Math.max(0, parsed.get("retry_after_ms").asLong())) : null);
        return MatrixException.answered(name, response.statusCode(), errcode, message, softLogout, retryAfter);
    }

    // RFC 9110: delay-seconds or an HTTP-date.
    Duration retryAfterHeader(String value) {
        var trimmed = value.strip();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(trimmed)));
        } catch (NumberFormatException notSeconds) {
            try {
                var at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                var wait = Duration.between(clock.instant(), at);
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    private static Duration longer(Duration a, Duration b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.compareTo(b) >= 0 ? a : b;
    }

    private JsonNode parse(String body) {
        if (body == null || body.isEmpty()) return null;
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private String text(String method, String pathAndQuery, JsonNode body, String field) {
        var answer = call(method, pathAndQuery, body, timeout).path(field);
        if (!answer.isTextual() || answer.asText().isEmpty())
            throw MatrixException.unavailable(method + " " + decodedPath(PREFIX + pathAndQuery),
                    "the answer has no " + field, null);
        return answer.asText();
    }

    /** A path segment or query value, percent-encoded: room ids carry '!' and ':', aliases '#', event ids '$'. */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String decodedPath(String path) {
        var withoutQuery = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        return URI.create(withoutQuery).getPath();
    }
}
