package org.countersign.store;

import java.util.Map;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XAddParams;

/** Writes to a prefix's events stream directly, as another (newer, or broken) writer would. */
public final class RawStream {
    private RawStream() {}

    /** XADD of these fields, as they are; the entry's stream id. */
    public static String add(String prefix, Map<String, String> fields) {
        return TestRedis.client().xadd(new Keys(prefix).events(), XAddParams.xAddParams(), fields).toString();
    }

    /** XTRIM MAXLEN = {@code keep}: what is older goes, pending or not. */
    public static void trim(String prefix, long keep) {
        TestRedis.client().xtrim(new Keys(prefix).events(), keep, false);
    }

    /** Whether the entry is still in the stream. */
    public static boolean holds(String prefix, String streamId) {
        var id = new StreamEntryID(streamId);
        return !TestRedis.client().xrange(new Keys(prefix).events(), id, id, 1).isEmpty();
    }
}
