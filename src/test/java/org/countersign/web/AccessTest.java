package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.countersign.web.WebFixture.json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import org.countersign.Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard token, the sign-in page, and what stays open without it. */
class AccessTest {
    static final String TOKEN = "correct-horse-battery-staple-42";
    @TempDir
    static Path dataDir;
    static WebFixture web;

    @BeforeAll
    static void start() throws Exception {
        web = new WebFixture(dataDir, Map.of("DASHBOARD_TOKEN", TOKEN, "CONSOLE", "on"));
    }

    @AfterAll
    static void stop() {
        web.close();
    }

    @Test
    void the_api_without_a_token_is_401_with_a_json_message() throws Exception {
        var response = web.get("/api/requests");
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).path("error").asText()).contains("Sign in at /signin");
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }

    @Test
    void the_api_with_the_bearer_token_answers() throws Exception {
        assertThat(web.get("/api/requests", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void a_wrong_bearer_token_is_401() throws Exception {
        assertThat(web.get("/api/requests", "Authorization", "Bearer " + TOKEN + "x").statusCode()).isEqualTo(401);
    }

    @Test
    void a_page_without_a_session_redirects_to_sign_in_with_where_to_go_next() throws Exception {
        var response = web.get("/requests/EMG-1", "Accept", "text/html");
        assertThat(response.statusCode()).isEqualTo(303);
        assertThat(response.headers().firstValue("Location")).hasValue("/signin?next=%2Frequests%2FEMG-1");
    }

    @Test
    void live_events_and_the_console_are_behind_the_token_too() throws Exception {
        assertThat(web.get("/events", "Accept", "text/event-stream").statusCode()).isEqualTo(401);
        assertThat(web.get("/partials/dashboard", "Accept", "application/json").statusCode()).isEqualTo(401);
        var console = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(web.base + "/console/command")).POST(java.net.http.HttpRequest.BodyPublishers
                .ofString("{}")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(console.statusCode()).isEqualTo(401);
    }

    @Test
    void health_readiness_and_metrics_stay_open() throws Exception {
        var anonymous = java.net.http.HttpClient.newHttpClient();
        for (var path : new String[] {"/healthz", "/readyz", "/metrics", "/assets/app.css"}) {
            var response = anonymous.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(web.base + path))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(200);
        }
    }

    @Test
    void a_wrong_token_on_the_sign_in_page_is_refused_on_the_page() throws Exception {
        var response = web.post("/signin", "token=guess&next=%2F", "Content-Type", "application/x-www-form-urlencoded");
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("That is not the dashboard token.");
        assertThat(response.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith(Access.SESSION_COOKIE + "=")
                && !c.startsWith(Access.SESSION_COOKIE + "=;"));
    }

    @Test
    void the_right_token_sets_an_http_only_strict_cookie_that_opens_the_dashboard() throws Exception {
        var client = new WebFixture.Browser(web.base);
        var signIn = client.post("/signin", "token=" + TOKEN + "&next=%2Frequests%2FEMG-1",
                "Content-Type", "application/x-www-form-urlencoded");

        assertThat(signIn.statusCode()).isEqualTo(303);
        assertThat(signIn.headers().firstValue("Location")).hasValue("/requests/EMG-1");
        var cookie = signIn.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(Access.SESSION_COOKIE + "=")).findFirst().orElseThrow();
        assertThat(cookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict").doesNotContain(TOKEN);
        assertThat(client.get("/").statusCode()).isEqualTo(200);
        assertThat(client.get("/api/requests").statusCode()).isEqualTo(200);
    }

    @Test
    void sign_in_never_sends_people_to_another_site() {
        assertThat(Access.localPath("//evil.example/x")).isEqualTo("/");
        assertThat(Access.localPath("https://evil.example")).isEqualTo("/");
        assertThat(Access.localPath("/\\evil.example")).isEqualTo("/");
        assertThat(Access.localPath("/requests/EMG-3")).isEqualTo("/requests/EMG-3");
    }

    @Test
    void only_loopback_clients_without_a_proxy_are_local() {
        assertThat(Access.isLocal("127.0.0.1", null, null)).isTrue();
        assertThat(Access.isLocal("0:0:0:0:0:0:0:1", null, null)).isTrue();
        assertThat(Access.isLocal("[::1]", null, null)).isTrue();
        assertThat(Access.isLocal("10.0.0.5", null, null)).isFalse();
        assertThat(Access.isLocal("203.0.113.9", null, null)).isFalse();
        assertThat(Access.isLocal("127.0.0.1", "203.0.113.9", null)).isFalse();
        assertThat(Access.isLocal("127.0.0.1", null, "for=203.0.113.9")).isFalse();
        assertThat(Access.isLocal("example.org", null, null)).isFalse();
    }

    @Test
    void a_bind_host_beyond_loopback_without_a_dashboard_token_stops_the_start() {
        assertThatThrownBy(() -> Config.fromEnv(Map.of("BIND_HOST", "0.0.0.0")))
                .isInstanceOf(Config.Invalid.class)
                .hasMessageContaining("BIND_HOST='0.0.0.0' makes the dashboard and API reachable from other machines")
                .hasMessageContaining("set DASHBOARD_TOKEN");
    }

    @Test
    void loopback_bind_hosts_need_no_token() {
        for (var host : new String[] {"127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"}) {
            var problems = new ArrayList<String>();
            WebSettings.fromEnv(Map.of(), host, problems);
            assertThat(problems).as(host).isEmpty();
        }
    }

    @Test
    void a_short_token_and_an_unknown_console_value_are_listed_together() {
        var problems = new ArrayList<String>();
        WebSettings.fromEnv(Map.of("DASHBOARD_TOKEN", "short", "CONSOLE", "maybe"), null, problems);
        assertThat(problems).containsExactly(
                "DASHBOARD_TOKEN is 5 characters long: use at least 16 random characters (e.g. openssl rand -hex 24)",
                "CONSOLE='maybe': expected on or off (default: on when neither Slack nor Matrix is configured)");
    }

    @Test
    void the_console_is_on_without_a_chat_platform_and_off_with_one_unless_asked() {
        assertThat(new WebSettings(null, null).consoleOn(false)).isTrue();
        assertThat(new WebSettings(null, null).consoleOn(true)).isFalse();
        assertThat(new WebSettings(null, true).consoleOn(true)).isTrue();
        assertThat(new WebSettings(null, false).consoleOn(false)).isFalse();
    }

    @Test
    void the_token_is_never_shown_in_the_configuration() {
        var config = Config.fromEnv(Map.of("DASHBOARD_TOKEN", TOKEN));
        assertThat(config.toString()).doesNotContain(TOKEN).contains("dashboardToken=****");
    }
}
