package org.countersign.store;

import static org.countersign.store.RedisCalls.call;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
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

    /** Whether this limiter counts on {@code client}, so a read on it can carry the count ({@link #countedWith}). */
    boolean on(UnifiedJedis client) { return redis == client; }

    /**
     * One action of {@code caller} counted under {@code limit} in one pipeline with {@code read}: one write and one
     * read where there would be two round trips. Held, the read's reply is not looked at; else it is handed back, for
     * the caller to take (a script's reply may say Redis did not have it: {@link LuaScript#replyOrUncached}). A count
     * script Redis forgot counted nothing, so the action is counted again alone, never twice. Unserved, nothing of what
     * the person did was recorded ({@link RedisCalls#read}).
     */
    <T> Counted<Response<T>> countedWith(String caller, Limit limit, Function<AbstractPipeline, Response<T>> read) {
        record Sent<T>(Response<Object> count, Response<T> read) {}
        var sent = RedisCalls.read(() -> {
            try (var pipe = redis.pipelined()) {
                var both = new Sent<>(pipe.evalsha(COUNT.sha(), List.of(keys.rate(limit.name(), caller)), args(limit)),
                        read.apply(pipe));
                pipe.sync();
                return both;
            }
        });
        var counted = RedisCalls.read(() -> LuaScript.replyOrUncached(sent.count()));
        var wait = counted == null ? tryAcquire(caller, limit) : waitOf(counted);
        return wait.isPresent() ? Counted.held(wait.get()) : Counted.read(sent.read());
    }

    /** The script's answer as the wait: none when allowed. */
    private static Optional<Duration> waitOf(Object reply) {
        var wait = (Long) reply;
        return wait == null || wait == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(wait));
    }

    private static List<String> args(Limit limit) {
        return List.of(Integer.toString(limit.count()), Long.toString(limit.window().toMillis()));
    }
}
