package org.countersign.store;

import static org.countersign.store.RedisCalls.call;

import java.time.Duration;
import java.util.List;
import org.countersign.app.Leases;
import redis.clients.jedis.UnifiedJedis;

/** Leases as Redis keys {@code <p>lease:<name>} holding the holder's name, with a expiry set in milliseconds. */
public final class RedisLeases implements Leases {
    // Take or extend the lease when it is free or ours, in one step.
    static final String ACQUIRE = """
            local holder = redis.call('GET', KEYS[1])
            if holder == false or holder == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              return 1
            end
            return 0
            """;
    static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              return 1
            end
            return 0
            """;
    static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """;

    private final UnifiedJedis redis;
    private final Keys keys;

    public RedisLeases(UnifiedJedis redis, String prefix) {
        this.redis = redis;
        this.keys = new Keys(prefix);
    }

    @Override
    public boolean acquire(String name, String holder, Duration ttl) {
        return run(ACQUIRE, name, holder, ttl);
    }

    @Override
    public boolean renew(String name, String holder, Duration ttl) {
        return run(RENEW, name, holder, ttl);
    }

    @Override
    public void release(String name, String holder) {
        run(RELEASE, name, holder, Duration.ZERO);
    }

    private boolean run(String script, String name, String holder, Duration ttl) {
        return Long.valueOf(1).equals(call(() -> redis.eval(script, List.of(keys.lease(name)),
                List.of(holder, Long.toString(Math.max(1, ttl.toMillis()))))));
    }
}
