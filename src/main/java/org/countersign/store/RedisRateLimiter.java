package org.countersign.store;

import static org.countersign.store.RedisCalls.call;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.countersign.app.RateLimiter;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/**
 * Fixed-window counters in Redis ({@code <p>rate:<limit>:<caller>}): one round trip that counts and, when the
 * window is full, says how long until it ends (EVALSHA: the script's text goes only when Redis lacks it). Shared by
 * every instance, so limits hold across a fleet.
 */
public final class RedisRateLimiter implements RateLimiter {
    // Returns 0 when allowed, else the milliseconds left in the window.
    static final LuaScript COUNT = LuaScript.of("""
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            if n <= tonumber(ARGV[1]) then return 0 end
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
            return ttl
            """);

    private final UnifiedJedis redis;
    private final Keys keys;

    public RedisRateLimiter(UnifiedJedis redis, String prefix) {
        this.redis = redis;
        this.keys = new Keys(prefix);
    }

    @Override
    public Optional<Duration> tryAcquire(String caller, Limit limit) {
        return waitOf(call(() -> COUNT.run(redis, List.of(keys.rate(limit.name(), caller)), args(limit))));
    }

    /** Whether this limiter counts on {@code client}, so a read on it can carry the count ({@link RedisLists}). */
    boolean on(UnifiedJedis client) { return redis == client; }

    /** One action of {@code caller} counted in {@code pipe}: its reply is for {@link #waitOf}. */
    Response<Object> count(AbstractPipeline pipe, String caller, Limit limit) {
        return pipe.evalsha(COUNT.sha(), List.of(keys.rate(limit.name(), caller)), args(limit));
    }

    /** The script's answer as the wait: none when allowed. */
    static Optional<Duration> waitOf(Object reply) {
        var wait = (Long) reply;
        return wait == null || wait == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(wait));
    }

    private static List<String> args(Limit limit) {
        return List.of(Integer.toString(limit.count()), Long.toString(limit.window().toMillis()));
    }
}
