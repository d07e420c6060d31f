package org.countersign.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Redis the service uses: the one at REDIS_URL (one server, Sentinel or Cluster), or an embedded one when none is given. */
public final class RedisConnector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisConnector.class);
    static final int TIMEOUT_MILLIS = 2_000;
    // As many as Jetty has request threads (200), so a burst of clicks never waits for a connection.
    static final int MAX_CONNECTIONS = 200;

    private final UnifiedJedis client;
    private final EmbeddedRedis embedded;
    private final String description;

    private RedisConnector(UnifiedJedis client, EmbeddedRedis embedded, String description) {
        this.client = client;
        this.embedded = embedded;
        this.description = description;
    }

    /**
     * The Redis settings besides its URL.
     *
     * @param sentinelPassword the Sentinels' own password (REDIS_SENTINEL_PASSWORD), or null when they have none
     * @param minReplicas      how many replicas must have a change before it is acknowledged (REDIS_MIN_REPLICAS)
     */
    public record Options(String sentinelPassword, int minReplicas) {
        public static final Options NONE = new Options(null, 0);

        @Override
        public String toString() {
            return "Options[sentinelPassword=" + (sentinelPassword == null ? null : "****") + ", minReplicas="
                    + minReplicas + "]";
        }
    }

    /** As {@link #connect(Optional, Path, Options)} with no Sentinel password. */
    public static RedisConnector connect(Optional<String> redisUrl, Path embeddedDataDir) {
        return connect(redisUrl, embeddedDataDir, Options.NONE);
    }

    /**
     * Connects to {@code redisUrl} (any form {@link RedisUrl} reads); without one, starts an embedded Redis keeping
     * its data in {@code embeddedDataDir}.
     */
    public static RedisConnector connect(Optional<String> redisUrl, Path embeddedDataDir, Options options) {
        if (redisUrl.isPresent() && !redisUrl.get().isBlank()) {
            var url = RedisUrl.parse(redisUrl.get());
            var client = client(url, options);
            try {
                EvictionPolicy.check(client, url.toString());
                replicaShortfall(client, options.minReplicas()).ifPresent(log::warn);
            } catch (RuntimeException e) {
                client.close();
                throw e;
            }
            return new RedisConnector(client, null, url.toString());
        }
        var embedded = EmbeddedRedis.start(embeddedDataDir);
        try {
            return new RedisConnector(pooled(embedded.uri().toString()), embedded, embedded.toString());
        } catch (RuntimeException e) {
            embedded.close();
            throw e;
        }
    }

    /**
     * Why REDIS_MIN_REPLICAS cannot be met now (fewer replicas connected to the master), or empty. Not a reason to
     * refuse to start, as replicas come back by themselves; until they do, every change is refused an acknowledgement.
     * On a Cluster each shard has its own replicas, and only a save tells.
     */
    static Optional<String> replicaShortfall(UnifiedJedis client, int minReplicas) {
        if (minReplicas == 0 || client instanceof RedisClusterClient) return Optional.empty();
        String info;
        try {
            info = client.info("replication");
        } catch (JedisException e) {
            return Optional.empty(); // not there yet: /readyz says so
        }
        long connected = info.lines().filter(l -> l.startsWith("connected_slaves:"))
                .mapToLong(l -> Long.parseLong(l.substring("connected_slaves:".length()).strip())).findFirst().orElse(0);
        if (connected >= minReplicas) return Optional.empty();
        return Optional.of("REDIS_MIN_REPLICAS=" + minReplicas + " but the Redis master has " + connected + " replicas "
                + "connected: until " + minReplicas + " are, every change stays on the master unacknowledged and people "
                + "are told the state store is unavailable; attach replicas or lower REDIS_MIN_REPLICAS");
    }

    /** A Redis Countersign must not use as it is configured, with what to change. */
    public static final class Refused extends RuntimeException {
        Refused(String message) { super(message); }
    }

    /** A pooled client for {@code url} of any form, with no Sentinel password; close it after use. */
    public static UnifiedJedis pooled(String url) { return client(RedisUrl.parse(url), Options.NONE); }

    /**
     * One client for every topology: the stores see a {@link UnifiedJedis} whether it talks to one server, follows
     * the master Sentinel names (and moves to the new one after a failover), or routes by slot across a Cluster.
     */
    static UnifiedJedis client(RedisUrl url, Options options) {
        var pool = new ConnectionPoolConfig();
        pool.setMaxTotal(MAX_CONNECTIONS);
        pool.setMaxIdle(MAX_CONNECTIONS);
        pool.setMaxWait(Duration.ofMillis(TIMEOUT_MILLIS));
        var config = clientConfig(url.tls(), url.user(), url.password(), url.database());
        return switch (url.kind()) {
            case STANDALONE -> RedisClient.builder().hostAndPort(url.nodes().get(0)).clientConfig(config)
                    .poolConfig(pool).build();
            case SENTINEL -> RedisSentinelClient.builder().masterName(url.master()).sentinels(Set.copyOf(url.nodes()))
                    .clientConfig(config).sentinelClientConfig(clientConfig(url.tls(), null, options.sentinelPassword(), 0))
                    .poolConfig(pool).build();
            case CLUSTER -> RedisClusterClient.builder().nodes(Set.copyOf(url.nodes())).clientConfig(config)
                    .poolConfig(pool).maxTotalRetriesDuration(Duration.ofMillis(3L * TIMEOUT_MILLIS)).build();
        };
    }

    private static JedisClientConfig clientConfig(boolean tls, String user, String password, int database) {
        return DefaultJedisClientConfig.builder()
                .sslOptions(tls ? SslOptions.defaults() : null)
                .connectionTimeoutMillis(TIMEOUT_MILLIS)
                .socketTimeoutMillis(TIMEOUT_MILLIS)
                .clientName("countersign")
                .user(user)
                .password(password)
                .database(database)
                .build();
    }

    /** How the keys under REDIS_PREFIX {@code prefix} begin: {@code cs:} gives {@code {cs}:} (see {@link Keys}). */
    public static String keyPrefix(String prefix) { return Keys.tagged(prefix); }

    /** What is wrong with {@code url} as a Redis URL, or empty when it will do. */
    public static Optional<String> problemWith(String url) {
        try {
            RedisUrl.parse(url);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    public UnifiedJedis client() { return client; }

    public Optional<EmbeddedRedis> embedded() { return Optional.ofNullable(embedded); }

    /** Where the data is, for the log; never shows a password. */
    public String description() { return description; }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            if (embedded != null) embedded.close();
        }
    }

    @Override public String toString() { return description; }

    /** The URL with any password replaced by {@code ***}. */
    public static String redacted(String url) { return RedisUrl.redacted(url); }
}
