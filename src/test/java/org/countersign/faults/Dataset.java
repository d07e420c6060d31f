package org.countersign.faults;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import redis.clients.jedis.UnifiedJedis;

/**
 * Every key Countersign stored under a prefix, with its value, read type by type: equal datasets hold the same data.
 * Rate-limit counters are left out: they count requests (the test's own reads too) and expire by themselves.
 */
record Dataset(Map<String, String> values) {
    static Dataset of(UnifiedJedis redis, String prefix) {
        var values = new TreeMap<String, String>();
        for (var key : redis.keys(prefix + "*")) {
            if (key.startsWith(prefix + "rate:") || key.startsWith(prefix + "kv:throttle-told:")) continue;
            var value = switch (redis.type(key)) {
                case "string" -> redis.get(key);
                case "hash" -> new TreeMap<>(redis.hgetAll(key)).toString();
                case "list" -> redis.lrange(key, 0, -1).toString();
                case "set" -> new TreeSet<>(redis.smembers(key)).toString();
                case "zset" -> redis.zrangeWithScores(key, 0, -1).toString();
                case "stream" -> redis.xrange(key, "-", "+", Integer.MAX_VALUE).stream()
                        .map(e -> e.getID() + "=" + new TreeMap<>(e.getFields())).toList().toString();
                default -> "?";
            };
            values.put(key, value);
        }
        return new Dataset(values);
    }

    int size() { return values.size(); }
}
