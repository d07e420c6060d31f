package org.countersign.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.domain.Actor;
import org.countersign.domain.Platform;
import org.countersign.domain.TestPolicies;
import org.countersign.store.RealRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real redis-server (Debian's) killed under a running Countersign: /metrics keeps answering, saying Redis is down
 * (countersign_redis_up 0) with the last values it read, /readyz answers 503 with why in JSON, and both come back by
 * themselves when Redis does.
 */
class MetricsRedisDownTest {
    static final Duration BACK = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void with_redis_killed_metrics_answer_200_with_redis_up_0_and_readyz_503_then_both_recover() throws Exception {
        try (var redis = RealRedis.server(dir);
             var countersign = Main.start(Config.fromEnv(Map.of("REDIS_URL", redis.url(), "PORT",
                     String.valueOf(Http.freePort()), "DATA_DIR", dir.resolve("data").toString())))) {
            int port = countersign.port();
            countersign.service().open(new Actor(Platform.CONSOLE, "dev"), TestPolicies.draft("availability"));
            var up = Http.get(port, "/metrics");
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(up.body()).contains("countersign_redis_up 1.0").contains("countersign_requests{state=\"PENDING\"} 1.0");

            redis.kill();

            long started = System.nanoTime();
            var down = Http.get(port, "/metrics");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("scrape time").isLessThan(Duration.ofSeconds(5));
            assertThat(down.statusCode()).isEqualTo(200);
            assertThat(down.body()).contains("countersign_redis_up 0.0").contains("countersign_ready 0.0")
                    .as("the last values read stay").contains("countersign_requests{state=\"PENDING\"} 1.0");
            var ready = Http.get(port, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
            var why = new ObjectMapper().readTree(ready.body()).path("error").asText();
            assertThat(why).as(ready.body()).contains("Redis does not answer").doesNotContain("Exception");

            redis.restart();

            RealRedis.await("/metrics says Redis is up again", BACK, () -> body(port, "/metrics").contains("countersign_redis_up 1.0"));
            assertThat(Http.awaitReady(port, BACK)).isLessThan(BACK);
        }
    }

    private static String body(int port, String path) {
        try {
            return Http.get(port, path).body();
        } catch (Exception e) {
            return "";
        }
    }
}
