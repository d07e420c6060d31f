package org.countersign.store;

import static org.countersign.store.RedisCalls.call;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.countersign.app.Archive;
import org.countersign.app.RequestStore.Kept;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ZRangeParams;
import redis.clients.jedis.resps.Tuple;

/**
 * The archive in Redis: finished requests past {@code retain-for} leave {@code <p>req:<n>}, its timeline and every
 * index, and become one field of a hash of a thousand, {@code <p>archive:<n / 1000>}, field {@code <n>}: the request
 * and its timeline as JSON, deflated with a dictionary of the words every request repeats ({@link ArchiveCodec}). It
 * stays in Redis, so every instance's audit export reads it and nothing else must be backed up or shared; it is read
 * only by the export, by number, so it needs no index of its own.
 */
public final class RedisArchive implements Archive {
    /** Requests per archive hash. */
    static final int BUCKET = 1000;
    private static final List<State> FINISHED = java.util.Arrays.stream(State.values()).filter(State::isFinal).toList();

    // KEYS: request, timeline, open, all, archive bucket, then one state set per State. ARGV: expected version, field,
    // archived bytes, member. The version check makes the move atomic with any change made since it was read.
    static final String ARCHIVE_SCRIPT = """
            if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
            redis.call('HSET', KEYS[5], ARGV[2], ARGV[3])
            redis.call('DEL', KEYS[1], KEYS[2])
            for i = 3, #KEYS do
              if i ~= 5 then redis.call('ZREM', KEYS[i], ARGV[4]) end
            end
            return 1
            """;

    private final UnifiedJedis redis;
    private final Keys keys;
    private final ObjectMapper json = DomainJson.mapper();

    public RedisArchive(UnifiedJedis redis, String prefix) {
        this.redis = redis;
        this.keys = new Keys(prefix);
    }

    @Override
    public List<RequestId> finishedOpenedBefore(Instant before, int skip, int limit) {
        if (limit < 1) return List.of();
        List<Tuple> found = call(() -> {
            try (var pipe = redis.pipelined()) {
                var params = ZRangeParams.zrangeByScoreParams(Double.NEGATIVE_INFINITY, before.toEpochMilli())
                        .limit(0, skip + limit);
                var replies = FINISHED.stream().map(s -> pipe.zrangeWithScores(keys.state(s), params)).toList();
                pipe.sync();
                return replies.stream().flatMap(r -> r.get().stream()).toList();
            }
        });
        return found.stream().sorted(Comparator.comparingDouble(Tuple::getScore).thenComparing(Tuple::getElement))
                .skip(skip).limit(limit).map(t -> Keys.idOf(t.getElement())).toList();
    }

    @Override
    public boolean archive(RequestId id, Instant changedBefore) {
        var live = call(() -> {
            try (var pipe = redis.pipelined()) {
                var fields = pipe.hmget(keys.request(id), "v", "json");
                var timeline = pipe.lrange(keys.timeline(id), 0, -1);
                pipe.sync();
                return new Object[] {fields.get(), timeline.get()};
            }
        });
        @SuppressWarnings("unchecked") var fields = (List<String>) live[0];
        @SuppressWarnings("unchecked") var timeline = (List<String>) live[1];
        if (fields.get(0) == null || fields.get(1) == null) return false;
        var request = read(fields.get(1), EmergencyRequest.class);
        if (!request.state().isFinal() || request.updated().isAfter(changedBefore)) return false;
        var blob = ArchiveCodec.pack(fields.get(1), timeline);
        var keyList = new ArrayList<byte[]>();
        for (var k : List.of(keys.request(id), keys.timeline(id), keys.open(), keys.all(), bucket(id.number())))
            keyList.add(bytes(k));
        for (var s : State.values()) keyList.add(bytes(keys.state(s)));
        var args = List.of(bytes(fields.get(0)), bytes(Long.toString(id.number())), blob, bytes(Keys.member(id)));
        return Long.valueOf(1).equals(call(() -> redis.eval(bytes(ARCHIVE_SCRIPT), keyList, args)));
    }

    /** Requests {@code from} to {@code from + count - 1}, live ones first looked for, then archived ones. */
    List<Kept> history(long from, int count) {
        var numbers = new ArrayList<Long>();
        for (long n = Math.max(1, from); n < from + count; n++) numbers.add(n);
        if (numbers.isEmpty()) return List.of();
        // Live first: a request only ever moves from live to archived, so one moved in between is found there.
        var live = call(() -> {
            try (var pipe = redis.pipelined()) {
                var requests = new ArrayList<Response<String>>();
                var timelines = new ArrayList<Response<List<String>>>();
                for (var n : numbers) {
                    requests.add(pipe.hget(keys.request(new RequestId(n)), "json"));
                    timelines.add(pipe.lrange(keys.timeline(new RequestId(n)), 0, -1));
                }
                pipe.sync();
                var out = new ArrayList<Kept>();
                for (int i = 0; i < numbers.size(); i++)
                    out.add(requests.get(i).get() == null ? null : kept(requests.get(i).get(), timelines.get(i).get()));
                return out;
            }
        });
        var missing = new ArrayList<Long>();
        for (int i = 0; i < numbers.size(); i++) if (live.get(i) == null) missing.add(numbers.get(i));
        var archived = call(() -> {
            try (var pipe = redis.pipelined()) {
                var replies = missing.stream().map(n -> pipe.hget(bytes(bucket(n)), bytes(Long.toString(n)))).toList();
                pipe.sync();
                return replies.stream().map(Response::get).toList();
            }
        });
        var out = new ArrayList<Kept>();
        int m = 0;
        for (var k : live) {
            if (k != null) {
                out.add(k);
                continue;
            }
            var blob = archived.get(m++);
            if (blob == null) continue; // a number handed out whose request was never saved
            var unpacked = ArchiveCodec.unpack(blob);
            out.add(kept(unpacked.request(), unpacked.timeline()));
        }
        return out;
    }

    long highestNumber() {
        var seq = call(() -> redis.get(keys.seq()));
        return seq == null ? 0 : Long.parseLong(seq);
    }

    private String bucket(long number) { return keys.prefix() + "archive:" + number / BUCKET; }

    private Kept kept(String request, List<String> timeline) {
        return new Kept(read(request, EmergencyRequest.class), timeline.stream().map(t -> read(t, Event.class)).toList());
    }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private <T> T read(String text, Class<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("archived " + type.getSimpleName() + " is not readable: "
                    + e.getOriginalMessage(), e);
        }
    }
}
