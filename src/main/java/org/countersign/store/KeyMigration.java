package org.countersign.store;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Moves the keys a Countersign before hash tags wrote ({@code cs:seq}, {@code cs:req:12}...) to their tagged names
 * ({@code {cs}:seq}...), once, at start: with {@code RENAMENX}, so a key already under its new name is never
 * overwritten, and only the names Countersign uses, so another deployment's keys under a longer prefix
 * ({@code cs:staging:}) are left alone. Consumer groups, pending entries and expiries move with their keys.
 */
public final class KeyMigration {
    private static final Logger log = LoggerFactory.getLogger(KeyMigration.class);
    static final List<String> NAMES = List.of("seq", "req:*", "open", "state:*", "all", "events", "deadletter:*", "kv:*",
            "lease:*", "session:*", "sessions:*", "signin:*", "rate:*");

    private KeyMigration() {}

    /** Renames the old keys of {@code prefix} (REDIS_PREFIX as given); how many moved. */
    public static long run(UnifiedJedis redis, String prefix) {
        var tagged = Keys.tagged(prefix);
        if (tagged.equals(prefix)) return 0; // it had a tag of its own: the names never changed
        // A Cluster could never save under the old names (CROSSSLOT), and RENAME cannot move a key across slots.
        if (redis instanceof RedisClusterClient) return 0;
        if (!RedisCalls.call(() -> redis.exists(prefix + "seq"))) return 0;
        long moved = 0;
        long kept = 0;
        var glob = escapeGlob(prefix);
        for (var name : NAMES) {
            var cursor = ScanParams.SCAN_POINTER_START;
            do {
                var from = cursor;
                ScanResult<String> page = RedisCalls.call(() -> redis.scan(from, new ScanParams().match(glob + name).count(500)));
                for (var key : page.getResult()) {
                    if (!isOurs(key.substring(prefix.length()), name)) continue;
                    if (RedisCalls.call(() -> redis.renamenx(key, tagged + key.substring(prefix.length()))) == 1) moved++;
                    else kept++;
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        if (moved > 0 || kept > 0)
            log.info("Moved {} Redis keys from {}* to {}* (names under one hash tag, for Redis Cluster){}", moved, prefix,
                    tagged, kept == 0 ? "" : "; " + kept + " left where they were, their new name being taken");
        return moved;
    }

    /** {@code req:*} matches {@code req:12} and {@code req:12:timeline}, never a longer prefix such as {@code req:x:}. */
    private static boolean isOurs(String rest, String name) {
        if (!name.endsWith("*")) return rest.equals(name);
        if (name.equals("req:*")) return rest.matches("req:[0-9]+(:timeline)?");
        return rest.startsWith(name.substring(0, name.length() - 1));
    }

    private static String escapeGlob(String text) {
        return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }
}
