package org.countersign.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.countersign.store.EmbeddedRedis;
import org.countersign.store.RedisConnector;
import redis.clients.jedis.UnifiedJedis;

/**
 * A real redis-server that a test stops cleanly, kills hard, and starts again on the same port and data
 * directory, so Countersign, which keeps its REDIS_URL, finds it where it was, with its append-only file.
 */
final class ControlledRedis implements AutoCloseable {
    private final Path dir;
    private final EmbeddedRedis first; // its port and password stay the same across restarts
    private EmbeddedRedis server; // null while stopped or killed

    private ControlledRedis(Path dir, EmbeddedRedis server) {
        this.dir = dir;
        this.first = server;
        this.server = server;
    }

    static ControlledRedis start(Path dir) {
        return new ControlledRedis(dir, EmbeddedRedis.start(dir));
    }

    String url() { return first.uri().toString(); }

    /** SHUTDOWN as a person would stop it: the append-only file is written out first. */
    void stop() {
        server.close();
        server = null;
    }

    /** SIGKILL to the redis-server process, found by the pid it reports; returns the pid. */
    long kill() throws Exception {
        long pid;
        try (var client = client()) {
            pid = Long.parseLong(client.info("server").lines().filter(l -> l.startsWith("process_id:"))
                    .findFirst().orElseThrow().substring("process_id:".length()).strip());
        }
        var process = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
        process.destroyForcibly();
        process.onExit().get(10, TimeUnit.SECONDS);
        try {
            server.close();
        } catch (RuntimeException e) {
            // it is dead already; this only lets embedded-redis forget it
        }
        server = null;
        return pid;
    }

    /** Starts redis-server again on the same port and directory; how long until it answered. */
    Duration restart() {
        long started = System.nanoTime();
        server = EmbeddedRedis.restart(first);
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** A fresh client, for looking at what is stored: close it after use. */
    UnifiedJedis client() { return RedisConnector.pooled(url()); }

    @Override
    public void close() {
        if (server != null) server.close();
    }
}
