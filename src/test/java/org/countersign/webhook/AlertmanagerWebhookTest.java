package org.countersign.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.countersign.Config;
import org.countersign.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** POST /webhooks/alertmanager in the whole service from Main.start, with neither Slack nor Matrix configured. */
class AlertmanagerWebhookTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private Main.Running service;

    @BeforeEach
    void start() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        service = Main.start(Config.fromEnv(Map.of("DATA_DIR", dataDir.toString(), "PORT", String.valueOf(port),
                "ALERTMANAGER_TOKEN", AlertmanagerPayloads.TOKEN)));
    }

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void with_neither_slack_nor_matrix_a_group_gets_200_saying_nothing_was_posted() throws Exception {
        var answer = AlertmanagerPayloads.post(service.port(), AlertmanagerPayloads.firing(""));

        assertThat(answer.statusCode()).isEqualTo(200);
        var body = JSON.readTree(answer.body());
        assertThat(body.path("status").asText()).isEqualTo("firing");
        assertThat(body.path("message").asText()).isEqualTo("Neither Slack nor Matrix is configured, so nothing was posted");
    }

    @Test
    void a_missing_authorization_header_is_401_with_how_to_set_it() throws Exception {
        var answer = AlertmanagerPayloads.post(service.port(), AlertmanagerPayloads.firing("").json(), null);

        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(JSON.readTree(answer.body()).path("error").asText()).contains("http_config.authorization");
    }

    @Test
    void the_token_sent_as_basic_auth_is_401() throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + AlertmanagerWebhook.PATH))
                .header("Authorization", "Basic " + AlertmanagerPayloads.TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(AlertmanagerPayloads.firing("").json())).build();

        var answer = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(answer.body()).path("error").asText()).contains("Wrong bearer token");
    }

    @Test
    void a_token_that_is_only_a_prefix_of_the_right_one_is_401() {
        var answer = AlertmanagerPayloads.post(service.port(), AlertmanagerPayloads.firing("").json(),
                AlertmanagerPayloads.TOKEN.substring(0, 20));

        assertThat(answer.statusCode()).isEqualTo(401);
    }

    @Test
    void the_bearer_scheme_is_read_in_any_case() {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + AlertmanagerWebhook.PATH))
                .header("Authorization", "bearer " + AlertmanagerPayloads.TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(AlertmanagerPayloads.firing("").json())).build();

        assertThat(send(request).statusCode()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0} is 400 saying {2}")
    @CsvSource(delimiter = '|', value = {
            "not JSON                 | {\"version\":                                                  | not JSON",
            "a list                   | []                                                            | must be a JSON object",
            "no version               | {\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[]}          | \"version\" is missing",
            "version 3                | {\"version\":\"3\",\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[]} | version \"3\" is not supported",
            "no groupKey              | {\"version\":\"4\",\"status\":\"firing\",\"alerts\":[]}           | \"groupKey\" is missing",
            "an unknown status        | {\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"pending\",\"alerts\":[]} | \"firing\" or \"resolved\"",
            "alerts that are no list  | {\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":{}} | \"alerts\" is missing or not a list",
            "a label that is no text  | {\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[{\"labels\":{\"a\":{}}}]} | \"alerts[0].labels.a\" must be text",
    })
    void a_body_that_is_not_alertmanagers_is_400(String what, String body, String message) throws Exception {
        var answer = AlertmanagerPayloads.post(service.port(), body, AlertmanagerPayloads.TOKEN);

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        assertThat(JSON.readTree(answer.body()).path("error").asText()).contains(message);
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
