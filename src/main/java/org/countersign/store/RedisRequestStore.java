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
import org.countersign.app.RequestStore;
import org.countersign.app.StoreUnavailable;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.ZRangeParams;

/**
 * Requests in Redis. Every key starts with a prefix ({@code cs:} by default), shown as {@code <p>}:
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
 * opened in the same millisecond sort by number. A save is one Lua script, so the version check, the request, its timeline, its stream entries and the
 * indexes change together or not at all, in one round trip. Every key is under one hash tag ({@link Keys}), so on a
 * Redis Cluster they all live in one slot and the script runs there as anywhere.
 */
public final class RedisRequestStore implements RequestStore {
    public static final String DEFAULT_PREFIX = "cs:";
    public static final long DEFAULT_STREAM_MAX_LENGTH = 100_000;

    // KEYS: request, timeline, open, all, events, then one state set per State in declaration order.
    // ARGV: expected version (0 = create), new version, request JSON, index of the new state's key among the
    // state keys (1-based), member, created millis, deadline millis, "1" if it has a deadline, stream cap, request id,
    // the new state's name, then (type, event id, event JSON) for each event. The request's state is kept in its hash
    // ({@code s}), so a save moves it out of its old state's set only; a request saved before the field existed is
    // removed from every state set but its own, which also heals a set left stale by hand.
    static final String SAVE_SCRIPT = """
            local current = redis.call('HMGET', KEYS[1], 'v', 's')
            if ARGV[1] == '0' then
              if current[1] then return 0 end
            elseif current[1] ~= ARGV[1] then
              return 0
            end
            redis.call('HSET', KEYS[1], 'v', ARGV[2], 'json', ARGV[3], 's', ARGV[11])
            local member = ARGV[5]
            local target = tonumber(ARGV[4])
            if current[2] ~= ARGV[11] then
              redis.call('ZADD', KEYS[5 + target], ARGV[6], member)
            end
            if ARGV[1] ~= '0' and current[2] ~= ARGV[11] then
              for i = 6, #KEYS do
                if i - 5 ~= target and (not current[2] or KEYS[i]:sub(-#current[2] - 1) == ':' .. current[2]) then
                  redis.call('ZREM', KEYS[i], member)
                end
              end
            end
            if ARGV[8] == '1' then
              redis.call('ZADD', KEYS[3], ARGV[7], member)
            elseif current[1] then
              redis.call('ZREM', KEYS[3], member)
            end
            if ARGV[1] == '0' then
              redis.call('ZADD', KEYS[4], ARGV[6], member)
            end
            for i = 12, #ARGV, 3 do
              redis.call('RPUSH', KEYS[2], ARGV[i + 2])
              redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[9], '*',
                'type', ARGV[i], 'request', ARGV[10], 'id', ARGV[i + 1], 'event', ARGV[i + 2])
            end
            return 1
            """;
    static final String SAVE_SHA = LuaScript.sha1(SAVE_SCRIPT);

    // KEYS: sorted sets scored by creation. ARGV: how many, the request keys' prefix. The newest requests among the
    // sets, newest first (ties: the higher number first), as their JSON, in one step.
    static final LuaScript RECENT = LuaScript.of("""
            local limit = tonumber(ARGV[1])
            local newest = {}
            for i = 1, #KEYS do
              local found = redis.call('ZREVRANGE', KEYS[i], 0, limit - 1, 'WITHSCORES')
              for j = 1, #found, 2 do newest[#newest + 1] = {tonumber(found[j + 1]), found[j]} end
            end
            table.sort(newest, function(a, b)
              if a[1] ~= b[1] then return a[1] > b[1] end
              return a[2] > b[2]
            end)
            local texts = {}
            for i = 1, math.min(limit, #newest) do
              local text = redis.call('HGET', ARGV[2] .. (newest[i][2]:gsub('^0+', '')), 'json')
              if text then texts[#texts + 1] = text end
            end
            return texts
            """);

    /** How long a save waits for REDIS_MIN_REPLICAS replicas to have it (WAIT), below the client's socket timeout. */
    static final long REPLICA_WAIT_MILLIS = 1_000;

    private final UnifiedJedis redis;
    private final Keys keys;
    private final long streamMaxLength;
    private final int minReplicas;
    private final ObjectMapper json = DomainJson.mapper();
    private final RedisArchive archive;

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
    }

    /** An entry of the events stream: its stream id ({@code 1718000000000-0}) and the event. */
    public record StreamedEvent(String streamId, Event event) {}

    @Override
    public RequestId nextId() {
        return new RequestId(call(() -> redis.incr(keys.seq())));
    }

    @Override
    public Optional<EmergencyRequest> find(RequestId id) {
        var text = call(() -> redis.hget(keys.request(id), "json"));
        return Optional.ofNullable(text).map(t -> read(t, EmergencyRequest.class));
    }

    @Override
    public boolean save(EmergencyRequest request, long expectedVersion, List<Event> events) {
        if (expectedVersion < 0 || request.version() <= expectedVersion)
            throw new IllegalArgumentException("version " + request.version() + " does not follow " + expectedVersion
                    + " for " + request.id());
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
        args.add(write(request));
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
        return Long.valueOf(1).equals(call(() -> runSave(keyList, args)));
    }

    private Object runSave(List<String> keyList, List<String> args) {
        if (minReplicas > 0) return replicated(keyList, args);
        try {
            return redis.evalsha(SAVE_SHA, keyList, args);
        } catch (JedisNoScriptException e) {
            // Redis restarted or its script cache was flushed: EVAL runs the script and caches it again.
            return redis.eval(SAVE_SCRIPT, keyList, args);
        }
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
            saved = sendScript ? pipe.eval(SAVE_SCRIPT, keyList, args) : pipe.evalsha(SAVE_SHA, keyList, args);
            replicas = pipe.waitReplicas(keyList.get(0), minReplicas, REPLICA_WAIT_MILLIS);
            pipe.sync();
        }
        Object outcome;
        try {
            outcome = saved.get();
        } catch (JedisDataException e) {
            if (!sendScript && String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) return null;
            throw e;
        }
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

    /** One step: the newest among the sets and their JSON, read by a script. */
    @Override
    public List<EmergencyRequest> recent(Set<State> states, int limit) {
        if (limit < 1) return List.of();
        var sets = states.isEmpty() ? List.of(keys.all()) : states.stream().sorted().map(keys::state).toList();
        var texts = (List<?>) call(() -> RECENT.run(redis, sets, List.of(Integer.toString(limit), keys.requestPrefix())));
        return texts.stream().map(t -> read((String) t, EmergencyRequest.class)).toList();
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
        return texts.stream().filter(t -> t != null).map(t -> read(t, EmergencyRequest.class)).toList();
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

    private <T> T read(String text, Class<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored " + type.getSimpleName() + " is not readable: " + e.getOriginalMessage(), e);
        }
    }
}
