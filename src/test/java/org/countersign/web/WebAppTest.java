package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.TestPolicies.DEV;
import static org.countersign.domain.TestPolicies.REL1;
import static org.countersign.domain.TestPolicies.SRE1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Optional;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.DomainJson;
import org.countersign.store.RedisConnector;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebAppTest {
    private static final ObjectMapper JSON = DomainJson.mapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private RedisRequestStore store;
    private RequestService service;
    private Javalin app;

    @BeforeEach
    void start() {
        store = TestRedis.store();
        var policy = TestPolicies.standard();
        var metrics = new Metrics(store::countByState);
        service = new RequestService(store, new PolicyDirectory(policy), new Workflow(policy), Clock.systemUTC(), metrics);
        app = WebApp.create(service, store::ping, metrics, JSON, java.util.List.of(), WebTesting.options()).start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    @Test
    void healthz_says_alive() throws Exception {
        var response = get("/healthz");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("status").asText()).isEqualTo("alive");
    }

    @Test
    void readyz_is_200_when_redis_answers() throws Exception {
        var response = get("/readyz");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("status").asText()).isEqualTo("ready");
    }

    @Test
    void readyz_is_503_with_the_reason_when_redis_does_not_answer() throws Exception {
        try (var dead = RedisConnector.pooled("redis://127.0.0.1:" + closedPort())) {
            var deadStore = new RedisRequestStore(dead, TestRedis.uniquePrefix());
            var deadApp = WebApp.create(service, deadStore::ping, new Metrics(store::countByState), JSON, java.util.List.of(), WebTesting.options())
                    .start("127.0.0.1", 0);
            try {
                var response = send(WebTesting.authorized(HttpRequest.newBuilder(url(deadApp, "/readyz"))).build());
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(json(response).path("error").asText()).containsIgnoringCase("redis");
            } finally {
                deadApp.stop();
            }
        }
    }

    @Test
    void a_large_answer_is_gzipped_when_asked_and_a_small_one_is_not() throws Exception {
        var css = http.send(WebTesting.authorized(HttpRequest.newBuilder(url(app, "/assets/app.css")))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
        var plain = http.send(WebTesting.authorized(HttpRequest.newBuilder(url(app, "/assets/app.css"))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        var small = http.send(WebTesting.authorized(HttpRequest.newBuilder(url(app, "/healthz")))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(css.headers().firstValue("Content-Encoding")).hasValue("gzip");
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(css.body()))) {
            assertThat(in.readAllBytes()).isEqualTo(plain.body());
        }
        assertThat(css.body().length).isLessThan(plain.body().length / 2);
        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(small.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(json(small).path("status").asText()).isEqualTo("alive");
    }

    @Test
    void a_request_is_shown_with_its_whole_timeline() throws Exception {
        var id = open("availability");
        service.approve(id, SRE1, "sre");
        service.approve(id, REL1, "releng");

        var response = get("/api/requests/" + id);

        assertThat(response.statusCode()).isEqualTo(200);
        var body = json(response);
        assertThat(body.path("id").asText()).isEqualTo(id.toString());
        assertThat(body.path("state").asText()).isEqualTo("APPROVED");
        assertThat(body.path("summary").asText()).contains("Revert the cache change");
        assertThat(body.path("teams").findValuesAsText("team")).containsExactly("sre", "releng");
        assertThat(body.path("timeline").findValuesAsText("type"))
                .containsExactly("request.opened", "approval.added", "approval.added", "request.approved");
        assertThat(body.path("timeline").get(1).path("actor").asText()).isEqualTo("slack:U0SRE1");
    }

    @Test
    void the_request_page_says_the_last_approval_and_approved_in_one_timeline_entry_and_shows_no_version()
            throws Exception {
        var id = open("availability");
        service.approve(id, SRE1, "sre");
        service.approve(id, REL1, "releng");

        var page = get("/requests/" + id).body();
        var entries = page.substring(page.indexOf("<ol class=\"timeline\">"), page.indexOf("</ol>", page.indexOf(
                "<ol class=\"timeline\">"))).split("<li ");

        assertThat(entries).hasSize(4); // the list's start, opened, SRE, Release Engineering
        assertThat(entries[2]).contains("approved as SRE").doesNotContain("→");
        assertThat(entries[3]).contains("approved as Release Engineering, the last approval it needed")
                .contains("→");
        assertThat(page).doesNotContain("completed the approvals").doesNotContain("<dt>Version</dt>");
    }

    @Test
    void the_favicon_is_served_to_anyone_and_every_page_links_it() throws Exception {
        var icon = send(HttpRequest.newBuilder(url(app, "/favicon.ico")).build());
        var linked = send(HttpRequest.newBuilder(url(app, "/assets/favicon.svg")).build());

        assertThat(icon.statusCode()).isEqualTo(200);
        assertThat(icon.headers().firstValue("Content-Type")).hasValue("image/svg+xml");
        assertThat(icon.body()).startsWith("<svg");
        assertThat(linked.statusCode()).isEqualTo(200);
        assertThat(get("/").body()).contains("<link rel=\"icon\" type=\"image/svg+xml\" href=\"/assets/favicon.svg\">");
    }

    @Test
    void a_confidential_request_shows_only_id_state_and_teams() throws Exception {
        var id = open("security");

        var body = json(get("/api/requests/" + id));

        assertThat(body.path("redacted").asBoolean()).isTrue();
        assertThat(body.path("state").asText()).isEqualTo("PENDING");
        assertThat(body.path("teams").findValuesAsText("team")).containsExactly("sre", "releng", "security");
        assertThat(body.has("summary")).isFalse();
        assertThat(body.has("changes")).isFalse();
        assertThat(body.toString()).doesNotContain("Revert the cache change").doesNotContain("gerrit");
    }

    @Test
    void an_unknown_request_is_404_with_a_message() throws Exception {
        var response = get("/api/requests/EMG-999999");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).path("error").asText()).isEqualTo("There is no request EMG-999999");
    }

    @Test
    void a_malformed_request_id_is_400_with_the_expected_form() throws Exception {
        var response = get("/api/requests/nope");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).contains("\"nope\"").contains("EMG-12");
    }

    @Test
    void a_percent_sign_without_two_hex_digits_in_the_path_is_400_not_500() throws Exception {
        // java.net.URI refuses to send such a path, so it goes on a socket of its own.
        try (var socket = new java.net.Socket("127.0.0.1", app.port())) {
            socket.getOutputStream().write(("GET /api/requests/EMG-1;x=%PJ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            var answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("\"error\"").doesNotContain("Exception");
        }
    }

    @Test
    void the_list_filters_by_state_newest_first() throws Exception {
        var first = open("availability");
        var second = open("abuse");
        var cancelled = open("data-loss");
        service.cancel(cancelled, DEV, "fixed by itself");

        var pending = json(get("/api/requests?state=pending"));
        var all = json(get("/api/requests"));

        assertThat(pending.path("requests").findValuesAsText("id")).containsExactly(second.toString(), first.toString());
        assertThat(all.path("requests").findValuesAsText("id"))
                .containsExactly(cancelled.toString(), second.toString(), first.toString());
    }

    @Test
    void an_unknown_state_is_400_naming_the_known_ones() throws Exception {
        var response = get("/api/requests?state=WAITING");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).contains("WAITING").contains("PENDING");
    }

    @Test
    void a_bad_limit_is_400() throws Exception {
        var response = get("/api/requests?limit=-3");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).contains("limit");
    }

    @Test
    void metrics_count_requests_by_state_and_transitions_by_type() throws Exception {
        var id = open("availability");
        service.approve(id, SRE1, "sre");
        open("abuse");

        var response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(response.body())
                .contains("countersign_requests{state=\"PENDING\"} 2.0")
                .contains("countersign_requests{state=\"APPROVED\"} 0.0")
                .contains("countersign_transitions_total{type=\"request.opened\"} 2.0")
                .contains("countersign_transitions_total{type=\"approval.added\"} 1.0");
    }

    @Test
    void with_a_metrics_token_metrics_are_401_json_without_it_and_200_with_it() throws Exception {
        var token = "metrics-0123456789abcdef";
        try (var guarded = new Closing(WebApp.create(service, store::ping, new Metrics(store::countByState, token), JSON, java.util.List.of(), WebTesting.options())
                .start("127.0.0.1", 0))) {
            var base = "http://127.0.0.1:" + guarded.app.port() + "/metrics";
            var none = http.send(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString());
            var wrong = http.send(HttpRequest.newBuilder(URI.create(base)).header("Authorization", "Bearer "
                    + token.substring(1) + "x").build(), HttpResponse.BodyHandlers.ofString());
            var right = http.send(HttpRequest.newBuilder(URI.create(base)).header("Authorization", "Bearer " + token)
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"metrics\"");
            assertThat(json(none).path("error").asText()).contains("METRICS_TOKEN");
            assertThat(none.body()).doesNotContain("countersign_requests");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(right.body()).contains("countersign_requests{state=\"PENDING\"}");
            assertThat(get("/healthz").statusCode()).as("health stays open").isEqualTo(200);
        }
    }

    /** Stops an extra app when the test ends. */
    private record Closing(Javalin app) implements AutoCloseable {
        @Override public void close() { app.stop(); }
    }

    @Test
    void an_unknown_route_is_a_json_404() throws Exception {
        var response = get("/nothing/here");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).path("error").asText()).contains("/nothing/here");
    }

    @Test
    void a_store_outage_is_a_503_without_a_stack_trace() throws Exception {
        try (var dead = RedisConnector.pooled("redis://127.0.0.1:" + closedPort())) {
            var deadStore = new RedisRequestStore(dead, TestRedis.uniquePrefix());
            var policy = TestPolicies.standard();
            var deadService = new RequestService(deadStore, new PolicyDirectory(policy), new Workflow(policy),
                    Clock.systemUTC());
            var deadApp = WebApp.create(deadService, deadStore::ping, new Metrics(store::countByState), JSON, java.util.List.of(), WebTesting.options())
                    .start("127.0.0.1", 0);
            try {
                var response = send(WebTesting.authorized(HttpRequest.newBuilder(url(deadApp, "/api/requests/EMG-1"))).build());
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(json(response).path("error").asText()).contains("nothing was recorded");
                assertThat(response.body()).doesNotContain("Exception").doesNotContain("at org.");
            } finally {
                deadApp.stop();
            }
        }
    }

    private RequestId open(String reason) {
        var outcome = service.open(DEV, TestPolicies.draft(reason));
        assertThat(outcome).isInstanceOf(Outcome.Applied.class);
        return ((Outcome.Applied) outcome).request().id();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(WebTesting.authorized(HttpRequest.newBuilder(url(app, path))).build());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static URI url(Javalin app, String path) {
        return URI.create("http://127.0.0.1:" + app.port() + path);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static int closedPort() throws Exception {
        try (var socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @SuppressWarnings("unused")
    private static Optional<String> none() { return Optional.empty(); }
}
