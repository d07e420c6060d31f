package org.countersign.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.countersign.app.RateLimiter;
import org.countersign.app.RequestStore;
import org.countersign.app.StoreUnavailable;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ZRangeParams;

/**
 * Requests in Redis. Every key starts with a hash-tagged prefix ({@code {cs}:} by default, {@link Keys}), shown as {@code <p>}:
 * <ul>
 *   <li>{@code <p>seq} — a counter; {@code INCR} hands out request numbers.</li>
 *   <li>{@code <p>req:<n>} — a hash: {@code v} the version, {@code json} the request as JSON.</li>
 *   <li>{@code <p>req:<n>:timeline} — a list of the request's events as JSON, oldest first.</li>
 *   <li>{@code <p>open} — a sorted set of the requests that expire unless something happens first, scored by
 *       {@link EmergencyRequest#deadline() deadline} (epoch millis): pending ones by their expiry, approved ones by
 *       when their approvals go stale.</li>
 *   <li>{@code <p>state:<STATE>} — one sorted set per state of requests, scored by creation (epoch millis).</li>
 *   <li>{@code <p>all} — a sorted set of every request, scored by creation (epoch millis).</li>
 *   <li>{@code <p>events} — a stream, capped with {@code MAXLEN ~}; each entry has {@code type} (the event's wire
 *       name), {@code request} ({@code EMG-12}), {@code id} (the event id) and {@code event} (the event as JSON).</li>
 * </ul>
 * In the sorted sets a request is its number padded to 19 digits ({@code 0000000000000000012}), so requests
 * opened in the same millisecond sort by number. A save is one Lua script ({@link RequestScripts}), so the version check, the request, its timeline, its stream entries and the
 * indexes change together or not at all, in one round trip. Every key is under one hash tag ({@link Keys}), so on a
 * Redis Cluster they all live in one slot and the script runs there as anywhere.
 */
public final class RedisRequestStore implements RequestStore {
    public static final String DEFAULT_PREFIX = "cs:";
    public static final long DEFAULT_STREAM_MAX_LENGTH = 100_000;

    /** How long a save waits for REDIS_MIN_REPLICAS replicas to have it (WAIT), below the client's socket timeout. */
    static final long REPLICA_WAIT_MILLIS = 1_000;

    private final UnifiedJedis redis;
    private final Keys keys;
    private final long streamMaxLength;
    private final int minReplicas;
    private final ObjectMapper json = DomainJson.mapper();
    private final DecodedRequests decoded = new DecodedRequests(DecodedRequests.CAPACITY);
    private final RedisArchive archive;
    /** The lists {@link #recent} reads, and the last one read per sets and limit. */
    private final RedisLists lists;

    public RedisRequestStore(UnifiedJedis redis) { this(redis, DEFAULT_PREFIX, DEFAULT_STREAM_MAX_LENGTH); }

    public RedisRequestStore(UnifiedJedis redis, String prefix) { this(redis, prefix, DEFAULT_STREAM_MAX_LENGTH); }

    /** @param streamMaxLength roughly how many entries the events stream keeps ({@code XADD MAXLEN ~}) */
    public RedisRequestStore(UnifiedJedis redis, String prefix, long streamMaxLength) {
        this(redis, prefix, streamMaxLength, 0);
    }

    /**
     * @param minReplicas how many replicas must have a save before it counts as done (REDIS_MIN_REPLICAS: {@code WAIT}
     *                    after the script, on its connection); 0 acknowledges once the master has it
     */
    public RedisRequestStore(UnifiedJedis redis, String prefix, long streamMaxLength, int minReplicas) {
        if (streamMaxLength < 1) throw new IllegalArgumentException("stream max length < 1: " + streamMaxLength);
        if (minReplicas < 0) throw new IllegalArgumentException("min replicas < 0: " + minReplicas);
        this.redis = redis;
        this.keys = new Keys(prefix);
        this.streamMaxLength = streamMaxLength;
        this.minReplicas = minReplicas;
        this.archive = new RedisArchive(redis, prefix);
        this.lists = new RedisLists(redis, keys, this::request);
    }

    /** An entry of the events stream: its stream id ({@code 1718000000000-0}) and the event. */
    public record StreamedEvent(String streamId, Event event) {}

    @Override
    public RequestId nextId() {
        return new RequestId(call(() -> redis.incr(keys.seq())));
    }

    @Override
    public Optional<EmergencyRequest> find(RequestId id) {
        var text = RedisCalls.read(() -> redis.hget(keys.request(id), "json"));
        return Optional.ofNullable(text).map(this::request);
    }

    /** The count and the read in one pipeline when the limiter counts on this store's Redis, as a list's are. */
    @Override
    public RateLimiter.Counted<Optional<EmergencyRequest>> find(RequestId id, RateLimiter limiter, String caller,
                                                                RateLimiter.Limit rate) {
        if (!(limiter instanceof RedisRateLimiter counting && counting.on(redis)))
            return RequestStore.super.find(id, limiter, caller, rate);
        return counting.countedWith(caller, rate, pipe -> pipe.hget(keys.request(id), "json"))
                .map(text -> Optional.ofNullable(RedisCalls.read(text::get)).map(this::request));
    }

    @Override
    public boolean save(EmergencyRequest request, long expectedVersion, List<Event> events) {
        if (expectedVersion < 0 || request.version() <= expectedVersion)
            throw new IllegalArgumentException("version " + request.version() + " does not follow " + expectedVersion
                    + " for " + request.id());
        // Every change is an event: the card publisher follows the stream, and a list is read anew when it moves.
        if (events.isEmpty()) throw new IllegalArgumentException("a save of " + request.id() + " records no event");
        for (var e : events)
            if (!e.request().equals(request.id()))
                throw new IllegalArgumentException("event " + e.id() + " is not about " + request.id());
        if (request.state() == State.PENDING && request.expires() == null)
            throw new IllegalArgumentException("pending " + request.id() + " has no expiry");

        var keyList = new ArrayList<String>(List.of(keys.request(request.id()), keys.timeline(request.id()),
                keys.open(), keys.all(), keys.events()));
        for (var s : State.values()) keyList.add(keys.state(s));
        var args = new ArrayList<String>(11 + 3 * events.size());
        args.add(Long.toString(expectedVersion));
        args.add(Long.toString(request.version()));
        var text = write(request);
        args.add(text);
        args.add(Integer.toString(request.state().ordinal() + 1));
        args.add(Keys.member(request.id()));
        args.add(Long.toString(request.created().toEpochMilli()));
        var deadline = request.deadline();
        args.add(deadline.map(d -> Long.toString(d.toEpochMilli())).orElse(""));
        args.add(deadline.isPresent() ? "1" : "0");
        args.add(Long.toString(streamMaxLength));
        args.add(request.id().toString());
        args.add(request.state().name());
        for (var e : events) {
            args.add(e.type().wire());
            args.add(e.id());
            args.add(write(e));
        }
        boolean saved = Long.valueOf(1).equals(call(() -> runSave(keyList, args)));
        if (saved) decoded.remember(text, request);
        return saved;
    }

    private Object runSave(List<String> keyList, List<String> args) {
        if (minReplicas > 0) return replicated(keyList, args);
        // EVALSHA, and EVAL when Redis restarted or its script cache was flushed (it caches the script again).
        return RequestScripts.SAVE.run(redis, keyList, args);
    }

    /**
     * The script and {@code WAIT} in one pipeline: WAIT counts the replicas that have this connection's writes, so it
     * must follow the script on the same connection. Fewer replicas than asked is not a save to acknowledge.
     */
    private Object replicated(List<String> keyList, List<String> args) {
        var outcome = scriptThenWait(keyList, args, false);
        if (outcome == null) outcome = scriptThenWait(keyList, args, true);
        return outcome;
    }

    /** The script's answer, or null when Redis did not have the script cached (nothing was written then). */
    private Object scriptThenWait(List<String> keyList, List<String> args, boolean sendScript) {
        Response<Object> saved;
        Response<Long> replicas;
        try (var pipe = redis.pipelined()) {
            saved = sendScript ? pipe.eval(RequestScripts.SAVE.text(), keyList, args) : pipe.evalsha(RequestScripts.SAVE.sha(), keyList, args);
            replicas = pipe.waitReplicas(keyList.get(0), minReplicas, REPLICA_WAIT_MILLIS);
            pipe.sync();
        }
        var outcome = LuaScript.replyOrUncached(saved); // sent as text, the script is never uncached
        if (outcome == null) return null;
        long have = replicas.get();
        if (Long.valueOf(1).equals(outcome) && have < minReplicas)
            throw new StoreUnavailable("state store: the change is on the Redis master but on " + have + " of the "
                    + minReplicas + " replicas REDIS_MIN_REPLICAS asks for after " + REPLICA_WAIT_MILLIS + " ms, so a "
                    + "failover now could lose it; check before trying again", null, true);
        return outcome;
    }

    @Override public List<Event> timeline(RequestId id) {
        return call(() -> redis.lrange(keys.timeline(id), 0, -1)).stream().map(t -> read(t, Event.class)).toList();
    }

    /**
     * One step: the newest among the sets and their JSON, read by a script; or, when nothing that could change the list
     * has happened since this store last read it, the list it read then, with nothing but the generation on the wire
     * ({@link RequestScripts#RECENT}).
     */
    @Override
    public List<EmergencyRequest> recent(Set<State> states, int limit) { return lists.recent(states, limit); }

    /** One pipeline for the count and the list when the limiter counts on this store's Redis ({@link RedisLists}). */
    @Override
    public RateLimiter.Counted<List<EmergencyRequest>> recent(Set<State> states, int limit, RateLimiter limiter,
                                                              String caller, RateLimiter.Limit rate) {
        if (limit < 1 || !(limiter instanceof RedisRateLimiter counting && counting.on(redis)))
            return RequestStore.super.recent(states, limit, limiter, caller, rate);
        return lists.recentCounted(states, limit, counting, caller, rate);
    }

    @Override
    public List<EmergencyRequest> opened(long offset, int limit) {
        if (limit < 1 || offset < 0) return List.of();
        List<String> members = call(() -> redis.zrange(keys.all(), ZRangeParams.zrangeParams(offset, offset + limit - 1)));
        return findAll(members.stream().map(Keys::idOf).toList());
    }

    /** One round trip for every timeline. */
    @Override
    public List<List<Event>> timelines(List<RequestId> ids) {
        if (ids.isEmpty()) return List.of();
        List<List<String>> texts = call(() -> {
            try (var pipe = redis.pipelined()) {
                var replies = ids.stream().map(id -> pipe.lrange(keys.timeline(id), 0, -1)).toList();
                pipe.sync();
                return replies.stream().map(Response::get).toList();
            }
        });
        return texts.stream().map(list -> list.stream().map(t -> read(t, Event.class)).toList()).toList();
    }

    private List<EmergencyRequest> findAll(List<RequestId> ids) {
        if (ids.isEmpty()) return List.of();
        List<String> texts = call(() -> {
            try (var pipe = redis.pipelined()) {
                var replies = ids.stream().map(id -> pipe.hget(keys.request(id), "json")).toList();
                pipe.sync();
                return replies.stream().map(Response::get).toList();
            }
        });
        // Skip a missing one (archived meanwhile) rather than fail the whole list.
        return texts.stream().filter(t -> t != null).map(this::request).toList();
    }

    @Override
    public List<RequestId> dueForExpiry(Instant now, int limit) {
        if (limit < 1) return List.of();
        var due = ZRangeParams.zrangeByScoreParams(Double.NEGATIVE_INFINITY, now.toEpochMilli()).limit(0, limit);
        return call(() -> redis.zrange(keys.open(), due))
                .stream().map(Keys::idOf).toList();
    }

    @Override
    public Map<State, Long> countByState() {
        return call(() -> {
            try (var pipe = redis.pipelined()) {
                var replies = new EnumMap<State, Response<Long>>(State.class);
                for (var s : State.values()) replies.put(s, pipe.zcard(keys.state(s)));
                pipe.sync();
                var counts = new EnumMap<State, Long>(State.class);
                replies.forEach((s, r) -> counts.put(s, r.get()));
                return counts;
            }
        });
    }

    @Override public long highestNumber() { return archive.highestNumber(); }

    /** Live or archived ({@link RedisArchive}). */
    @Override public List<Kept> history(long from, int count) { return archive.history(from, count); }

    /** The oldest {@code count} entries of the events stream after {@code afterStreamId} ("0-0" for the start). */
    public List<StreamedEvent> readEvents(String afterStreamId, int count) {
        var entries = call(() -> redis.xrange(keys.events(), "(" + new StreamEntryID(afterStreamId), "+", count));
        return entries.stream()
                .map(e -> new StreamedEvent(e.getID().toString(), read(e.getFields().get("event"), Event.class)))
                .toList();
    }

    /** Why Redis cannot be used right now, or empty when it answers. */
    public Optional<String> ping() {
        try {
            var answer = redis.ping();
            return "PONG".equalsIgnoreCase(answer) ? Optional.empty() : Optional.of("Redis answered PING with " + answer);
        } catch (JedisException e) {
            return Optional.of("Redis does not answer: " + e.getMessage());
        }
    }

    String prefix() { return keys.prefix(); }

    private static <T> T call(Supplier<T> command) { return RedisCalls.call(command); }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /**
     * A stored request's JSON, decoded once for as long as it is among the most recently read (a {@link RedisCardLedger}
     * reads through this too).
     */
    EmergencyRequest request(String text) {
        return decoded.read(text, t -> read(t, EmergencyRequest.class));
    }

    private <T> T read(String text, Class<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored " + type.getSimpleName() + " is not readable: " + e.getOriginalMessage(), e);
        }
    }
}
