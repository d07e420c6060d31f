package org.countersign.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import redis.embedded.RedisServer;

/**
 * A real redis-server started from this JVM, for running without a Redis of your own. It listens on a free
 * loopback port and keeps an append-only file (fsync every second, no RDB snapshots) in its data directory,
 * so closing it and starting another on the same directory keeps every request. It asks for a password made at
 * random for each start (requirepass), known only to this process: another local user or process cannot read or
 * write it. The library hands redis-server its settings in a temporary file only the owner may read.
 */
public final class EmbeddedRedis implements AutoCloseable {
    static final int ATTEMPTS = 3;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final RedisServer server;
    private final int port;
    private final Path dataDir;
    private final String password;

    private EmbeddedRedis(RedisServer server, int port, Path dataDir, String password) {
        this.server = server;
        this.port = port;
        this.dataDir = dataDir;
        this.password = password;
    }

    /** Starts redis-server keeping its data in {@code dataDir} (created if missing). */
    public static EmbeddedRedis start(Path dataDir) {
        return start(dataDir, 0);
    }

    /** Starts redis-server on {@code port} (0: a free one) keeping its data in {@code dataDir}. */
    public static EmbeddedRedis start(Path dataDir, int fixedPort) {
        return start(dataDir, fixedPort, newPassword());
    }

    /** Starts it again where {@code before} ran, with its port and password, so its clients reconnect. */
    public static EmbeddedRedis restart(EmbeddedRedis before) {
        return start(before.dataDir(), before.port(), before.password);
    }

    private static EmbeddedRedis start(Path dataDir, int fixedPort, String password) {
        var dir = dataDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Redis data directory " + dir, e);
        }
        IOException last = null;
        // The free port we picked may be taken before redis-server binds it: try another.
        for (int attempt = 1; attempt <= (fixedPort == 0 ? ATTEMPTS : 1); attempt++) {
            int port = fixedPort == 0 ? freePort() : fixedPort;
            try {
                var server = RedisServer.newRedisServer()
                        .port(port)
                        .bind("127.0.0.1")
                        .setting("appendonly yes")
                        .setting("appendfsync everysec")
                        .setting("save \"\"")
                        .setting("dir " + quoted(dir))
                        .setting("requirepass " + password)
                        .build();
                server.start();
                return new EmbeddedRedis(server, port, dir, password);
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IllegalStateException("could not start the embedded redis-server with data in " + dir + " after "
                + ATTEMPTS + " attempts; set REDIS_URL to use another Redis. Last error: " + last.getMessage(), last);
    }

    public int port() { return port; }

    /** {@code redis://:<password>@127.0.0.1:<port>}, to connect with; it holds the password, so never log it. */
    public URI uri() { return URI.create("redis://:" + password + "@127.0.0.1:" + port); }

    public Path dataDir() { return dataDir; }

    /** Stops the server; it finishes writing its append-only file first. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop the embedded redis-server on port " + port, e);
        }
    }

    @Override public String toString() { return "embedded Redis on 127.0.0.1:" + port + " with data in " + dataDir; }

    private static int freePort() {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port for the embedded Redis", e);
        }
    }

    /** 32 random bytes as hex: nothing in it needs quoting in a config file or escaping in a URL. */
    private static String newPassword() {
        var bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** A config-file string: redis-server reads double quotes with backslash escapes. */
    private static String quoted(Path dir) {
        return "\"" + dir.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
