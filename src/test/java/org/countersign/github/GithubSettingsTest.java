package org.countersign.github;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.security.KeyPair;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GithubSettingsTest {
    static final String SECRET = "github-webhook-secret-0123456789";
    static KeyPair keys;

    @TempDir
    Path dir;

    @BeforeAll
    static void keys() { keys = GithubPayloads.keyPair(); }

    @Test
    void github_is_off_when_none_of_its_settings_is_set() {
        var problems = new ArrayList<String>();
        assertThat(GithubSettings.fromEnv(Map.<String, String>of()::get, problems)).isNull();
        assertThat(problems).isEmpty();
    }

    @Test
    void a_pkcs1_key_as_github_hands_it_out_is_read_from_the_variable_or_a_file() throws Exception {
        var file = dir.resolve("app.pem");
        Files.writeString(file, GithubPayloads.pkcs1Pem(keys));
        var inline = settings(env(GithubPayloads.pkcs1Pem(keys)));
        var escaped = settings(env(GithubPayloads.pkcs1Pem(keys).replace("\n", "\\n")));
        var fromFile = settings(env(file.toString()));

        for (var s : List.of(inline, escaped, fromFile)) {
            assertThat(s.privateKey().getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
            assertThat(s.apiUrl()).hasToString("https://api.github.com");
        }
    }

    @Test
    void a_pkcs8_key_is_read_too() {
        assertThat(settings(env(GithubPayloads.pkcs8Pem(keys))).privateKey().getEncoded())
                .isEqualTo(keys.getPrivate().getEncoded());
    }

    @Test
    void every_problem_is_listed_and_neither_key_nor_secret_is_shown() {
        var env = new HashMap<String, String>();
        env.put("GITHUB_APP_ID", "my-app");
        env.put("GITHUB_APP_PRIVATE_KEY", "-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----");
        env.put("GITHUB_WEBHOOK_SECRET", "short-secret");
        env.put("GITHUB_API_URL", "ftp://github.example.org");
        var problems = new ArrayList<String>();

        assertThat(GithubSettings.fromEnv(env::get, problems)).isNull();

        assertThat(problems).hasSize(4);
        assertThat(String.join("\n", problems)).contains("GITHUB_APP_ID='my-app'").contains("GITHUB_APP_PRIVATE_KEY (hidden)")
                .contains("GITHUB_WEBHOOK_SECRET (hidden) is too short").contains("GITHUB_API_URL='ftp://github.example.org'")
                .doesNotContain("short-secret").doesNotContain("bm90IGEga2V5");
    }

    @Test
    void a_missing_setting_is_named() {
        var problems = new ArrayList<String>();
        GithubSettings.fromEnv(Map.of("GITHUB_APP_ID", "1012345")::get, problems);
        assertThat(problems).anyMatch(p -> p.startsWith("GITHUB_APP_PRIVATE_KEY is not set"))
                .anyMatch(p -> p.startsWith("GITHUB_WEBHOOK_SECRET is not set"));
    }

    @Test
    void plain_http_api_is_for_this_machine_only_and_to_string_hides_the_secrets() {
        var local = env(GithubPayloads.pkcs8Pem(keys));
        local.put("GITHUB_API_URL", "http://127.0.0.1:8080/");
        var remote = env(GithubPayloads.pkcs8Pem(keys));
        remote.put("GITHUB_API_URL", "http://github.example.org/api/v3");
        var problems = new ArrayList<String>();

        var settings = settings(local);
        GithubSettings.fromEnv(remote::get, problems);

        assertThat(settings.apiUrl()).hasToString("http://127.0.0.1:8080");
        assertThat(problems).singleElement().asString().contains("plain http only to this machine");
        assertThat(settings.toString()).doesNotContain(SECRET).contains("privateKey=****");
    }

    private static HashMap<String, String> env(String key) {
        var env = new HashMap<String, String>();
        env.put("GITHUB_APP_ID", "1012345");
        env.put("GITHUB_APP_PRIVATE_KEY", key);
        env.put("GITHUB_WEBHOOK_SECRET", SECRET);
        return env;
    }

    private static GithubSettings settings(Map<String, String> env) {
        var problems = new ArrayList<String>();
        var settings = GithubSettings.fromEnv(env::get, problems);
        assertThat(problems).isEmpty();
        return settings;
    }
}
