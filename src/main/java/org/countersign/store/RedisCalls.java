package org.countersign.store;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Supplier;
import org.countersign.app.StoreUnavailable;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/** Runs Redis commands, turning "Redis cannot serve now" into {@link StoreUnavailable} with a message a person can act on. */
final class RedisCalls {
    private RedisCalls() {}

    static <T> T call(Supplier<T> command) {
        try {
            return command.get();
        } catch (JedisException e) {
            if (!isUnavailable(e)) throw e;
            boolean never = neverConnected(e);
            throw new StoreUnavailable(never
                    ? "state store unavailable; nothing was recorded, try again"
                    : "state store unavailable (" + e.getMessage() + "); a change may not have been recorded, "
                    + "check before trying again", e, !never);
        }
    }

    /**
     * {@link #call} for a step that records nothing of what a person did: a read, with at most the count of the action
     * that asked for it. When Redis cannot serve, nothing was recorded, however far the command got (a pooled
     * connection Redis dropped fails mid-command, which for a write would mean "look before trying again").
     */
    static <T> T read(Supplier<T> command) {
        try {
            return call(command);
        } catch (StoreUnavailable e) {
            if (!e.mayBeRecorded()) throw e;
            throw new StoreUnavailable("state store unavailable (" + e.getCause().getMessage() + "); nothing was "
                    + "recorded, try again", e.getCause(), false);
        }
    }

    /** The server cannot be reached or cannot serve now, as opposed to a bug in what we sent. */
    private static boolean isUnavailable(JedisException e) {
        if (e instanceof JedisConnectionException || e instanceof JedisBusyException) return true;
        if (e instanceof JedisDataException) {
            var m = String.valueOf(e.getMessage());
            return m.startsWith("LOADING") || m.startsWith("READONLY") || m.startsWith("MASTERDOWN")
                    || m.startsWith("TRYAGAIN") || m.startsWith("CLUSTERDOWN");
        }
        // The pool gave no connection: it could not open one, or waited too long for a free one.
        return e.getCause() instanceof JedisConnectionException || e.getCause() instanceof NoSuchElementException;
    }

    /** True when the command surely never reached Redis: no connection, or Redis refused to run it. */
    private static boolean neverConnected(Throwable e) {
        return neverConnected(e, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    // Causes and suppressed exceptions can form a cycle (they did while a Sentinel failover was under way, and this
    // overflowed the stack), so each is looked at once.
    private static boolean neverConnected(Throwable e, Set<Throwable> seen) {
        if (e == null || !seen.add(e)) return false;
        if (e instanceof ConnectException || e instanceof UnknownHostException || e instanceof NoSuchElementException
                || e instanceof JedisDataException) return true;
        // Jedis reports each address it failed to connect to as a suppressed exception.
        for (var s : e.getSuppressed()) if (neverConnected(s, seen)) return true;
        return neverConnected(e.getCause(), seen);
    }
}
