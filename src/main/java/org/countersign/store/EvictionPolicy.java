package org.countersign.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Redis does when it is full ({@code maxmemory-policy}), checked at start. Requests, their timelines and the events
 * stream have no expiry: an {@code allkeys-*} policy would evict them, so Countersign refuses to start on it (even with
 * no {@code maxmemory} yet, which {@code CONFIG SET} can change at any time). {@code volatile-*} evicts only keys with
 * an expiry (sessions, sign-ins, rate counters, leases, idempotency keys): requests stay, so it starts with a warning.
 * {@code noeviction} is right. Read with {@code CONFIG GET}, or {@code INFO memory} where CONFIG is disabled (managed
 * Redis); on a Cluster every master is asked.
 */
final class EvictionPolicy {
    private static final Logger log = LoggerFactory.getLogger(EvictionPolicy.class);

    private EvictionPolicy() {}

    /** Refuses a Redis that evicts keys without an expiry; warns about one that evicts keys with one. */
    static void check(UnifiedJedis redis, String where) {
        try {
            checkNow(redis, where);
        } catch (JedisConnectionException e) {
            // Not there yet: the service starts and says so on /readyz, as when Redis goes away later.
            log.warn("Could not check Redis's maxmemory-policy, Redis does not answer ({}): {}", where, e.getMessage());
        }
    }

    private static void checkNow(UnifiedJedis redis, String where) {
        var policies = new ArrayList<String>();
        if (redis instanceof RedisClusterClient cluster) {
            for (var node : cluster.getClusterNodes().entrySet())
                try (var jedis = new Jedis(node.getValue().getResource())) {
                    read(() -> jedis.configGet("maxmemory-policy"), () -> jedis.info("memory"))
                            .ifPresent(p -> policies.add(p + " on " + node.getKey()));
                }
        } else {
            read(redis).ifPresent(policies::add);
        }
        for (var policy : policies) {
            var problem = problem(policy);
            if (problem.isPresent()) throw new RedisConnector.Refused(problem.get() + " (" + where + ")");
            if (policy.startsWith("volatile-"))
                log.warn("Redis maxmemory-policy is {}: when it is full it evicts keys with an expiry, so sessions, "
                        + "sign-ins, rate counters, leases and idempotency keys may end early (requests are kept); "
                        + "noeviction is safest", policy);
        }
        if (policies.isEmpty())
            log.warn("Could not read Redis's maxmemory-policy (neither CONFIG GET nor INFO memory answered it): make sure "
                    + "it is noeviction, or Redis may evict requests when full ({})", where);
    }

    /** Why Countersign must not run on {@code policy} (as Redis names it, perhaps followed by where), or empty. */
    static Optional<String> problem(String policy) {
        var name = policy.split(" ", 2)[0].toLowerCase(Locale.ROOT);
        if (!name.startsWith("allkeys-")) return Optional.empty();
        return Optional.of("Redis maxmemory-policy is " + policy + ": when memory is full Redis would evict any key, "
                + "requests and their timelines included, and approvals would be lost. Set maxmemory-policy to "
                + "noeviction (or a volatile-* policy), e.g. CONFIG SET maxmemory-policy noeviction and the same in "
                + "redis.conf");
    }

    private static Optional<String> read(UnifiedJedis redis) {
        return read(() -> redis.configGet("maxmemory-policy"), () -> redis.info("memory"));
    }

    private static Optional<String> read(Supplier<Map<String, String>> config, Supplier<String> info) {
        try {
            return policyIn(config.get());
        } catch (JedisDataException e) {
            // CONFIG renamed away or not allowed (managed Redis, ACLs): INFO says it too.
        }
        try {
            return policyInInfo(info.get());
        } catch (JedisDataException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> policyIn(Map<String, String> config) {
        var value = config == null ? null : config.get("maxmemory-policy");
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    static Optional<String> policyInInfo(String info) {
        if (info == null) return Optional.empty();
        List<String> found = info.lines().filter(l -> l.startsWith("maxmemory_policy:"))
                .map(l -> l.substring("maxmemory_policy:".length()).strip()).toList();
        return found.isEmpty() || found.get(0).isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }
}
