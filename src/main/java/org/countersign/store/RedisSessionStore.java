package org.countersign.store;

import static org.countersign.store.RedisCalls.call;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.countersign.app.SessionStore;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * {@link SessionStore} in Redis. A session is a JSON string under {@code <p>session:<sha256 of its id>} with the
 * session's own TTL, so a copy of Redis holds no cookie anyone could present; each person's session keys are in a set
 * {@code <p>sessions:<person>} for revoking them all. A sign-in in progress is under {@code <p>signin:<state>}, read
 * and deleted in one step. Each command touches one key, so this works on Redis Cluster too.
 */
public final class RedisSessionStore implements SessionStore {
    private static final String TAKE = "local v = redis.call('GET', KEYS[1]) if v then redis.call('DEL', KEYS[1]) end return v";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final UnifiedJedis redis;
    private final Keys keys;

    public RedisSessionStore(UnifiedJedis redis, String prefix) {
        this.redis = redis;
        this.keys = new Keys(prefix);
    }

    @Override
    public void save(String id, Session s) {
        long ttl = Duration.between(s.created(), s.expires()).toMillis();
        if (ttl <= 0) throw new IllegalArgumentException("a session must end after it starts: " + s.created() + " .. " + s.expires());
        var hash = hash(id);
        var fields = new LinkedHashMap<String, Object>();
        fields.put("person", s.person());
        fields.put("subject", s.subject());
        fields.put("email", s.email());
        fields.put("created", s.created().toString());
        fields.put("expires", s.expires().toString());
        String value;
        try {
            value = JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a session did not turn into JSON", e);
        }
        // The person's set first: a session is never stored where revoking all of them would miss it.
        var index = keys.sessionsOf(s.person());
        call(() -> redis.sadd(index, hash));
        call(() -> {
            long left = redis.pttl(index);
            return left >= 0 && left >= ttl ? left : redis.pexpire(index, ttl);
        });
        call(() -> redis.set(keys.session(hash), value, SetParams.setParams().px(ttl)));
    }

    @Override
    public Optional<Session> find(String id, Instant now) {
        var value = call(() -> redis.get(keys.session(hash(id))));
        if (value == null) return Optional.empty();
        try {
            var node = JSON.readTree(value);
            var session = new Session(node.path("person").asText(), node.path("subject").asText(null),
                    node.path("email").isTextual() ? node.path("email").asText() : null,
                    Instant.parse(node.path("created").asText()), Instant.parse(node.path("expires").asText()));
            return now.isBefore(session.expires()) ? Optional.of(session) : Optional.empty();
        } catch (JsonProcessingException | RuntimeException e) {
            return Optional.empty(); // not one of ours: no session
        }
    }

    @Override
    public void revoke(String id) {
        call(() -> redis.del(keys.session(hash(id))));
    }

    @Override
    public int revokeAll(String person) {
        var index = keys.sessionsOf(person);
        int ended = 0;
        for (var hash : call(() -> redis.smembers(index))) {
            ended += call(() -> redis.del(keys.session(hash))).intValue();
            call(() -> redis.srem(index, hash));
        }
        return ended;
    }

    @Override
    public void hold(String state, String value, Duration ttl) {
        call(() -> redis.set(keys.signIn(state), value, SetParams.setParams().px(ttl.toMillis())));
    }

    @Override
    public Optional<String> take(String state) {
        var value = call(() -> redis.eval(TAKE, List.of(keys.signIn(state)), List.of()));
        return value instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** The id as stored: a hash, so a session key in Redis is not the cookie. */
    static String hash(String id) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
