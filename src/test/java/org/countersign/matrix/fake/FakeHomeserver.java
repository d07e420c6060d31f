package org.countersign.matrix.fake;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/**
 * A local stand-in for a Matrix homeserver's client-server API v3, over real HTTP on a free loopback port, answering
 * in the spec's shapes: standard error responses ({@code errcode}/{@code error}), 429 {@code M_LIMIT_EXCEEDED} with
 * {@code retry_after_ms} and {@code Retry-After}, 401 {@code M_UNKNOWN_TOKEN} with {@code soft_logout}. Rooms keep an
 * event log on one stream, so {@code /sync} returns only what came after {@code since}, long-polls until something
 * arrives, and without {@code since} returns recent history. Sends are idempotent per access token and path.
 * Thread-safe.
 *
 * <p>Endpoints: {@code GET /account/whoami}, {@code GET /sync}, {@code PUT /rooms/{roomId}/send/{type}/{txnId}},
 * {@code PUT /rooms/{roomId}/redact/{eventId}/{txnId}}, {@code POST /join/{roomIdOrAlias}},
 * {@code POST /rooms/{roomId}/join}, {@code GET /rooms/{roomId}/joined_members},
 * {@code GET /rooms/{roomId}/state/{type}[/{stateKey}]}; anything else is 404 {@code M_UNRECOGNIZED}.
 */
public final class FakeHomeserver implements AutoCloseable {

    /** Synapse's default number of timeline events per room in a sync, used when the filter sets no limit. */
    public static final int DEFAULT_TIMELINE_LIMIT = 10;

    private static final String V3 = "/_matrix/client/v3";
    private static final String JSON_TYPE = "application/json";
    private static final Pattern USER_ID = Pattern.compile("@[^:]+:.+");
    private static final Pattern SINCE = Pattern.compile("s(\\d+)");

    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final Javalin server;
    private final List<RecordedCall> calls = new CopyOnWriteArrayList<>();

    private final Object lock = new Object();
    // Everything below is guarded by lock; lock.notifyAll() wakes long-polling syncs.
    private final Map<String, Session> sessions = new HashMap<>();
    private final Map<String, Room> rooms = new LinkedHashMap<>();
    private final Map<String, String> aliases = new HashMap<>();
    private final Map<String, String> transactions = new HashMap<>();
    private final Map<String, Deque<Failure>> failures = new LinkedHashMap<>();
    private long stream;
    private long lastTs;
    private boolean closed;

    private record Session(String userId, String deviceId, String token) {}

    /** A stored event and, when sent through the API, which token sent it with which transaction id. */
    private record Stored(RoomEvent event, String token, String txnId) {}

    private static final class Room {
        final String id;
        final String creator;
        final Set<String> joined = new LinkedHashSet<>();
        final Set<String> invited = new LinkedHashSet<>();
        final List<Stored> log = new ArrayList<>();

        Room(String id, String creator) {
            this.id = id;
            this.creator = creator;
        }
    }

    /** A standard error response: {@code {"errcode": ..., "error": ...}} with an HTTP status. */
    private static final class MatrixError extends RuntimeException {
        final int status;
        final String errcode;

        MatrixError(int status, String errcode, String error) {
            super(error);
            this.status = status;
            this.errcode = errcode;
        }
    }

    @FunctionalInterface
    private interface Endpoint {
        ObjectNode answer(Context ctx, Session session);
    }

    /** Starts an empty homeserver on the system clock. */
    public FakeHomeserver() {
        this(Clock.systemUTC());
    }

    /** Starts an empty homeserver whose {@code origin_server_ts} follow {@code clock}. */
    public FakeHomeserver(Clock clock) {
        this.clock = clock;
        this.server = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.get(V3 + "/account/whoami", ctx -> serve(ctx, this::whoami));
            cfg.routes.get(V3 + "/sync", ctx -> serve(ctx, this::sync));
            cfg.routes.put(V3 + "/rooms/{roomId}/send/{eventType}/{txnId}", ctx -> serve(ctx, this::send));
            cfg.routes.put(V3 + "/rooms/{roomId}/redact/{eventId}/{txnId}", ctx -> serve(ctx, this::redact));
            cfg.routes.post(V3 + "/join/{roomIdOrAlias}", ctx -> serve(ctx, this::join));
            cfg.routes.post(V3 + "/rooms/{roomIdOrAlias}/join", ctx -> serve(ctx, this::join));
            cfg.routes.get(V3 + "/rooms/{roomId}/joined_members", ctx -> serve(ctx, this::joinedMembers));
            cfg.routes.get(V3 + "/rooms/{roomId}/messages", ctx -> serve(ctx, this::messages));
            cfg.routes.get(V3 + "/rooms/{roomId}/state/{eventType}", ctx -> serve(ctx, this::state));
            cfg.routes.get(V3 + "/rooms/{roomId}/state/{eventType}/{stateKey}", ctx -> serve(ctx, this::state));
            // Registered last, so they only catch what no route above matched.
            cfg.routes.get("/<path>", ctx -> serve(ctx, this::unrecognized));
            cfg.routes.put("/<path>", ctx -> serve(ctx, this::unrecognized));
            cfg.routes.post("/<path>", ctx -> serve(ctx, this::unrecognized));
            cfg.routes.delete("/<path>", ctx -> serve(ctx, this::unrecognized));
        }).start("127.0.0.1", 0);
    }

    // ---------------------------------------------------------------- set-up

    /** Adds a user and an access token for one of their devices; call again for more devices. */
    public FakeHomeserver withUser(String userId, String accessToken) {
        requireUserId(userId);
        synchronized (lock) {
            sessions.put(accessToken, new Session(userId, "DEV" + (sessions.size() + 1), accessToken));
        }
        return this;
    }

    /** Creates a room (version 11, invite only) that {@code members} have joined; the first one created it. */
    public FakeHomeserver withRoom(String roomId, String... members) {
        if (!roomId.startsWith("!") || !roomId.contains(":"))
            throw new IllegalArgumentException("room id must look like !opaque:server: " + roomId);
        if (members.length == 0) throw new IllegalArgumentException("a room needs its creator: " + roomId);
        synchronized (lock) {
            if (rooms.containsKey(roomId)) throw new IllegalArgumentException("room exists: " + roomId);
            var room = new Room(roomId, requireUserId(members[0]));
            rooms.put(roomId, room);
            append(room, "m.room.create", room.creator, "", object().put("room_version", "11"), null, null);
            for (var member : members) addMember(room, requireUserId(member));
            append(room, "m.room.join_rules", room.creator, "", object().put("join_rule", "invite"), null, null);
        }
        return this;
    }

    /** Points {@code #alias:server} at a room, for {@code POST /join/{roomIdOrAlias}}. */
    public FakeHomeserver withAlias(String alias, String roomId) {
        synchronized (lock) {
            room(roomId);
            aliases.put(alias, roomId);
        }
        return this;
    }

    /** The room's creator invites {@code userId}; the invite shows in their sync until they join. */
    public FakeHomeserver withInvite(String roomId, String userId) {
        synchronized (lock) {
            var room = room(roomId);
            room.invited.add(requireUserId(userId));
            append(room, "m.room.member", room.creator, userId, object().put("membership", "invite"), null, null);
        }
        return this;
    }

    /** Sets a piece of room state, sent by the room's creator. */
    public FakeHomeserver withState(String roomId, String eventType, String stateKey, JsonNode content) {
        synchronized (lock) {
            var room = room(roomId);
            append(room, eventType, room.creator, stateKey, content.deepCopy(), null, null);
        }
        return this;
    }

    /** The room's creator sets its {@code m.room.join_rules} to {@code rule} ({@code public}, {@code invite}...). */
    public void setJoinRule(String roomId, String rule) {
        withState(roomId, "m.room.join_rules", "", object().put("join_rule", rule));
    }

    /** The room's creator sets its {@code m.room.history_visibility} ({@code world_readable}, {@code shared}...). */
    public void setHistoryVisibility(String roomId, String visibility) {
        withState(roomId, "m.room.history_visibility", "", object().put("history_visibility", visibility));
    }

    /** {@code userId} joins the room now (a membership event in its timeline). */
    public void addMember(String roomId, String userId) {
        synchronized (lock) {
            addMember(room(roomId), requireUserId(userId));
        }
    }

    // ---------------------------------------------------------------- what users do

    /** A room member sends an event, as their own client would; returns its event id. */
    public String post(String roomId, String senderUserId, String eventType, JsonNode content) {
        synchronized (lock) {
            var room = room(roomId);
            if (!room.joined.contains(senderUserId))
                throw new IllegalArgumentException(senderUserId + " is not in " + roomId);
            if (!content.isObject()) throw new IllegalArgumentException("content is not an object: " + content);
            refuseDuplicateAnnotation(room, senderUserId, eventType, content);
            return append(room, eventType, senderUserId, null, content.deepCopy(), null, null).eventId();
        }
    }

    /** A member says {@code body} in an {@code m.text} message; returns its event id. */
    public String postText(String roomId, String senderUserId, String body) {
        return post(roomId, senderUserId, "m.room.message", object().put("msgtype", "m.text").put("body", body));
    }

    /** A member reacts to {@code eventId} with {@code key} (an {@code m.annotation}); returns the reaction's id. */
    public String react(String roomId, String senderUserId, String eventId, String key) {
        var content = object();
        content.putObject("m.relates_to").put("rel_type", "m.annotation").put("event_id", eventId).put("key", key);
        return post(roomId, senderUserId, "m.reaction", content);
    }

    /**
     * A member takes back one of their own events (removing a reaction is this): an {@code m.room.redaction} whose
     * {@code redacts} is the event, in its content and beside it, as homeservers serve rooms before version 11 too.
     */
    public String redact(String roomId, String senderUserId, String eventId) {
        synchronized (lock) {
            var room = room(roomId);
            var target = storedOrNull(room, eventId);
            if (target == null) throw new IllegalArgumentException("no event " + eventId + " in " + roomId);
            if (!target.event().sender().equals(senderUserId) && !room.creator.equals(senderUserId))
                throw new IllegalArgumentException(senderUserId + " may not redact " + eventId);
            var redaction = append(room, "m.room.redaction", senderUserId, null, object().put("redacts", eventId), null, null);
            room.log.replaceAll(st -> st == target ? new Stored(st.event().redact(), st.token(), st.txnId()) : st);
            return redaction.eventId();
        }
    }

    // ---------------------------------------------------------------- what happened

    /** Every event of the room in stream order, membership and state included. */
    public List<RoomEvent> events(String roomId) {
        synchronized (lock) {
            return room(roomId).log.stream().map(Stored::event).toList();
        }
    }

    /** The room's {@code m.notice} messages, not counting edits (see {@link #latestContentOf}). */
    public List<RoomEvent> notices(String roomId) {
        return events(roomId).stream().filter(e -> e.isNotice() && !e.isEdit()).toList();
    }

    /** The {@code m.replace} edits of {@code eventId}, oldest first. */
    public List<RoomEvent> edits(String roomId, String eventId) {
        return events(roomId).stream()
                .filter(e -> e.isEdit() && eventId.equals(e.relatesTo().path("event_id").asText()))
                .toList();
    }

    /** One event by id. */
    public RoomEvent event(String roomId, String eventId) {
        return events(roomId).stream()
                .filter(e -> e.eventId().equals(eventId))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no event " + eventId + " in " + roomId));
    }

    /**
     * The content a client shows for {@code eventId}: the latest valid {@code m.replace} edit's {@code m.new_content}
     * (keeping the original's {@code m.relates_to}), the original's content when never edited, empty when redacted.
     */
    public JsonNode latestContentOf(String roomId, String eventId) {
        synchronized (lock) {
            var room = room(roomId);
            var original = stored(room, eventId).event();
            return latestEdit(room, original)
                    .map(edit -> {
                        var content = (ObjectNode) edit.content().get("m.new_content").deepCopy();
                        content.remove("m.relates_to");
                        if (original.content().has("m.relates_to"))
                            content.set("m.relates_to", original.content().get("m.relates_to").deepCopy());
                        return (JsonNode) content;
                    })
                    .orElse(original.content().deepCopy());
        }
    }

    /** Every request received, failed ones included, in arrival order. */
    public List<RecordedCall> calls() {
        return List.copyOf(calls);
    }

    /** The requests whose decoded path starts with {@code pathPrefix} (see {@link #failNext} for the shorthand). */
    public List<RecordedCall> calls(String pathPrefix) {
        var prefix = fullPath(pathPrefix);
        return calls.stream().filter(c -> c.path().startsWith(prefix)).toList();
    }

    /** Waits until at least {@code n} requests under {@code pathPrefix} arrived; returns them all. */
    public List<RecordedCall> awaitCalls(String pathPrefix, int n, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(10)).until(() -> calls(pathPrefix).size() >= n);
        return calls(pathPrefix);
    }

    // ---------------------------------------------------------------- faults

    /**
     * The next {@code times} requests whose decoded path starts with {@code pathPrefix} get {@code failure} instead
     * of an answer. A prefix without a leading '/' is under {@code /_matrix/client/v3/}: {@code "sync"}, {@code
     * "rooms/!r:example.org/send"}.
     */
    public void failNext(String pathPrefix, int times, Failure failure) {
        if (times < 1) throw new IllegalArgumentException("times < 1: " + times);
        synchronized (lock) {
            var queue = failures.computeIfAbsent(fullPath(pathPrefix), p -> new ArrayDeque<>());
            for (int i = 0; i < times; i++) queue.add(failure);
        }
    }

    /** Logs the token out: from now on it gets 401 {@code M_UNKNOWN_TOKEN} with {@code soft_logout: false}. */
    public void revokeToken(String accessToken) {
        synchronized (lock) {
            if (sessions.remove(accessToken) == null) throw new IllegalArgumentException("unknown token");
        }
    }

    // ---------------------------------------------------------------- where it is

    /** The homeserver base URL, without a trailing slash. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        server.stop();
    }

    // ---------------------------------------------------------------- HTTP

    private void serve(Context ctx, Endpoint endpoint) {
        var rawPath = ctx.req().getRequestURI();
        var path = URI.create(rawPath).getPath();
        var headers = new TreeMap<String, String>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(ctx.headerMap());
        var query = new LinkedHashMap<String, String>();
        ctx.queryParamMap().forEach((name, values) -> query.put(name, values.isEmpty() ? "" : values.get(0)));
        calls.add(new RecordedCall(ctx.method().name(), path, rawPath, query, headers, ctx.body(), clock.instant()));

        var failure = takeFailure(path);
        if (failure != null) {
            fail(ctx, failure);
            return;
        }
        ObjectNode answer;
        try {
            answer = endpoint.answer(ctx, authenticate(ctx));
            ctx.status(200);
        } catch (MatrixError e) {
            answer = object().put("errcode", e.errcode).put("error", e.getMessage());
            if (e.errcode.equals("M_UNKNOWN_TOKEN")) answer.put("soft_logout", false);
            ctx.status(e.status);
        }
        ctx.contentType(JSON_TYPE).result(answer.toString());
    }

    private Session authenticate(Context ctx) {
        var authorization = ctx.header("Authorization");
        String token = null;
        if (authorization != null && authorization.startsWith("Bearer ")) {
            token = authorization.substring("Bearer ".length()).trim();
        } else if (ctx.queryParam("access_token") != null) {
            token = ctx.queryParam("access_token");
        }
        if (token == null || token.isEmpty()) throw new MatrixError(401, "M_MISSING_TOKEN", "Missing access token");
        synchronized (lock) {
            var session = sessions.get(token);
            if (session == null) throw new MatrixError(401, "M_UNKNOWN_TOKEN", "Unrecognised access token.");
            return session;
        }
    }

    private ObjectNode whoami(Context ctx, Session session) {
        return object().put("user_id", session.userId()).put("device_id", session.deviceId()).put("is_guest", false);
    }

    private ObjectNode sync(Context ctx, Session session) {
        Long since = null;
        var sinceParam = ctx.queryParam("since");
        if (sinceParam != null) {
            var matcher = SINCE.matcher(sinceParam);
            if (!matcher.matches()) throw new MatrixError(400, "M_INVALID_PARAM", "Invalid stream token: " + sinceParam);
            since = Long.parseLong(matcher.group(1));
        }
        long timeoutMs = intParam(ctx, "timeout", 0);
        var filter = TimelineFilter.parse(ctx.queryParam("filter"), json);
        long deadline = System.nanoTime() + Duration.ofMillis(timeoutMs).toNanos();
        synchronized (lock) {
            while (true) {
                var answer = syncAnswer(session, since, filter);
                // Synapse answers a first sync at once; later ones wait until there is something to say.
                if (since == null || hasNews(answer) || closed) return answer;
                long left = deadline - System.nanoTime();
                if (left <= 0) return answer;
                try {
                    lock.wait(Math.max(1, Duration.ofNanos(left).toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return answer;
                }
            }
        }
    }

    private ObjectNode send(Context ctx, Session session) {
        var roomId = ctx.pathParam("roomId");
        var eventType = ctx.pathParam("eventType");
        var content = bodyObject(ctx);
        return idempotent(session, ctx, () -> {
            var room = joinedRoom(roomId, session);
            refuseDuplicateAnnotation(room, session.userId(), eventType, content);
            var stored = append(room, eventType, session.userId(), null, content, session.token(),
                    ctx.pathParam("txnId"));
            return object().put("event_id", stored.eventId());
        });
    }

    private ObjectNode redact(Context ctx, Session session) {
        var roomId = ctx.pathParam("roomId");
        var eventId = ctx.pathParam("eventId");
        var body = bodyObject(ctx);
        return idempotent(session, ctx, () -> {
            var room = joinedRoom(roomId, session);
            var target = storedOrNull(room, eventId);
            if (target == null) throw new MatrixError(404, "M_NOT_FOUND", "Event not found");
            // Default power levels: members redact their own events, the creator (PL 100) anyone's.
            if (!target.event().sender().equals(session.userId()) && !room.creator.equals(session.userId()))
                throw new MatrixError(403, "M_FORBIDDEN", "You don't have permission to redact events");
            var content = object();
            if (body.hasNonNull("reason")) content.put("reason", body.get("reason").asText());
            content.put("redacts", eventId);
            var redaction = append(room, "m.room.redaction", session.userId(), null, content, session.token(),
                    ctx.pathParam("txnId"));
            room.log.replaceAll(s -> s == target ? new Stored(s.event().redact(), s.token(), s.txnId()) : s);
            return object().put("event_id", redaction.eventId());
        });
    }

    private ObjectNode join(Context ctx, Session session) {
        bodyObject(ctx);
        var target = ctx.pathParam("roomIdOrAlias");
        synchronized (lock) {
            var roomId = target.startsWith("#") ? aliases.get(target) : target;
            if (roomId == null) throw new MatrixError(404, "M_NOT_FOUND", "Room alias " + target + " not found");
            var room = rooms.get(roomId);
            if (room == null) throw new MatrixError(404, "M_NOT_FOUND", "No known servers for " + roomId);
            if (!room.joined.contains(session.userId())) {
                if (!room.invited.contains(session.userId()))
                    throw new MatrixError(403, "M_FORBIDDEN", "You are not invited to this room.");
                addMember(room, session.userId());
            }
            return object().put("room_id", roomId);
        }
    }

    /**
     * {@code GET /rooms/{roomId}/messages}, backwards only: events after {@code to} (exclusive) up to {@code from}
     * (inclusive), newest first, {@code limit} at most (10 by default, as Synapse); {@code end} only while more remain.
     * Tokens are a sync's {@code s<n>} or a timeline's {@code t<n>}, both a stream position.
     */
    private ObjectNode messages(Context ctx, Session session) {
        if (!"b".equals(ctx.queryParam("dir")))
            throw new MatrixError(400, "M_INVALID_PARAM", "the fake pages backwards only (dir=b)");
        long from = position(ctx.queryParam("from"), Long.MAX_VALUE);
        long to = position(ctx.queryParam("to"), 0);
        int limit = (int) Math.max(1, intParam(ctx, "limit", 10));
        var filterParam = ctx.queryParam("filter");
        var filter = TimelineFilter.parse(filterParam == null ? null : "{\"room\":{\"timeline\":" + filterParam + "}}", json);
        synchronized (lock) {
            var room = joinedRoom(ctx.pathParam("roomId"), session);
            var range = room.log.stream().filter(s -> s.event().streamPosition() <= from
                    && s.event().streamPosition() > to).toList();
            var answer = object().put("start", ctx.queryParam("from"));
            var chunk = answer.putArray("chunk");
            long lowest = Long.MAX_VALUE;
            int taken = 0;
            for (int i = range.size() - 1; i >= 0 && taken < limit; i--) {
                var stored = range.get(i);
                lowest = stored.event().streamPosition();
                if (!filter.allows(stored.event())) continue;
                chunk.add(eventJson(room, stored, session));
                taken++;
            }
            if (lowest != Long.MAX_VALUE && lowest - 1 > to) answer.put("end", "t" + (lowest - 1));
            return answer;
        }
    }

    private static long position(String token, long fallback) {
        if (token == null) return fallback;
        if (!token.matches("[st]\\d+")) throw new MatrixError(400, "M_INVALID_PARAM", "Invalid token: " + token);
        return Long.parseLong(token.substring(1));
    }

    private ObjectNode joinedMembers(Context ctx, Session session) {
        synchronized (lock) {
            var room = joinedRoom(ctx.pathParam("roomId"), session);
            var answer = object();
            var joined = answer.putObject("joined");
            room.joined.forEach(user -> joined.putObject(user).put("display_name", localpart(user)));
            return answer;
        }
    }

    private ObjectNode state(Context ctx, Session session) {
        var eventType = ctx.pathParam("eventType");
        var stateKey = ctx.pathParamMap().getOrDefault("stateKey", "");
        synchronized (lock) {
            var room = rooms.get(ctx.pathParam("roomId"));
            if (room == null || !room.joined.contains(session.userId()))
                throw new MatrixError(403, "M_FORBIDDEN", "You aren't a member of the room");
            return currentState(room, eventType, stateKey)
                    .map(e -> (ObjectNode) e.content().deepCopy())
                    .orElseThrow(() -> new MatrixError(404, "M_NOT_FOUND", "Event not found."));
        }
    }

    private ObjectNode unrecognized(Context ctx, Session session) {
        throw new MatrixError(404, "M_UNRECOGNIZED", "Unrecognized request");
    }

    // ---------------------------------------------------------------- sync

    private ObjectNode syncAnswer(Session session, Long since, TimelineFilter filter) {
        var answer = object().put("next_batch", "s" + stream);
        var roomsNode = answer.putObject("rooms");
        var join = roomsNode.putObject("join");
        var invite = roomsNode.putObject("invite");
        roomsNode.putObject("leave");
        long from = since == null ? 0 : since;
        for (var room : rooms.values()) {
            if (room.joined.contains(session.userId()) && filter.allowsRoom(room.id)) {
                var joinedRoom = joinedRoomSync(room, session, from, since == null, filter);
                if (joinedRoom != null) join.set(room.id, joinedRoom);
            } else if (room.invited.contains(session.userId())) {
                var inviteEvent = currentState(room, "m.room.member", session.userId());
                if (inviteEvent.isPresent() && inviteEvent.get().streamPosition() > from)
                    invite.putObject(room.id).putObject("invite_state").set("events", strippedState(room, session));
            }
        }
        return answer;
    }

    private ObjectNode joinedRoomSync(Room room, Session session, long from, boolean initial, TimelineFilter filter) {
        var after = room.log.stream().filter(s -> s.event().streamPosition() > from).toList();
        var visible = after.stream().filter(s -> filter.allows(s.event())).toList();
        var timeline = visible.subList(Math.max(0, visible.size() - filter.limit()), visible.size());
        long timelineStart = timeline.isEmpty() ? Long.MAX_VALUE : timeline.get(0).event().streamPosition();
        // State between since (or the room's beginning) and the start of the timeline, latest per (type, key).
        var state = new LinkedHashMap<String, Stored>();
        for (var s : initial ? room.log : after) {
            var event = s.event();
            if (event.stateKey() != null && event.streamPosition() < timelineStart)
                state.put(event.type() + "\u0000" + event.stateKey(), s);
        }
        if (!initial && timeline.isEmpty() && state.isEmpty()) return null;
        var node = object();
        var stateEvents = node.putObject("state").putArray("events");
        state.values().forEach(s -> stateEvents.add(eventJson(room, s, session)));
        var timelineNode = node.putObject("timeline");
        var events = timelineNode.putArray("events");
        timeline.forEach(s -> events.add(eventJson(room, s, session)));
        timelineNode.put("limited", visible.size() > timeline.size());
        if (!timeline.isEmpty()) timelineNode.put("prev_batch", "t" + (timelineStart - 1));
        node.putObject("ephemeral").putArray("events");
        node.putObject("account_data").putArray("events");
        node.putObject("unread_notifications").put("highlight_count", 0).put("notification_count", 0);
        return node;
    }

    private ArrayNode strippedState(Room room, Session session) {
        var events = json.createArrayNode();
        for (var type : List.of("m.room.create", "m.room.join_rules", "m.room.name", "m.room.canonical_alias")) {
            currentState(room, type, "").ifPresent(e -> events.add(stripped(e)));
        }
        currentState(room, "m.room.member", session.userId()).ifPresent(e -> events.add(stripped(e)));
        return events;
    }

    private ObjectNode stripped(RoomEvent event) {
        var node = object().put("type", event.type()).put("state_key", event.stateKey()).put("sender", event.sender());
        node.set("content", event.content().deepCopy());
        return node;
    }

    private ObjectNode eventJson(Room room, Stored stored, Session session) {
        var event = stored.event();
        var node = object().put("event_id", event.eventId()).put("type", event.type()).put("sender", event.sender())
                .put("origin_server_ts", event.originServerTs().toEpochMilli());
        if (event.stateKey() != null) node.put("state_key", event.stateKey());
        node.set("content", event.content().deepCopy());
        if (event.type().equals("m.room.redaction")) node.put("redacts", event.content().path("redacts").asText());
        var unsigned = node.putObject("unsigned");
        unsigned.put("age", Math.max(0, clock.millis() - event.originServerTs().toEpochMilli()));
        if (stored.txnId() != null && session.token().equals(stored.token()))
            unsigned.put("transaction_id", stored.txnId());
        if (event.redacted()) {
            room.log.stream()
                    .filter(s -> s.event().type().equals("m.room.redaction")
                            && event.eventId().equals(s.event().content().path("redacts").asText()))
                    .findFirst()
                    .ifPresent(r -> unsigned.set("redacted_because", bare(r.event())));
        } else {
            latestEdit(room, event).ifPresent(edit -> unsigned.putObject("m.relations").set("m.replace", bare(edit)));
        }
        return node;
    }

    private ObjectNode bare(RoomEvent event) {
        var node = object().put("event_id", event.eventId()).put("type", event.type()).put("sender", event.sender())
                .put("origin_server_ts", event.originServerTs().toEpochMilli());
        node.set("content", event.content().deepCopy());
        return node;
    }

    private static boolean hasNews(ObjectNode answer) {
        var rooms = answer.path("rooms");
        if (!rooms.path("invite").isEmpty()) return true;
        for (var room : rooms.path("join")) {
            if (!room.path("timeline").path("events").isEmpty() || !room.path("state").path("events").isEmpty())
                return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- the store (call with lock held)

    private RoomEvent append(Room room, String type, String sender, String stateKey, JsonNode content, String token,
                             String txnId) {
        long position = ++stream;
        lastTs = Math.max(lastTs + 1, clock.millis());
        var event = new RoomEvent(room.id, eventId(room.id, position), type, sender, stateKey,
                Instant.ofEpochMilli(lastTs), content, position, false);
        room.log.add(new Stored(event, token, txnId));
        lock.notifyAll();
        return event;
    }

    private void addMember(Room room, String userId) {
        room.invited.remove(userId);
        room.joined.add(userId);
        append(room, "m.room.member", userId, userId,
                object().put("membership", "join").put("displayname", localpart(userId)), null, null);
    }

    // The spec: a retransmission (same token, same path, same txnId) gets the first answer again.
    private ObjectNode idempotent(Session session, Context ctx, Supplier<ObjectNode> first) {
        var key = session.token() + "\u0000" + URI.create(ctx.req().getRequestURI()).getPath();
        synchronized (lock) {
            var earlier = transactions.get(key);
            if (earlier != null) return parse(earlier);
            var answer = first.get();
            transactions.put(key, answer.toString());
            return answer;
        }
    }

    private void refuseDuplicateAnnotation(Room room, String sender, String type, JsonNode content) {
        var relation = content.path("m.relates_to");
        if (!"m.annotation".equals(relation.path("rel_type").asText())) return;
        var duplicate = room.log.stream().map(Stored::event).anyMatch(e -> !e.redacted()
                && e.type().equals(type) && e.sender().equals(sender)
                && e.relatesTo().path("rel_type").asText().equals("m.annotation")
                && e.relatesTo().path("event_id").asText().equals(relation.path("event_id").asText())
                && e.relatesTo().path("key").asText().equals(relation.path("key").asText()));
        if (duplicate) throw new MatrixError(400, "M_DUPLICATE_ANNOTATION", "Can't send same reaction twice");
    }

    private Optional<RoomEvent> latestEdit(Room room, RoomEvent original) {
        if (original.redacted() || original.isEdit() || original.stateKey() != null) return Optional.empty();
        return room.log.stream()
                .map(Stored::event)
                .filter(e -> e.isEdit() && !e.redacted()
                        && original.eventId().equals(e.relatesTo().path("event_id").asText())
                        && e.sender().equals(original.sender()) && e.type().equals(original.type())
                        && e.content().path("m.new_content").isObject())
                .max(Comparator.comparing(RoomEvent::originServerTs).thenComparing(RoomEvent::eventId));
    }

    private Optional<RoomEvent> currentState(Room room, String type, String stateKey) {
        for (int i = room.log.size() - 1; i >= 0; i--) {
            var event = room.log.get(i).event();
            if (type.equals(event.type()) && stateKey.equals(event.stateKey())) return Optional.of(event);
        }
        return Optional.empty();
    }

    private Room room(String roomId) {
        var room = rooms.get(roomId);
        if (room == null) throw new IllegalArgumentException("no room " + roomId);
        return room;
    }

    private Room joinedRoom(String roomId, Session session) {
        synchronized (lock) {
            var room = rooms.get(roomId);
            if (room == null || !room.joined.contains(session.userId()))
                throw new MatrixError(403, "M_FORBIDDEN", "User " + session.userId() + " not in room " + roomId);
            return room;
        }
    }

    private Stored stored(Room room, String eventId) {
        var stored = storedOrNull(room, eventId);
        if (stored == null) throw new IllegalArgumentException("no event " + eventId + " in " + room.id);
        return stored;
    }

    private static Stored storedOrNull(Room room, String eventId) {
        return room.log.stream().filter(s -> s.event().eventId().equals(eventId)).findFirst().orElse(null);
    }

    // Room version 4+ event ids: '$' and the url-safe base64 of a hash; ours hashes the room and stream position.
    private static String eventId(String roomId, long position) {
        try {
            var hash = MessageDigest.getInstance("SHA-256")
                    .digest((roomId + "/" + position).getBytes(StandardCharsets.UTF_8));
            return "$" + Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- pieces

    private Failure takeFailure(String path) {
        synchronized (lock) {
            for (var entry : failures.entrySet()) {
                if (path.startsWith(entry.getKey()) && !entry.getValue().isEmpty()) return entry.getValue().poll();
            }
            return null;
        }
    }

    private void fail(Context ctx, Failure failure) {
        if (failure instanceof Failure.RateLimited limited) {
            var body = object().put("errcode", "M_LIMIT_EXCEEDED").put("error", "Too Many Requests");
            if (limited.body()) body.put("retry_after_ms", limited.retryAfterMs());
            if (limited.header()) ctx.header("Retry-After", String.valueOf((limited.retryAfterMs() + 999) / 1000));
            ctx.status(429).contentType(JSON_TYPE).result(body.toString());
        } else if (failure instanceof Failure.UnknownToken unknown) {
            var body = object().put("errcode", "M_UNKNOWN_TOKEN").put("error", "Access token has expired")
                    .put("soft_logout", unknown.softLogout());
            ctx.status(401).contentType(JSON_TYPE).result(body.toString());
        } else if (failure instanceof Failure.Down) {
            ctx.status(502).contentType("text/html")
                    .result("<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>");
        } else {
            ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData().getConnection().close();
        }
    }

    private ObjectNode bodyObject(Context ctx) {
        var body = ctx.body();
        JsonNode node;
        try {
            node = body.isEmpty() ? null : json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new MatrixError(400, "M_NOT_JSON", "Content not JSON.");
        }
        if (node == null || !node.isObject()) throw new MatrixError(400, "M_NOT_JSON", "Content not JSON object.");
        return (ObjectNode) node;
    }

    private static long intParam(Context ctx, String name, long fallback) {
        var value = ctx.queryParam(name);
        if (value == null) return fallback;
        try {
            long parsed = Long.parseLong(value);
            if (parsed < 0) throw new NumberFormatException();
            return parsed;
        } catch (NumberFormatException e) {
            throw new MatrixError(400, "M_INVALID_PARAM", "Query parameter '" + name + "' must be a non-negative "
                    + "integer: " + value);
        }
    }

    private ObjectNode parse(String answer) {
        try {
            return (ObjectNode) json.readTree(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode object() {
        return json.createObjectNode();
    }

    private static String fullPath(String prefix) {
        return prefix.startsWith("/") ? prefix : V3 + "/" + prefix;
    }

    private static String localpart(String userId) {
        return userId.substring(1, userId.indexOf(':'));
    }

    private static String requireUserId(String userId) {
        if (userId == null || !USER_ID.matcher(userId).matches())
            throw new IllegalArgumentException("user id must look like @name:server: " + userId);
        return userId;
    }

    /** The parts of a sync filter's {@code room} and {@code room.timeline} the fake honours. */
    private record TimelineFilter(int limit, List<String> types, List<String> notTypes, List<String> senders,
                                  List<String> notSenders, List<String> rooms, List<String> notRooms) {

        static TimelineFilter parse(String filter, ObjectMapper json) {
            if (filter == null) return new TimelineFilter(DEFAULT_TIMELINE_LIMIT, null, List.of(), null, List.of(),
                    null, List.of());
            if (!filter.startsWith("{"))
                throw new MatrixError(400, "M_INVALID_PARAM", "The fake keeps no stored filters; pass filter JSON");
            JsonNode node;
            try {
                node = json.readTree(filter);
            } catch (JsonProcessingException e) {
                throw new MatrixError(400, "M_NOT_JSON", "filter is not JSON");
            }
            var room = node.path("room");
            var timeline = room.path("timeline");
            int limit = timeline.path("limit").asInt(DEFAULT_TIMELINE_LIMIT);
            if (limit < 1) throw new MatrixError(400, "M_INVALID_PARAM", "timeline limit must be positive: " + limit);
            return new TimelineFilter(limit, list(timeline.get("types")), orEmpty(list(timeline.get("not_types"))),
                    list(timeline.get("senders")), orEmpty(list(timeline.get("not_senders"))),
                    list(room.get("rooms")), orEmpty(list(room.get("not_rooms"))));
        }

        boolean allowsRoom(String roomId) {
            return (rooms == null || rooms.contains(roomId)) && !notRooms.contains(roomId);
        }

        boolean allows(RoomEvent event) {
            return (types == null || matchesAny(types, event.type())) && !matchesAny(notTypes, event.type())
                    && (senders == null || senders.contains(event.sender())) && !notSenders.contains(event.sender());
        }

        // Filter types may end in or contain '*', matching any run of characters.
        private static boolean matchesAny(List<String> patterns, String value) {
            return patterns.stream().anyMatch(p -> Pattern.matches(
                    Pattern.quote(p).replace("*", "\\E.*\\Q"), value));
        }

        private static List<String> list(JsonNode array) {
            if (array == null || !array.isArray()) return null;
            var values = new ArrayList<String>();
            array.forEach(v -> values.add(v.asText()));
            return values;
        }

        private static List<String> orEmpty(List<String> list) {
            return list == null ? List.of() : list;
        }
    }
}
