package org.countersign.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import redis.clients.jedis.UnifiedJedis;

/**
 * The Redis every test in this JVM shares: the one at REDIS_URL when set, else one embedded server started on
 * first use. Each test takes its own key prefix, so tests never see each other's data and nothing is flushed.
 * COUNTERSIGN_TEST_REDIS picks another, which is how the store suite runs again on each (see pom.xml): {@code machine}
 * (the machine's own Redis at 127.0.0.1:6379), {@code redis-8} (Debian sid's redis-server, started here from the sid
 * chroot), {@code cluster} (a 3-master Cluster started here), {@code sentinel}
 * (a master, two replicas and three Sentinels started here).
 */
public final class TestRedis {
    private TestRedis() {}

    /** The shared client; do not close it. */
    public static UnifiedJedis client() {
        if (Shared.CLIENT == null) {
            if ("true".equals(System.getenv("CI"))) throw new AssertionError(Shared.MISSING);
            Assumptions.abort(Shared.MISSING);
        }
        return Shared.CLIENT;
    }

    /** This JVM's tests' prefixes begin with it, so what they wrote on a shared Redis is deleted at exit. */
    static final String RUN = "test:" + UUID.randomUUID().toString().substring(0, 8) + ":";

    /** A prefix no other test uses: {@code test:<run>:<uuid>:}. */
    public static String uniquePrefix() { return RUN + UUID.randomUUID() + ":"; }

    /** A store on the shared Redis under a fresh prefix. */
    public static RedisRequestStore store() { return new RedisRequestStore(client(), uniquePrefix()); }

    // Started when first used, closed when the JVM exits.
    private static final class Shared {
        static String MISSING;
        static final UnifiedJedis CLIENT = start();

        private static UnifiedJedis start() {
            var which = System.getenv("COUNTERSIGN_TEST_REDIS");
            if (which != null && !which.isBlank()) return TestTopologies.start(which.strip(), why -> MISSING = why);
            var url = System.getenv("REDIS_URL");
            if (url != null && !url.isBlank()) return RedisConnector.pooled(url);
            try {
                var dir = Files.createTempDirectory("countersign-test-redis");
                var connector = RedisConnector.connect(java.util.Optional.empty(), dir);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    connector.close();
                    deleteTree(dir);
                }, "test-redis-stop"));
                return connector.client();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Deletes a directory and everything in it, best effort. */
    public static void deleteTree(java.nio.file.Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is not worth failing a test run over
        }
    }
}
