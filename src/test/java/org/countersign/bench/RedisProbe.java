package org.countersign.bench;

import java.net.URI;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * What the benchmark reads from Redis itself: command counters, memory, and the events stream. One connection,
 * used from the benchmark's main thread only; during a measured phase it sends nothing but INFO, which is
 * left out of every count.
 */
final class RedisProbe implements AutoCloseable {
    /**
     * Commands the service runs (on the paths measured here) only inside its scripts: the save, the rate limit, the card
     * ledger, the list read and the leases. An estimate from INFO's counts, which do not tell who ran a command;
     * RedisCommandBudgetTest counts exactly, with MONITOR.
     */
    static final java.util.Set<String> SCRIPT_ONLY = java.util.Set.of("hset", "zadd", "zrem", "rpush", "xadd", "hmget",
            "exists", "pexpire", "zrevrange", "incr", "del", "get", "set");

    private final Jedis jedis;
    private final String prefix;

    RedisProbe(URI redis, String prefix) {
        this.jedis = new Jedis(redis);
        this.prefix = org.countersign.store.RedisConnector.keyPrefix(prefix);
    }


    String version() { return field(jedis.info("server"), "redis_version"); }

    /** CPU seconds Redis has used since it started, its main thread and its I/O threads ({@code INFO cpu}). */
    double cpuSeconds() {
        var info = jedis.info("cpu");
        return Double.parseDouble(field(info, "used_cpu_user")) + Double.parseDouble(field(info, "used_cpu_sys"));
    }

    /** Reads Redis has processed from its clients since it started: about one per round trip, a pipeline being one. */
    long readsProcessed() { return Long.parseLong(field(jedis.info("stats"), "total_reads_processed")); }

    double usedMemoryMib() { return Long.parseLong(field(jedis.info("memory"), "used_memory")) / 1024.0 / 1024.0; }

    /** Calls per command since Redis started; INFO, XINFO and CONFIG are left out (only the benchmark sends them). */
    Map<String, Long> commandCalls() {
        var calls = new TreeMap<String, Long>();
        for (var line : jedis.info("commandstats").split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) continue;
            var name = line.substring("cmdstat_".length(), line.indexOf(':'));
            if (name.equals("info") || name.startsWith("config") || name.startsWith("xinfo")) continue;
            var callsField = line.substring(line.indexOf("calls=") + 6);
            calls.put(name, Long.parseLong(callsField.substring(0, callsField.indexOf(','))));
        }
        return calls;
    }

    static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
        var diff = new TreeMap<String, Long>();
        after.forEach((name, n) -> {
            long d = n - before.getOrDefault(name, 0L);
            if (d != 0) diff.put(name, d);
        });
        return diff;
    }

    /** Commands a client sent (each command of a pipeline counts): all calls less those run inside the save script. */
    static long clientCommands(Map<String, Long> diff) {
        long inside = 0;
        for (var name : SCRIPT_ONLY) inside += diff.getOrDefault(name, 0L);
        return total(diff) - inside;
    }

    static long total(Map<String, Long> diff) { return diff.values().stream().mapToLong(Long::longValue).sum(); }

    /** The id of the newest entry ever added to the events stream ("0-0" before the first). */
    String lastEventId() {
        try {
            return jedis.xinfoStream(prefix + "events").getLastGeneratedId().toString();
        } catch (JedisDataException e) {
            return "0-0";
        }
    }

    /** Entries of the events stream after {@code afterId}, counted by type. */
    Map<String, Long> eventsAfter(String afterId) {
        var counts = new TreeMap<String, Long>();
        var from = new StreamEntryID(afterId);
        while (true) {
            var batch = jedis.xrange(prefix + "events", exclusive(from), StreamEntryID.MAXIMUM_ID, 2000);
            if (batch.isEmpty()) return counts;
            for (var entry : batch) counts.merge(entry.getFields().get("type"), 1L, Long::sum);
            from = batch.get(batch.size() - 1).getID();
        }
    }

    private static StreamEntryID exclusive(StreamEntryID id) {
        return id.getSequence() == Long.MAX_VALUE ? new StreamEntryID(id.getTime() + 1, 0)
                : new StreamEntryID(id.getTime(), id.getSequence() + 1);
    }

    /** Events delivered to {@code group} but not yet acknowledged, or -1 when the group does not exist. */
    long pending(String group) {
        try {
            return jedis.xinfoGroups(prefix + "events").stream().filter(g -> g.getName().equals(group))
                    .mapToLong(g -> g.getPending()).findFirst().orElse(-1);
        } catch (JedisDataException e) {
            return -1;
        }
    }

    /** The id of the newest entry delivered to {@code group}, or "0-0". */
    String lastDelivered(String group) {
        try {
            return jedis.xinfoGroups(prefix + "events").stream().filter(g -> g.getName().equals(group))
                    .map(g -> g.getLastDeliveredId().toString()).findFirst().orElse("0-0");
        } catch (JedisDataException e) {
            return "0-0";
        }
    }

    /** Moves {@code group} to the end of the stream, so events written while the service was down are not delivered. */
    void skipToEnd(String group) {
        try {
            jedis.xgroupSetID(prefix + "events", group, StreamEntryID.XGROUP_LAST_ENTRY);
        } catch (JedisDataException e) {
            // no stream or no group yet: nothing to skip
        }
    }

    long deadLetters(String group) { return jedis.llen(prefix + "deadletter:" + group); }

    long storedRequests() { return jedis.zcard(prefix + "all"); }

    private static String field(String info, String name) {
        for (var line : info.split("\r?\n"))
            if (line.startsWith(name + ":")) return line.substring(name.length() + 1).trim();
        throw new IllegalStateException("INFO has no " + name);
    }

    @Override
    public void close() { jedis.close(); }
}
