package org.countersign.store;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisURIHelper;

/** The Redis the service uses: the one at REDIS_URL, or an embedded one when none is given. */
public final class RedisConnector implements AutoCloseable {
    static final int TIMEOUT_MILLIS = 2_000;
    // As many as Jetty has request threads (200), so a burst of clicks never waits for a connection.
    static final int MAX_CONNECTIONS = 200;
    static final int DEFAULT_PORT = 6379;

    private final UnifiedJedis client;
    private final EmbeddedRedis embedded;
    private final String description;

    private RedisConnector(UnifiedJedis client, EmbeddedRedis embedded, String description) {
        this.client = client;
        this.embedded = embedded;
        this.description = description;
    }

    /**
     * Connects to {@code redisUrl} ({@code redis://} or {@code rediss://}, with optional {@code user:password@}
     * and {@code /db}); without one, starts an embedded Redis keeping its data in {@code embeddedDataDir}.
     */
    public static RedisConnector connect(Optional<String> redisUrl, Path embeddedDataDir) {
        if (redisUrl.isPresent() && !redisUrl.get().isBlank())
            return new RedisConnector(pooled(redisUrl.get()), null, redacted(redisUrl.get()));
        var embedded = EmbeddedRedis.start(embeddedDataDir);
        try {
            return new RedisConnector(pooled(embedded.uri().toString()), embedded, embedded.toString());
        } catch (RuntimeException e) {
            embedded.close();
            throw e;
        }
    }

    /** A pooled client for {@code url}; connections are opened on first use. */
    public static RedisClient pooled(String url) {
        var uri = parse(url);
        var pool = new ConnectionPoolConfig();
        pool.setMaxTotal(MAX_CONNECTIONS);
        pool.setMaxIdle(MAX_CONNECTIONS);
        pool.setMaxWait(Duration.ofMillis(TIMEOUT_MILLIS));
        var config = DefaultJedisClientConfig.builder()
                .sslOptions(JedisURIHelper.isRedisSSLScheme(uri) ? SslOptions.defaults() : null)
                .connectionTimeoutMillis(TIMEOUT_MILLIS)
                .socketTimeoutMillis(TIMEOUT_MILLIS)
                .clientName("countersign")
                .user(JedisURIHelper.getUser(uri))
                .password(JedisURIHelper.getPassword(uri))
                .database(JedisURIHelper.hasDbIndex(uri) ? JedisURIHelper.getDBIndex(uri) : 0)
                .build();
        var address = new HostAndPort(uri.getHost(), uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort());
        return RedisClient.builder().hostAndPort(address).clientConfig(config).poolConfig(pool).build();
    }

    /** What is wrong with {@code url} as a Redis URL, or empty when it will do. */
    public static Optional<String> problemWith(String url) {
        try {
            parse(url);
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

    private static URI parse(String url) {
        URI uri;
        try {
            uri = new URI(url == null ? "" : url.strip());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("REDIS_URL is not a URL: " + redacted(url));
        }
        if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme()))
            throw new IllegalArgumentException("REDIS_URL must start with redis:// or rediss://, not " + redacted(url));
        if (uri.getHost() == null)
            throw new IllegalArgumentException("REDIS_URL has no host: " + redacted(url));
        var path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/") && !path.matches("/[0-9]{1,5}"))
            throw new IllegalArgumentException("REDIS_URL path must be a database number such as /0, not " + path);
        return uri;
    }

    /** The URL with any password replaced by {@code ***}. */
    static String redacted(String url) {
        if (url == null) return "null";
        return url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)([^@/]*):([^@/]*)@", "$1$2:***@")
                .replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)([^:@/]+)@", "$1***@");
    }
}
