package org.countersign.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.countersign.store.RealRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Countersign started as a deployment starts it ({@code java … org.countersign.Main}) on a real redis-server from
 * Debian's package with each kind of {@code maxmemory-policy}: one that may evict requests stops it with a message
 * that says what to change; one that evicts only keys with an expiry lets it start with a warning.
 */
class EvictionPolicyAtStartTest {
    @TempDir
    Path dir;

    @Test
    void on_allkeys_lru_the_service_refuses_to_start_and_says_to_set_noeviction() throws Exception {
        try (var redis = RealRedis.server(dir, "maxmemory 64mb", "maxmemory-policy allkeys-lru");
             var countersign = CountersignProcess.launch(env(redis), dir.resolve("countersign.log"))) {
            assertThat(countersign.awaitExit(CountersignProcess.START)).as(countersign.logTail()).isEqualTo(2);
            assertThat(countersign.log()).contains("Countersign cannot start.")
                    .contains("Redis maxmemory-policy is allkeys-lru")
                    .contains("requests and their timelines included, and approvals would be lost")
                    .contains("CONFIG SET maxmemory-policy noeviction")
                    .doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void on_volatile_lru_the_service_starts_and_warns_that_expiring_keys_may_go_early() throws Exception {
        try (var redis = RealRedis.server(dir, "maxmemory-policy volatile-lru");
             var countersign = CountersignProcess.start(env(redis), dir.resolve("countersign.log"))) {
            assertThat(countersign.log()).contains("Redis maxmemory-policy is volatile-lru")
                    .contains("requests are kept").contains("noeviction is safest");
        }
    }

    @Test
    void on_noeviction_the_service_starts_without_a_word_about_eviction() throws Exception {
        try (var redis = RealRedis.server(dir, "maxmemory-policy noeviction");
             var countersign = CountersignProcess.start(env(redis), dir.resolve("countersign.log"))) {
            assertThat(Http.get(countersign.port(), "/readyz").statusCode()).isEqualTo(200);
            assertThat(countersign.log()).doesNotContain("maxmemory-policy").contains("Countersign is ready");
        }
    }

    private Map<String, String> env(RealRedis.Server redis) throws Exception {
        return Map.of("REDIS_URL", redis.url(), "PORT", String.valueOf(Http.freePort()),
                "DATA_DIR", dir.resolve("data").toString(), "PATH", System.getenv("PATH"));
    }
}
