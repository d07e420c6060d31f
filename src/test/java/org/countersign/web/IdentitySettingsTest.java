package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PUBLIC_URL, the OIDC_* settings, SESSION_TTL and the named API tokens, read once at start with every problem listed. */
class IdentitySettingsTest {
    static final String HASH = "sha256:" + "ab".repeat(32);
    @TempDir
    Path dir;

    private static WebSettings read(Map<String, String> env, String bindHost, List<String> problems) {
        return WebSettings.fromEnv(env, bindHost, text -> text.endsWith("h")
                ? Optional.of(Duration.ofHours(Long.parseLong(text.replace("h", "")))) : Optional.empty(), problems);
    }

    private static Map<String, String> oidc() {
        var env = new HashMap<String, String>();
        env.put("OIDC_ISSUER", "https://login.example.org/realms/ops");
        env.put("OIDC_CLIENT_ID", "countersign");
        env.put("OIDC_CLIENT_SECRET", "a-client-secret-never-shown");
        env.put("PUBLIC_URL", "https://countersign.example.org/");
        return env;
    }

    @Test
    void sign_in_is_read_with_the_callback_under_the_public_url() {
        var problems = new ArrayList<String>();
        var env = oidc();
        env.put("SESSION_TTL", "8h");
        var settings = read(env, "0.0.0.0", problems);
        assertThat(problems).isEmpty();
        assertThat(settings.oidc().redirectUri()).hasToString("https://countersign.example.org/signin/callback");
        assertThat(settings.oidc().sessionTtl()).isEqualTo(Duration.ofHours(8));
        assertThat(settings.toString()).doesNotContain("a-client-secret-never-shown");
    }

    @Test
    void sign_in_alone_lets_the_service_listen_beyond_loopback() {
        var problems = new ArrayList<String>();
        read(oidc(), "0.0.0.0", problems);
        assertThat(problems).isEmpty();
    }

    @Test
    void an_issuer_without_client_id_or_public_url_lists_both() {
        var problems = new ArrayList<String>();
        var settings = read(Map.of("OIDC_ISSUER", "https://login.example.org"), null, problems);
        assertThat(settings.oidc()).isNull();
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).contains("OIDC_CLIENT_ID").contains("/signin/callback");
        assertThat(problems.get(1)).contains("PUBLIC_URL");
    }

    @Test
    void a_client_id_without_an_issuer_says_to_set_the_issuer() {
        var problems = new ArrayList<String>();
        read(Map.of("OIDC_CLIENT_ID", "countersign"), null, problems);
        assertThat(problems).singleElement().asString().contains("OIDC_ISSUER is not");
    }

    @Test
    void plain_http_is_for_this_machine_only_and_a_public_url_has_no_path() {
        var problems = new ArrayList<String>();
        var env = oidc();
        env.put("OIDC_ISSUER", "http://login.example.org");
        env.put("PUBLIC_URL", "https://countersign.example.org/app");
        env.put("SESSION_TTL", "forever");
        read(env, null, problems);
        assertThat(problems).anyMatch(p -> p.startsWith("OIDC_ISSUER='http://login.example.org'"))
                .anyMatch(p -> p.startsWith("PUBLIC_URL='https://countersign.example.org/app'"))
                .anyMatch(p -> p.startsWith("SESSION_TTL='forever'"));
        var local = new ArrayList<String>();
        var localEnv = oidc();
        localEnv.put("OIDC_ISSUER", "http://localhost:8080/realms/ops");
        localEnv.put("PUBLIC_URL", "http://127.0.0.1:7000");
        read(localEnv, null, local);
        assertThat(local).isEmpty();
    }

    @Test
    void api_tokens_from_the_variable_and_the_file_name_their_pipelines() throws Exception {
        var file = dir.resolve("tokens");
        Files.writeString(file, "# pipelines\nci " + "sha256:" + OidcFixture.sha256("ci-token-0123456789abcdef") + "\n\n");
        var problems = new ArrayList<String>();
        var settings = read(Map.of("API_TOKENS", "deploy-bot:sha256:" + OidcFixture.sha256("deploy-token-0123456789"),
                "API_TOKENS_FILE", file.toString()), null, problems);
        assertThat(problems).isEmpty();
        assertThat(settings.apiTokens().nameOf("deploy-token-0123456789")).hasValue("deploy-bot");
        assertThat(settings.apiTokens().nameOf("ci-token-0123456789abcdef")).hasValue("ci");
        assertThat(settings.apiTokens().nameOf("ci-token-0123456789abcdeF")).isEmpty();
        assertThat(settings.apiTokens().nameOf("")).isEmpty();
        assertThat(settings.toString()).contains("deploy-bot", "ci").doesNotContain(OidcFixture.sha256("deploy-token-0123456789"));
    }

    @Test
    void a_token_pasted_instead_of_its_hash_is_refused_without_repeating_it_whole() {
        var problems = new ArrayList<String>();
        var pasted = "deploy-bot:0123456789abcdef0123456789abcdef";
        read(Map.of("API_TOKENS", pasted + ",Bad Name:" + HASH + ",ci:" + HASH + ",ci:" + HASH,
                "API_TOKENS_FILE", dir.resolve("missing").toString()), null, problems);
        assertThat(problems).hasSize(4);
        assertThat(problems.get(0)).contains("never put the token itself here")
                .contains("'deploy-bot'").doesNotContain("0123456789");
        assertThat(problems.get(1)).contains("lower-case letters");
        assertThat(problems.get(2)).contains("the name ci is used twice");
        assertThat(problems.get(3)).startsWith("API_TOKENS_FILE=").contains("cannot be read");
    }
}
