package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.DomainJson;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every error is JSON a person can act on, including those Jetty answers before the app sees the request. */
class JsonErrorsTest {
    private static final ObjectMapper JSON = DomainJson.mapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private Javalin app;

    @BeforeEach
    void start() {
        var store = TestRedis.store();
        var policy = TestPolicies.standard();
        var metrics = new Metrics(store::countByState);
        var service = new RequestService(store, new PolicyDirectory(policy), new Workflow(policy), Clock.systemUTC(), metrics);
        app = WebApp.create(service, store::ping, metrics, JSON, List.of(), WebTesting.options()).start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    private JsonNode jsonOf(Raw.Reply reply) throws Exception {
        assertThat(reply.text()).containsIgnoringCase("Content-Type: application/json");
        return JSON.readTree(reply.body());
    }

    @Test
    void a_9_kB_query_string_is_answered_414_in_json_saying_to_shorten_it() throws Exception {
        var reply = raw("/api/requests?state=" + "A".repeat(9 * 1024), "");

        assertThat(reply.status()).isEqualTo(414);
        assertThat(reply.body()).doesNotContain("<html");
        assertThat(jsonOf(reply).path("error").asText()).contains("longer than 8 kB").contains("shorten the query");
    }

    @Test
    void a_20_kB_header_is_answered_431_in_json_saying_which_limit() throws Exception {
        var reply = raw("/api/requests", "X-Padding: " + "b".repeat(20 * 1024) + "\r\n");

        assertThat(reply.status()).isEqualTo(431);
        assertThat(reply.body()).doesNotContain("<html");
        assertThat(jsonOf(reply).path("error").asText()).contains("headers are larger than 8 kB");
    }

    @Test
    void a_long_unknown_state_is_not_echoed_back_whole() throws Exception {
        var state = "X".repeat(5_000);

        var response = get("/api/requests?state=" + state);

        assertThat(response.statusCode()).isEqualTo(400);
        var error = JSON.readTree(response.body()).path("error").asText();
        assertThat(error).startsWith("Unknown state \"XXXX").contains("…\"").doesNotContain(state);
        assertThat(error.length()).isLessThan(300);
    }

    @Test
    void a_bad_state_and_a_bad_limit_are_both_named_in_one_answer() throws Exception {
        var response = get("/api/requests?state=BOGUS&limit=-5");

        assertThat(response.statusCode()).isEqualTo(400);
        var error = JSON.readTree(response.body()).path("error").asText();
        assertThat(error).contains("Unknown state \"BOGUS\"").contains("limit must be a whole number from 1 to 500, "
                + "not \"-5\"");
    }

    @Test
    void good_states_and_limit_still_list() throws Exception {
        var response = get("/api/requests?state=pending,approved&limit=5");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("requests").isArray()).isTrue();
    }

    /** One request byte for byte (no client sends these as written), read until Jetty closes the connection. */
    private Raw.Reply raw(String target, String headers) throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", app.port())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers
                    + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            var text = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return new Raw.Reply(text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : 0, text);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        var request = WebTesting.authorized(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
