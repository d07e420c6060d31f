package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisConnectorTest {
    @TempDir Path dir;

    @Test
    void without_a_url_it_starts_an_embedded_redis() {
        try (var redis = RedisConnector.connect(Optional.empty(), dir)) {
            assertThat(redis.embedded()).isPresent();
            assertThat(redis.client().ping()).isEqualTo("PONG");
            assertThat(redis.description()).contains("embedded").contains(dir.toString());
        }
    }

    @Test
    void with_a_url_it_connects_there_and_selects_the_database() {
        try (var embedded = EmbeddedRedis.start(dir);
             var redis = RedisConnector.connect(Optional.of(embedded.uri() + "/3"), dir.resolve("unused"))) {
            redis.client().set("where", "db3");

            assertThat(redis.embedded()).isEmpty();
            try (var db3 = RedisConnector.pooled(embedded.uri() + "/3"); var db0 = RedisConnector.pooled(embedded.uri() + "/0")) {
                assertThat(db3.get("where")).isEqualTo("db3");
                assertThat(db0.get("where")).isNull();
            }
        }
    }

    @Test
    void a_url_that_is_not_redis_is_refused_without_showing_the_password() {
        assertThat(RedisConnector.problemWith("http://user:s3cret@host:6379"))
                .hasValueSatisfying(p -> assertThat(p).contains("redis://").contains("user:***@").doesNotContain("s3cret"));
    }

    @Test
    void a_path_that_is_not_a_database_number_is_refused() {
        assertThat(RedisConnector.problemWith("redis://host:6379/cache")).hasValueSatisfying(
                p -> assertThat(p).contains("/cache"));
    }

    @Test
    void redis_and_rediss_urls_with_credentials_and_a_database_are_accepted() {
        assertThat(RedisConnector.problemWith("redis://localhost:6379")).isEmpty();
        assertThat(RedisConnector.problemWith("rediss://default:pw@redis.example.org:6380/2")).isEmpty();
    }

    @Test
    void the_description_of_a_url_hides_the_password() {
        assertThat(RedisConnector.redacted("rediss://default:pw@redis.example.org:6380/2"))
                .isEqualTo("rediss://default:***@redis.example.org:6380/2");
    }
}
