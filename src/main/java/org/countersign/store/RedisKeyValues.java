package org.countersign.store;

import static org.countersign.store.RedisCalls.call;

import java.time.Duration;
import java.util.Optional;
import org.countersign.app.KeyValues;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/** {@link KeyValues} as plain Redis strings under {@code <p>kv:}. */
public final class RedisKeyValues implements KeyValues {
    private final UnifiedJedis redis;
    private final Keys keys;

    public RedisKeyValues(UnifiedJedis redis, String prefix) {
        this.redis = redis;
        this.keys = new Keys(prefix);
    }

    @Override
    public Optional<String> get(String key) {
        return Optional.ofNullable(call(() -> redis.get(keys.value(key))));
    }

    @Override
    public void put(String key, String value, Duration ttl) {
        call(() -> redis.set(keys.value(key), value, ttl == null ? new SetParams() : SetParams.setParams().px(ttl.toMillis())));
    }

    @Override
    public boolean putIfAbsent(String key, String value, Duration ttl) {
        var params = SetParams.setParams().nx();
        if (ttl != null) params.px(ttl.toMillis());
        return "OK".equals(call(() -> redis.set(keys.value(key), value, params)));
    }

    @Override
    public void delete(String key) {
        call(() -> redis.del(keys.value(key)));
    }
}
