package org.countersign.store;

import static org.countersign.store.RedisCalls.call;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.countersign.app.CardLedger;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.RequestId;
import redis.clients.jedis.UnifiedJedis;

/**
 * {@link CardLedger} in one script each way, over the keys {@link RedisLeases}, {@link RedisKeyValues} and
 * {@link RedisRequestStore} use, so it shares leases, card references and reply notes with them (and every key is
 * under the deployment's hash tag, so a Cluster runs each script in one slot).
 */
public final class RedisCardLedger implements CardLedger {
    // KEYS: lease, card, reply, request. ARGV: holder, lease millis. Returns {leased 1/0, card or '', replied 1/0, json or ''}.
    static final LuaScript BEGIN = LuaScript.of("""
            local holder = redis.call('GET', KEYS[1])
            local leased = 0
            if holder == false or holder == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              leased = 1
            end
            local card = redis.call('GET', KEYS[2])
            local json = redis.call('HGET', KEYS[4], 'json')
            return {leased, card or '', redis.call('EXISTS', KEYS[3]), json or ''}
            """);
    // KEYS: lease, card, reply, request. ARGV: holder, lease millis, card, shown version, reply or '', reply millis,
    // release 1/0. Returns the request's JSON when it is newer than shown (the lease kept and extended), else ''.
    // A holder whose lease expired during a slow call writes its card only where none is noted yet (nothing, or the
    // "posting <millis>" note of CardRef), never over the new holder's, and leaves the newer version to that holder.
    static final LuaScript FINISH = LuaScript.of("""
            local ours = redis.call('GET', KEYS[1]) == ARGV[1]
            local card = redis.call('GET', KEYS[2])
            if ours or card == false or string.sub(card, 1, 8) == 'posting ' then
              redis.call('SET', KEYS[2], ARGV[3])
            end
            if ARGV[5] ~= '' then redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[6]) end
            if not ours then return '' end
            local stored = redis.call('HMGET', KEYS[4], 'v', 'json')
            if stored[1] and tonumber(stored[1]) > tonumber(ARGV[4]) then
              if ours then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
              return stored[2]
            end
            if ours and ARGV[7] == '1' then redis.call('DEL', KEYS[1]) end
            return ''
            """);

    private final UnifiedJedis redis;
    private final Keys keys;
    private final RedisLeases leases;
    private final RedisRequestStore requests;

    public RedisCardLedger(UnifiedJedis redis, String prefix) {
        this(redis, prefix, new RedisRequestStore(redis, prefix));
    }

    /**
     * Decoding requests as {@code requests} does, and sharing the ones it decoded lately: a card update reads the version
     * a press just wrote, and the next press on that request reads it again on its ack.
     */
    public RedisCardLedger(UnifiedJedis redis, String prefix, RedisRequestStore requests) {
        this.redis = redis;
        this.keys = new Keys(prefix);
        this.leases = new RedisLeases(redis, prefix);
        this.requests = requests;
    }

    @Override
    public Begun begin(RequestId id, String lease, String holder, Duration ttl, String cardKey, String replyKey) {
        var answer = (List<?>) call(() -> BEGIN.run(redis, keyList(lease, cardKey, replyKey, id),
                List.of(holder, millis(ttl))));
        return new Begun(Long.valueOf(1).equals(answer.get(0)), request(answer.get(3)), text(answer.get(1)),
                Long.valueOf(1).equals(answer.get(2)));
    }

    @Override
    public Optional<EmergencyRequest> finish(Done done) {
        var reply = done.replyKey() == null || done.reply() == null ? "" : done.reply();
        var replyKey = done.replyKey() == null ? done.cardKey() : done.replyKey();
        var answer = call(() -> FINISH.run(redis, keyList(done.lease(), done.cardKey(), replyKey, done.id()),
                List.of(done.holder(), millis(done.ttl()), done.card(), Long.toString(done.shown()), reply,
                        millis(done.replyTtl()), done.release() ? "1" : "0")));
        return request(answer);
    }

    @Override
    public void release(String lease, String holder) { leases.release(lease, holder); }

    private List<String> keyList(String lease, String cardKey, String replyKey, RequestId id) {
        return List.of(keys.lease(lease), keys.value(cardKey), keys.value(replyKey), keys.request(id));
    }

    private static String millis(Duration d) { return Long.toString(Math.max(1, d.toMillis())); }

    private static Optional<String> text(Object value) {
        return value instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
    }

    private Optional<EmergencyRequest> request(Object value) {
        var text = text(value);
        if (text.isEmpty()) return Optional.empty();
        return Optional.of(requests.request(text.get()));
    }
}
