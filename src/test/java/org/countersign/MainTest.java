package org.countersign;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.countersign.domain.Outcome;
import org.countersign.domain.TestPolicies;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole service as the README runs it: no configuration but a data directory and a port. */
class MainTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    void with_no_redis_url_it_starts_its_own_redis_and_is_ready() throws Exception {
        try (var running = Main.start(config(Map.of()))) {
            var ready = get(running, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(dataDir).isDirectoryContaining(p -> p.getFileName().toString().startsWith("appendonly"));
        }
    }

    @Test
    void requests_survive_a_stop_and_a_start_on_the_same_data_dir() throws Exception {
        String id;
        try (var running = Main.start(config(Map.of()))) {
            var outcome = running.service().open(TestPolicies.DEV, TestPolicies.draft("availability"));
            id = ((Outcome.Applied) outcome).request().id().toString();
        }
        try (var running = Main.start(config(Map.of()))) {
            var response = get(running, "/api/requests/" + id);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"state\":\"PENDING\"").contains("request.opened");
        }
    }

    @Test
    void with_a_redis_url_it_uses_that_server_and_its_prefix() throws Exception {
        var url = System.getenv("REDIS_URL");
        try (var other = url == null ? org.countersign.store.EmbeddedRedis.start(dataDir.resolve("other")) : null) {
            var redisUrl = url != null ? url : other.uri().toString();
            var prefix = TestRedis.uniquePrefix();
            try (var running = Main.start(config(Map.of("REDIS_URL", redisUrl, "REDIS_PREFIX", prefix)))) {
                running.service().open(TestPolicies.DEV, TestPolicies.draft("abuse"));
                assertThat(get(running, "/readyz").statusCode()).isEqualTo(200);
            }
            try (var client = org.countersign.store.RedisConnector.pooled(redisUrl)) {
                assertThat(client.exists(org.countersign.store.RedisConnector.keyPrefix(prefix) + "seq")).isTrue();
            }
            assertThat(dataDir.resolve("appendonly.aof")).doesNotExist();
        }
    }

    @Test
    void a_credential_that_floods_the_api_gets_429_with_retry_after_and_health_stays_open() throws Exception {
        try (var running = Main.start(config(Map.of("RATE_LIMIT_PER_ADDRESS", "5/1m")))) {
            for (int i = 0; i < 5; i++) assertThat(get(running, "/api/requests").statusCode()).isEqualTo(200);

            var held = get(running, "/api/requests");

            assertThat(held.statusCode()).isEqualTo(429);
            assertThat(held.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v))
                    .isBetween(1L, 60L));
            assertThat(held.body()).contains("\"error\"").contains("Slow down");
            assertThat(get(running, "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(running, "/readyz").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void with_metrics_token_set_metrics_ask_for_it_and_health_stays_open() throws Exception {
        try (var running = Main.start(config(Map.of("METRICS_TOKEN", "metrics-0123456789abcdef")))) {
            assertThat(get(running, "/metrics").statusCode()).isEqualTo(401);
            var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.port() + "/metrics"))
                    .header("Authorization", "Bearer metrics-0123456789abcdef").build();
            assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(get(running, "/readyz").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void with_no_configuration_the_api_needs_this_runs_token_and_the_start_up_link_signs_a_browser_in() throws Exception {
        try (var running = Main.start(config(Map.of()))) {
            var base = "http://127.0.0.1:" + running.port();
            assertThat(running.startupLink()).matches(java.util.regex.Pattern.quote(base) + "/console\\?token=[0-9a-f]{64}");
            var anonymous = http.send(HttpRequest.newBuilder(URI.create(base + "/api/requests")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.body()).contains("the link Countersign printed when it started");

            var browser = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager())
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            var link = browser.send(HttpRequest.newBuilder(URI.create(running.startupLink() + "&as=alice")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(link.statusCode()).as("followed to the clean URL").isEqualTo(200);
            assertThat(link.uri().toString()).isEqualTo(base + "/console?as=alice");
            assertThat(link.body()).contains("data-as=\"alice\"");
            assertThat(link.previousResponse()).hasValueSatisfying(r -> {
                assertThat(r.statusCode()).isEqualTo(303);
                assertThat(r.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
                        .startsWith("countersign_session=").containsIgnoringCase("HttpOnly")
                        .containsIgnoringCase("SameSite=Strict").doesNotContain(running.startupToken().orElseThrow()));
            });
            assertThat(browser.send(HttpRequest.newBuilder(URI.create(base + "/api/requests")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void a_wrong_token_in_the_link_opens_nothing() throws Exception {
        try (var running = Main.start(config(Map.of()))) {
            var wrong = running.startupLink().replaceAll("token=.*", "token=" + "0".repeat(64));
            var response = http.send(HttpRequest.newBuilder(URI.create(wrong)).header("Accept", "application/json")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("countersign_session="));
        }
    }

    @Test
    void junk_from_one_address_is_held_back_without_locking_out_a_caller_with_the_token() throws Exception {
        try (var running = Main.start(config(Map.of("RATE_LIMIT_PER_ADDRESS", "5/1m")))) {
            var anonymous = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.port() + "/api/requests"))
                    .header("Authorization", "Bearer not-the-token").build();
            for (int i = 0; i < 5; i++)
                assertThat(http.send(anonymous, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);

            var held = http.send(anonymous, HttpResponse.BodyHandlers.ofString());

            assertThat(held.statusCode()).isEqualTo(429);
            assertThat(held.body()).contains("Too many requests without a valid credential from 127.0.0.1");
            assertThat(held.headers().firstValue("Retry-After")).isPresent();
            assertThat(get(running, "/api/requests").statusCode()).as("the same address, with the token").isEqualTo(200);
        }
    }

    private Config config(Map<String, String> extra) throws Exception {
        var env = new HashMap<String, String>();
        env.put("DATA_DIR", dataDir.toString());
        env.put("PORT", String.valueOf(freePort()));
        env.putAll(extra);
        return Config.fromEnv(env);
    }

    private HttpResponse<String> get(Main.Running running, String path) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.port() + path))
                .header("Authorization", "Bearer " + running.startupToken().orElseThrow()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws Exception {
        try (var socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
