package org.countersign.matrix.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the fake answers to raw HTTP, beyond what MatrixClientTest covers through the client. */
class FakeHomeserverTest {
    private static final String BOT = "@countersign:example.org";
    private static final String ALICE = "@alice:example.org";
    private static final String ROOM = "!abc:example.org";
    private static final String ROOM_PATH = "/_matrix/client/v3/rooms/%21abc%3Aexample.org";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private FakeHomeserver homeserver;

    private record Answer(int status, JsonNode body, HttpResponse<String> response) {}

    @BeforeEach
    void start() {
        homeserver = new FakeHomeserver()
                .withUser(BOT, "bot-token")
                .withUser(BOT, "second-device-token")
                .withUser(ALICE, "alice-token")
                .withRoom(ROOM, ALICE, BOT);
    }

    @AfterEach
    void stop() {
        homeserver.close();
    }

    @Test
    void room_state_answers_the_join_rule_and_history_visibility_as_they_are_now() throws Exception {
        var before = call("GET", ROOM_PATH + "/state/m.room.join_rules", "bot-token", null);
        var noHistory = call("GET", ROOM_PATH + "/state/m.room.history_visibility", "bot-token", null);
        homeserver.setJoinRule(ROOM, "public");
        homeserver.setHistoryVisibility(ROOM, "world_readable");
        var after = call("GET", ROOM_PATH + "/state/m.room.join_rules", "bot-token", null);
        var history = call("GET", ROOM_PATH + "/state/m.room.history_visibility", "bot-token", null);

        assertThat(before.body().path("join_rule").asText()).isEqualTo("invite");
        assertThat(noHistory.status()).isEqualTo(404);
        assertThat(noHistory.body().path("errcode").asText()).isEqualTo("M_NOT_FOUND");
        assertThat(after.body().path("join_rule").asText()).isEqualTo("public");
        assertThat(history.body().path("history_visibility").asText()).isEqualTo("world_readable");
    }

    @Test
    void a_request_without_a_token_is_401_missing_token() throws Exception {
        var answer = call("GET", "/_matrix/client/v3/account/whoami", null, null);

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.body().path("errcode").asText()).isEqualTo("M_MISSING_TOKEN");
        assertThat(answer.response().headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/json"));
    }

    @Test
    void the_token_may_come_as_an_access_token_query_parameter() throws Exception {
        var answer = call("GET", "/_matrix/client/v3/account/whoami?access_token=bot-token", null, null);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().path("user_id").asText()).isEqualTo(BOT);
        assertThat(answer.body().path("device_id").asText()).isNotEmpty();
    }

    @Test
    void an_unknown_token_is_401_unknown_token_with_soft_logout_false() throws Exception {
        var answer = call("GET", "/_matrix/client/v3/account/whoami", "nope", null);

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.body().path("errcode").asText()).isEqualTo("M_UNKNOWN_TOKEN");
        assertThat(answer.body().path("soft_logout").asBoolean(true)).isFalse();
    }

    @Test
    void an_endpoint_it_does_not_know_is_404_unrecognized() throws Exception {
        var answer = call("GET", "/_matrix/client/v3/rooms/%21abc%3Aexample.org/context/%24event", "bot-token", null);

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.body().path("errcode").asText()).isEqualTo("M_UNRECOGNIZED");
    }

    @Test
    void a_body_that_is_not_a_json_object_is_400_not_json() throws Exception {
        var answer = call("PUT", ROOM_PATH + "/send/m.room.message/t1", "bot-token", "[1]");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body().path("errcode").asText()).isEqualTo("M_NOT_JSON");
    }

    @Test
    void a_txn_id_is_scoped_to_one_access_token() throws Exception {
        var body = "{\"msgtype\":\"m.text\",\"body\":\"hi\"}";
        var first = call("PUT", ROOM_PATH + "/send/m.room.message/same", "bot-token", body);
        var again = call("PUT", ROOM_PATH + "/send/m.room.message/same", "bot-token", body);
        var otherDevice = call("PUT", ROOM_PATH + "/send/m.room.message/same", "second-device-token", body);

        assertThat(again.body()).isEqualTo(first.body());
        assertThat(otherDevice.body().path("event_id")).isNotEqualTo(first.body().path("event_id"));
        assertThat(homeserver.events(ROOM)).filteredOn(e -> e.body().equals("hi")).hasSize(2);
    }

    @Test
    void a_second_identical_reaction_is_400_duplicate_annotation() throws Exception {
        var message = homeserver.postText(ROOM, ALICE, "card");
        var reaction = "{\"m.relates_to\":{\"rel_type\":\"m.annotation\",\"event_id\":\"" + message
                + "\",\"key\":\"✅\"}}";
        assertThat(call("PUT", ROOM_PATH + "/send/m.reaction/r1", "bot-token", reaction).status()).isEqualTo(200);

        var second = call("PUT", ROOM_PATH + "/send/m.reaction/r2", "bot-token", reaction);

        assertThat(second.status()).isEqualTo(400);
        assertThat(second.body().path("errcode").asText()).isEqualTo("M_DUPLICATE_ANNOTATION");
        homeserver.react(ROOM, ALICE, message, "✅");
        assertThatThrownBy(() -> homeserver.react(ROOM, ALICE, message, "✅")).hasMessageContaining("twice");
    }

    @Test
    void a_sync_timeline_is_cut_to_the_filter_limit_and_says_so() throws Exception {
        for (int i = 0; i < 15; i++) homeserver.postText(ROOM, ALICE, "m" + i);

        var byDefault = sync(null, null).path("rooms").path("join").path(ROOM).path("timeline");
        var filter = "{\"room\":{\"timeline\":{\"limit\":3}}}";
        var limited = sync(null, filter).path("rooms").path("join").path(ROOM).path("timeline");

        assertThat(byDefault.path("events")).hasSize(FakeHomeserver.DEFAULT_TIMELINE_LIMIT);
        assertThat(byDefault.path("limited").asBoolean()).isTrue();
        assertThat(limited.path("events")).hasSize(3);
        assertThat(limited.path("events").get(2).path("content").path("body").asText()).isEqualTo("m14");
        assertThat(limited.path("prev_batch").asText()).isNotEmpty();
    }

    @Test
    void a_first_sync_brings_room_state_and_the_latest_edit_bundled_with_an_event() throws Exception {
        var card = homeserver.post(ROOM, BOT, "m.room.message",
                json.readTree("{\"msgtype\":\"m.notice\",\"body\":\"v1\"}"));
        homeserver.post(ROOM, BOT, "m.room.message", json.readTree("{\"msgtype\":\"m.notice\",\"body\":\"* v2\","
                + "\"m.new_content\":{\"msgtype\":\"m.notice\",\"body\":\"v2\"},"
                + "\"m.relates_to\":{\"rel_type\":\"m.replace\",\"event_id\":\"" + card + "\"}}"));

        var room = sync(null, "{\"room\":{\"timeline\":{\"limit\":2}}}").path("rooms").path("join").path(ROOM);

        assertThat(room.path("state").path("events").findValuesAsText("type")).contains("m.room.create",
                "m.room.member");
        var original = room.path("timeline").path("events").get(0);
        assertThat(original.path("event_id").asText()).isEqualTo(card);
        assertThat(original.path("unsigned").path("m.relations").path("m.replace").path("content")
                .path("m.new_content").path("body").asText()).isEqualTo("v2");
    }

    @Test
    void a_since_that_is_not_one_of_its_tokens_is_400() throws Exception {
        var answer = call("GET", "/_matrix/client/v3/sync?since=banana", "bot-token", null);

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body().path("errcode").asText()).isEqualTo("M_INVALID_PARAM");
    }

    @Test
    void an_armed_failure_hits_only_its_path_and_only_as_often_as_asked() throws Exception {
        homeserver.failNext("sync", 2, Failure.rateLimited(250));

        assertThat(call("GET", "/_matrix/client/v3/account/whoami", "bot-token", null).status()).isEqualTo(200);
        var limited = call("GET", "/_matrix/client/v3/sync", "bot-token", null);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.body().path("errcode").asText()).isEqualTo("M_LIMIT_EXCEEDED");
        assertThat(limited.body().path("retry_after_ms").asLong()).isEqualTo(250);
        assertThat(limited.response().headers().firstValue("Retry-After")).hasValue("1");
        assertThat(call("GET", "/_matrix/client/v3/sync", "bot-token", null).status()).isEqualTo(429);
        assertThat(call("GET", "/_matrix/client/v3/sync", "bot-token", null).status()).isEqualTo(200);
    }

    private JsonNode sync(String since, String filter) throws Exception {
        var query = new StringBuilder("?timeout=0");
        if (since != null) query.append("&since=").append(since);
        if (filter != null) query.append("&filter=").append(URLEncoder.encode(filter, StandardCharsets.UTF_8));
        var answer = call("GET", "/_matrix/client/v3/sync" + query, "bot-token", null);
        assertThat(answer.status()).isEqualTo(200);
        return answer.body();
    }

    private Answer call(String method, String pathAndQuery, String token, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(homeserver.baseUrl() + pathAndQuery))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) request.header("Authorization", "Bearer " + token);
        if (body != null) request.header("Content-Type", "application/json");
        var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), json.readTree(response.body()), response);
    }
}
