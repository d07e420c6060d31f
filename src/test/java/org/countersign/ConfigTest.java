package org.countersign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigTest {

    @Test
    void an_empty_environment_gives_the_defaults() {
        var config = Config.fromEnv(Map.of());

        assertThat(config.port()).isEqualTo(7000);
        assertThat(config.redisUrlOpt()).isEmpty();
        assertThat(config.redisPrefix()).isEqualTo("cs:");
        assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(config.policyFileOpt()).isEmpty();
        assertThat(config.expirySweepInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.bindHostOpt()).isEmpty();
    }

    @Test
    void every_variable_is_read() {
        var config = Config.fromEnv(env()
                .with("PORT", "8080")
                .with("REDIS_URL", "rediss://:secret@redis.example.org:6380/2")
                .with("REDIS_PREFIX", "countersign:staging:")
                .with("DATA_DIR", "/var/lib/countersign")
                .with("POLICY_FILE", "/etc/countersign/policy.yml")
                .with("EXPIRY_SWEEP_INTERVAL", "PT30S")
                .with("BIND_HOST", "0.0.0.0")
                .with("DASHBOARD_TOKEN", "0123456789abcdef0123")
                .with("CONSOLE", "on")
                .with("METRICS_TOKEN", "fedcba9876543210fedcba")
                .with("PRIVACY_CHECK_INTERVAL", "90s")
                .build());

        assertThat(config).isEqualTo(new Config(8080, "rediss://:secret@redis.example.org:6380/2", "countersign:staging:",
                Path.of("/var/lib/countersign"), Path.of("/etc/countersign/policy.yml"), Duration.ofSeconds(30), "0.0.0.0",
                null, null, null, new org.countersign.app.RateLimiter.Limit("chat-user", 30, Duration.ofMinutes(1)),
                new org.countersign.app.RateLimiter.Limit("http-address", 300, Duration.ofMinutes(1)), null, null,
                new org.countersign.web.WebSettings("0123456789abcdef0123", true), "fedcba9876543210fedcba",
                Duration.ofSeconds(90), null, null, null, org.countersign.store.RedisConnector.Options.NONE, null));
    }

    @Test
    void empty_values_count_as_unset() {
        var config = Config.fromEnv(env().with("PORT", "").with("REDIS_URL", " ").with("POLICY_FILE", "")
                .with("DATA_DIR", "").with("EXPIRY_SWEEP_INTERVAL", "").with("BIND_HOST", "").build());

        assertThat(config).isEqualTo(Config.fromEnv(Map.of()));
    }

    @Test
    void a_port_that_is_not_a_number_is_refused_with_the_value_and_the_range() {
        assertThat(problemsWith("PORT", "http")).containsExactly(
                "PORT='http': expected a port number from 1 to 65535 (default 7000)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65536", "-1", "99999999999"})
    void a_port_outside_1_to_65535_is_refused(String port) {
        assertThat(problemsWith("PORT", port)).singleElement().asString().startsWith("PORT='" + port + "': expected");
    }

    @Test
    void the_highest_port_is_accepted() {
        assertThat(Config.fromEnv(env().with("PORT", "65535").build()).port()).isEqualTo(65535);
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://localhost", "redis://localhost:6379", "redis://:pw@localhost:6379/0",
            "rediss://user:pw@redis.example.org:6380/15", "redis://10.0.0.5/"})
    void redis_urls_in_the_usual_forms_are_accepted(String url) {
        assertThat(Config.fromEnv(env().with("REDIS_URL", url).build()).redisUrlOpt()).contains(url);
    }

    @Test
    void a_redis_url_with_another_scheme_is_refused() {
        assertThat(problemsWith("REDIS_URL", "localhost:6379")).singleElement().asString()
                .startsWith("REDIS_URL='localhost:6379': does not start with redis:// or rediss://")
                .contains("expected redis://[:password@]host[:port][/db]");
    }

    @Test
    void a_redis_url_without_a_host_is_refused() {
        assertThat(problemsWith("REDIS_URL", "redis://")).singleElement().asString().startsWith("REDIS_URL='redis://': ");
    }

    @Test
    void a_redis_url_with_a_port_that_is_not_a_number_is_refused() {
        assertThat(problemsWith("REDIS_URL", "redis://localhost:port")).singleElement().asString()
                .contains("a port that is not a number");
    }

    @Test
    void a_redis_url_whose_path_is_not_a_database_number_is_refused() {
        assertThat(problemsWith("REDIS_URL", "redis://localhost/cache")).singleElement().asString()
                .contains("'/cache' is not a database number such as /0");
    }

    @Test
    void a_redis_url_with_a_password_but_no_colon_is_refused_without_showing_the_password() {
        var problems = problemsWith("REDIS_URL", "redis://hunter2@localhost");

        assertThat(problems).singleElement().asString()
                .startsWith("REDIS_URL='redis://****@localhost': put a colon before the password")
                .doesNotContain("hunter2");
    }

    @Test
    void an_empty_redis_prefix_is_refused() {
        assertThat(problemsWith("REDIS_PREFIX", "")).singleElement().asString()
                .startsWith("REDIS_PREFIX='': expected a non-empty key prefix");
    }

    @Test
    void a_redis_prefix_with_a_space_is_refused() {
        assertThat(problemsWith("REDIS_PREFIX", "cs prod:")).containsExactly(
                "REDIS_PREFIX='cs prod:': expected a key prefix without spaces, such as 'cs:'");
    }

    @Test
    void a_sweep_interval_that_is_not_a_duration_is_refused_with_the_forms_that_work() {
        assertThat(problemsWith("EXPIRY_SWEEP_INTERVAL", "often")).containsExactly(
                "EXPIRY_SWEEP_INTERVAL='often': expected a duration such as 90s, 60m, 2h, 1d or PT1H, from 1s to 1h (default 15s)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "PT0.5S", "2h"})
    void a_sweep_interval_outside_1s_to_1h_is_refused(String interval) {
        assertThat(problemsWith("EXPIRY_SWEEP_INTERVAL", interval)).singleElement().asString()
                .startsWith("EXPIRY_SWEEP_INTERVAL='" + interval + "'").contains("from 1s to 1h");
    }

    @Test
    void the_privacy_check_runs_every_5_minutes_unless_set() {
        assertThat(Config.fromEnv(Map.of()).privacyCheckInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(Config.fromEnv(env().with("PRIVACY_CHECK_INTERVAL", "PT2M").build()).privacyCheckInterval())
                .isEqualTo(Duration.ofMinutes(2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"never", "0s", "2d"})
    void a_privacy_check_interval_outside_1s_to_1d_is_refused_with_the_forms_that_work(String interval) {
        assertThat(problemsWith("PRIVACY_CHECK_INTERVAL", interval)).containsExactly("PRIVACY_CHECK_INTERVAL='"
                + interval + "': expected a duration such as 90s, 60m, 2h, 1d or PT1H, from 1s to 1d (default 5m)");
    }

    @Test
    void a_sweep_interval_uses_the_policy_files_duration_forms() {
        assertThat(Config.fromEnv(env().with("EXPIRY_SWEEP_INTERVAL", "2m").build()).expirySweepInterval())
                .isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void a_bind_host_with_a_space_is_refused() {
        assertThat(problemsWith("BIND_HOST", "local host")).containsExactly(
                "BIND_HOST='local host': expected a host name or IP address such as 127.0.0.1 or 0.0.0.0");
    }

    @Test
    void a_data_dir_that_is_not_a_path_is_refused() {
        assertThat(problemsWith("DATA_DIR", "data\0dir")).singleElement().asString()
                .startsWith("DATA_DIR='data\0dir': expected a file system path");
    }

    @Test
    void every_problem_is_listed_at_once() {
        var e = catchThrowableOfType(Config.Invalid.class, () -> Config.fromEnv(env()
                .with("PORT", "seven")
                .with("REDIS_URL", "http://:secret@localhost")
                .with("REDIS_PREFIX", "a b")
                .with("EXPIRY_SWEEP_INTERVAL", "soon")
                .with("BIND_HOST", "a host")
                .build()));

        assertThat(e.problems()).hasSize(5);
        assertThat(e.problems()).extracting(p -> p.substring(0, p.indexOf('=')))
                .containsExactly("PORT", "REDIS_URL", "REDIS_PREFIX", "EXPIRY_SWEEP_INTERVAL", "BIND_HOST");
        assertThat(e.getMessage()).startsWith("invalid configuration:\n  - PORT='seven'")
                .contains(String.join("\n  - ", e.problems()))
                .doesNotContain("secret");
    }

    @Test
    void without_a_redis_url_slack_or_matrix_on_is_refused_with_a_message_to_set_one() {
        var e = catchThrowableOfType(Config.Invalid.class, () -> Config.fromEnv(env()
                .with("SLACK_SIGNING_SECRET", "8f742231b10e8888abcd99yyyzzz85a5").with("SLACK_BOT_TOKEN", "xoxb-1-2-abc")
                .with("SLACK_CHANNEL", "C0EMERG1").with("MATRIX_HOMESERVER_URL", "https://matrix.example.org")
                .with("MATRIX_ACCESS_TOKEN", "syt_token").with("MATRIX_ROOM_ID", "!ops:example.org").build()));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().startsWith("REDIS_URL is not set, but Slack is on and "
                + "Matrix is on: the embedded Redis is for trying Countersign on this machine only; set REDIS_URL");
    }

    @Test
    void without_a_redis_url_a_bind_host_beyond_loopback_is_refused_even_with_a_dashboard_token() {
        var e = catchThrowableOfType(Config.Invalid.class, () -> Config.fromEnv(env().with("BIND_HOST", "0.0.0.0")
                .with("DASHBOARD_TOKEN", "0123456789abcdef0123").build()));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString()
                .startsWith("REDIS_URL is not set, but BIND_HOST='0.0.0.0' listens beyond this machine: ")
                .contains("set REDIS_URL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.1.1", "localhost", "::1", "[::1]"})
    void without_a_redis_url_a_loopback_bind_host_keeps_the_embedded_redis(String host) {
        assertThat(Config.fromEnv(env().with("BIND_HOST", host).build()).redisUrlOpt()).isEmpty();
    }

    @Test
    void a_metrics_token_shorter_than_16_characters_is_refused_without_showing_it() {
        assertThat(problemsWith("METRICS_TOKEN", "short-token")).singleElement().asString()
                .startsWith("METRICS_TOKEN (hidden) is too short: use at least 16 characters").doesNotContain("short-token");
        assertThat(Config.fromEnv(env().with("METRICS_TOKEN", "fedcba9876543210fedcba").build()).toString())
                .contains("metricsToken=****").doesNotContain("fedcba9876543210fedcba");
    }

    @Test
    void an_inbound_secret_starting_with_whsec_must_be_base64_of_16_bytes_or_more() {
        assertThat(problemsWith("INBOUND_WEBHOOK_SECRET", "whsec_not base64 at all!")).containsExactly(
                "INBOUND_WEBHOOK_SECRET (hidden) is not whsec_ followed by base64");
        assertThat(Config.fromEnv(env().with("INBOUND_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").build())
                .inboundWebhookSecretOpt()).isPresent();
    }

    @Test
    void a_receipt_signing_key_is_checked_at_start_and_never_shown() throws Exception {
        var key = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();
        var pem = "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getEncoder().encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        var rsa = java.security.KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
        var rsaPem = "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getEncoder().encodeToString(rsa.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";

        var config = Config.fromEnv(env().with("RECEIPT_SIGNING_KEY", pem).build());

        assertThat(config.receiptSigningKey()).isEqualTo(pem.strip());
        assertThat(config.toString()).contains("receiptSigningKey=****").doesNotContain(pem.substring(30, 60));
        assertThat(problemsWith("RECEIPT_SIGNING_KEY", rsaPem)).singleElement().asString()
                .startsWith("RECEIPT_SIGNING_KEY (hidden) is not an Ed25519 private key").doesNotContain(rsaPem.substring(30, 60));
        assertThat(problemsWith("RECEIPT_PREVIOUS_KEYS", "/no/such/old-key.pem")).singleElement().asString()
                .startsWith("RECEIPT_PREVIOUS_KEYS (/no/such/old-key.pem): no such file");
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis-sentinel://s1:26379,s2:26379,s3:26379/mymaster",
            "rediss-sentinel://countersign:pw@s1:26379/prod-master", "redis-cluster://n1:7000,n2:7001,n3:7002",
            "rediss-cluster://:pw@redis-cluster.example.org:6380"})
    void sentinel_and_cluster_urls_are_accepted(String url) {
        assertThat(Config.fromEnv(env().with("REDIS_URL", url).build()).redisUrlOpt()).contains(url);
    }

    @Test
    void a_sentinel_url_without_a_master_name_and_a_cluster_url_with_a_database_are_refused() {
        assertThat(problemsWith("REDIS_URL", "redis-sentinel://:hunter2@s1:26379,s2:26379")).singleElement().asString()
                .startsWith("REDIS_URL='redis-sentinel://:****@s1:26379,s2:26379': name the master after the Sentinels")
                .doesNotContain("hunter2");
        assertThat(problemsWith("REDIS_URL", "redis-cluster://n1:7000,n2:7001/2")).singleElement().asString()
                .contains("a Cluster has no database");
        assertThat(problemsWith("REDIS_URL", "redis-cluster://n1:7000,:7001")).singleElement().asString()
                .contains("':7001' is not host:port");
    }

    @Test
    void redis_min_replicas_and_the_sentinel_password_are_read_and_the_password_is_never_shown() {
        var config = Config.fromEnv(env().with("REDIS_URL", "redis-sentinel://s1:26379/mymaster")
                .with("REDIS_SENTINEL_PASSWORD", "sentinel-hunter2").with("REDIS_MIN_REPLICAS", "1").build());

        assertThat(config.redisOptions())
                .isEqualTo(new org.countersign.store.RedisConnector.Options("sentinel-hunter2", 1));
        assertThat(config.toString()).contains("minReplicas=1").doesNotContain("sentinel-hunter2");
        assertThat(problemsWith("REDIS_MIN_REPLICAS", "two")).singleElement().asString()
                .startsWith("REDIS_MIN_REPLICAS='two': expected how many Redis replicas");
        assertThat(problemsWith("REDIS_SENTINEL_PASSWORD", "pw")).singleElement().asString()
                .startsWith("REDIS_SENTINEL_PASSWORD is set but REDIS_URL is not a redis-sentinel://");
    }

    @Test
    void to_string_masks_the_redis_password() {
        var config = Config.fromEnv(env().with("REDIS_URL", "redis://:hunter2@redis.example.org:6379/0").build());

        assertThat(config.toString()).contains("redisUrl=redis://:****@redis.example.org:6379/0").doesNotContain("hunter2");
    }

    @Test
    void the_redis_url_for_logs_keeps_the_user_and_masks_the_password() {
        var config = Config.fromEnv(env().with("REDIS_URL", "rediss://countersign:hunter2@redis.example.org/1").build());

        assertThat(config.redisUrlForLogs()).isEqualTo("rediss://countersign:****@redis.example.org/1");
        assertThat(config.redisUrlOpt()).contains("rediss://countersign:hunter2@redis.example.org/1");
    }

    @Test
    void a_password_with_an_at_sign_is_masked_whole() {
        assertThat(Config.mask("redis://:p@ss@localhost:6379")).isEqualTo("redis://:****@localhost:6379");
    }

    @Test
    void a_redis_url_without_a_password_is_shown_as_it_is() {
        var config = Config.fromEnv(env().with("REDIS_URL", "redis://localhost:6379").build());

        assertThat(config.redisUrlForLogs()).isEqualTo("redis://localhost:6379");
        assertThat(Config.fromEnv(Map.of()).redisUrlForLogs()).isNull();
    }

    private static java.util.List<String> problemsWith(String name, String value) {
        var e = catchThrowableOfType(Config.Invalid.class, () -> Config.fromEnv(env().with(name, value).build()));
        assertThat(e).as("%s=%s should be refused", name, value).isNotNull();
        return e.problems();
    }

    private static EnvBuilder env() { return new EnvBuilder(); }

    /** An environment, variable by variable. */
    private static final class EnvBuilder {
        private final Map<String, String> env = new HashMap<>();

        EnvBuilder with(String name, String value) {
            env.put(name, value);
            return this;
        }

        Map<String, String> build() { return Map.copyOf(env); }
    }
}
