package org.countersign.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;

/** The Redis servers {@link TestRedis} can run the tests on besides the embedded one, started once per JVM. */
final class TestTopologies {
    static final String MACHINE = "redis://127.0.0.1:6379";

    private TestTopologies() {}

    /** A client for {@code which}, or null with why in {@code missing} when it cannot be had here. */
    static UnifiedJedis start(String which, Consumer<String> missing) {
        try {
            return switch (which) {
                case "machine" -> machine(missing);
                case "cluster" -> {
                    var dir = Files.createTempDirectory("countersign-test-cluster");
                    var cluster = RealCluster.start(dir, 3);
                    yield closingAtExit(RedisConnector.pooled(cluster.url()), cluster, dir);
                }
                case "redis-8" -> {
                    var dir = Files.createTempDirectory("countersign-test-redis-8");
                    var server = RealRedis.server(RealRedis.fromSid("redis-server"), dir);
                    String version;
                    try (var jedis = server.jedis()) {
                        version = jedis.info("server").lines().filter(l -> l.startsWith("redis_version:")).findFirst()
                                .orElse("redis_version:?").substring("redis_version:".length()).strip();
                    }
                    if (!version.startsWith("8.")) {
                        server.close();
                        throw new IllegalStateException("COUNTERSIGN_TEST_REDIS=redis-8 but the sid chroot's redis-server "
                                + "is " + version);
                    }
                    yield closingAtExit(RedisConnector.pooled(server.url()), server, dir);
                }
                case "sentinel" -> {
                    var dir = Files.createTempDirectory("countersign-test-sentinel");
                    var sentinel = RealSentinel.start(dir, 2, 3);
                    yield closingAtExit(RedisConnector.pooled(sentinel.url()), sentinel, dir);
                }
                default -> throw new IllegalArgumentException("COUNTERSIGN_TEST_REDIS=" + which
                        + ": expected machine, redis-8, cluster or sentinel");
            };
        } catch (org.opentest4j.TestAbortedException e) {
            missing.accept(e.getMessage());
            return null;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the test Redis " + which + ": " + e, e);
        }
    }

    /** The machine's own Redis (Debian's redis-server 7, which CI runs), when it answers. */
    private static UnifiedJedis machine(Consumer<String> missing) {
        var client = RedisConnector.pooled(MACHINE);
        try {
            client.ping();
            // Shared with the machine's other users: every key this run wrote goes at exit, nothing else.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (client) {
                    var match = new ScanParams().match("{" + TestRedis.RUN + "*").count(1000);
                    var cursor = ScanParams.SCAN_POINTER_START;
                    do {
                        var page = client.scan(cursor, match);
                        if (!page.getResult().isEmpty()) client.del(page.getResult().toArray(String[]::new));
                        cursor = page.getCursor();
                    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
                }
            }, "test-redis-machine-cleanup"));
            return client;
        } catch (RuntimeException e) {
            client.close();
            missing.accept("the machine's Redis at " + MACHINE + " does not answer (" + e.getMessage()
                    + "); apt-get install -y redis-server and start it");
            return null;
        }
    }

    private static UnifiedJedis closingAtExit(UnifiedJedis client, AutoCloseable servers, Path dir) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            client.close();
            try {
                servers.close();
            } catch (Exception e) {
                // the JVM is going anyway
            }
            TestRedis.deleteTree(dir);
        }, "test-redis-topology-stop"));
        return client;
    }
}
