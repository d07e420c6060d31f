package org.countersign.store;

import org.countersign.domain.RequestId;
import org.countersign.domain.State;

/**
 * The Redis key layout; see {@link RedisRequestStore} for what each key holds. Every key of a deployment is under one
 * hash tag made of its prefix ({@code cs:} gives {@code {cs}:seq}, {@code {cs}:req:12}...), so a Redis Cluster keeps
 * them all in one slot and the save script, which writes several keys at once, runs there too. A prefix that has a
 * hash tag of its own ({@code app:{cs}:}) is used as it is.
 */
final class Keys {
    private final String prefix;

    Keys(String prefix) {
        if (prefix == null || prefix.isBlank() || prefix.chars().anyMatch(Character::isWhitespace))
            throw new IllegalArgumentException("key prefix must be non-blank without spaces: \"" + prefix + "\"");
        this.prefix = tagged(prefix);
    }

    /** {@code cs:} as {@code {cs}:}, {@code cs} as {@code {cs}}; a prefix with a non-empty {@code {tag}} as it is. */
    static String tagged(String prefix) {
        int open = prefix.indexOf('{');
        if (open >= 0) {
            int close = prefix.indexOf('}', open + 1);
            if (close > open + 1) return prefix;
        }
        return prefix.endsWith(":") && prefix.length() > 1 ? "{" + prefix.substring(0, prefix.length() - 1) + "}:" : "{" + prefix + "}";
    }

    String prefix() { return prefix; }

    String seq() { return prefix + "seq"; }

    String request(RequestId id) { return requestPrefix() + id.number(); }

    /** What every request's key begins with: the key is this and the request's number. */
    String requestPrefix() { return prefix + "req:"; }

    String timeline(RequestId id) { return prefix + "req:" + id.number() + ":timeline"; }

    String open() { return prefix + "open"; }

    String state(State state) { return prefix + "state:" + state.name(); }

    String all() { return prefix + "all"; }

    String events() { return prefix + "events"; }

    String deadLetters(String group) { return prefix + "deadletter:" + group; }

    String value(String key) { return prefix + "kv:" + key; }

    String lease(String name) { return prefix + "lease:" + name; }

    /** A web session, under the hash of its id. */
    String session(String idHash) { return prefix + "session:" + idHash; }

    /** The session hashes of one person, for revoking them all. */
    String sessionsOf(String person) { return prefix + "sessions:" + person; }

    /** A sign-in in progress, under its OAuth state. */
    String signIn(String state) { return prefix + "signin:" + state; }

    String rate(String limit, String caller) { return prefix + "rate:" + limit + ":" + caller; }

    /**
     * How a request appears in the sorted sets: its number padded to 19 digits, so that requests with the same
     * score (opened in the same millisecond) sort by number, as Redis orders equal scores by member bytes.
     */
    static String member(RequestId id) {
        // Numbers are at least 1 and at most 19 digits; String.format was a sixth of an approval's CPU here.
        var digits = Long.toString(id.number());
        return "0".repeat(19 - digits.length()) + digits;
    }

    static RequestId idOf(String member) { return new RequestId(Long.parseLong(member)); }

    @Override public String toString() { return "keys " + prefix + "*"; }
}
