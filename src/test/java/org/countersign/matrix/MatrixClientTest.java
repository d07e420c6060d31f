package org.countersign.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.countersign.matrix.MatrixException.Kind;
import org.countersign.matrix.fake.FakeHomeserver;
import org.countersign.matrix.fake.Failure;
import org.countersign.matrix.fake.RoomEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against the fake homeserver, over real HTTP. */
class MatrixClientTest {
    private static final String BOT = "@countersign:example.org";
    private static final String TOKEN = "syt_Y291bnRlcnNpZ24_secret";
    private static final String ALICE = "@alice:example.org";
    private static final String ROOM = "!abc:example.org";
    private static final String OTHER_ROOM = "!elsewhere:example.org";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private FakeHomeserver homeserver;
    private MatrixClient client;

    @BeforeEach
    void start() {
        homeserver = new FakeHomeserver()
                .withUser(BOT, TOKEN)
                .withUser(ALICE, "alice-token")
                .withRoom(ROOM, ALICE, BOT)
                .withRoom(OTHER_ROOM, ALICE);
        client = new MatrixClient(homeserver.baseUrl() + "/", TOKEN, http, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        homeserver.close();
    }

    @Test
    void whoami_names_the_user_the_token_belongs_to() {
        assertThat(client.whoami()).isEqualTo(BOT);
    }

    @Test
    void the_token_goes_in_a_bearer_header_never_in_the_url_or_a_message() {
        client.whoami();
        homeserver.revokeToken(TOKEN);
        var failure = catchThrowableOfType(MatrixException.class, client::whoami);

        var call = homeserver.calls("account/whoami").get(0);
        assertThat(call.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(call.rawPath() + call.query()).doesNotContain(TOKEN);
        assertThat(failure.getMessage()).doesNotContain(TOKEN);
        assertThat(client.toString()).doesNotContain(TOKEN);
    }

    @Test
    void send_returns_the_event_id_of_the_event_stored_in_the_room() {
        var eventId = client.send(ROOM, "m.room.message", text("hello"), "txn-1");

        RoomEvent stored = homeserver.event(ROOM, eventId);
        assertThat(eventId).startsWith("$");
        assertThat(stored.sender()).isEqualTo(BOT);
        assertThat(stored.body()).isEqualTo("hello");
    }

    @Test
    void sending_again_with_the_same_txn_id_posts_one_event_and_returns_the_same_id() {
        var first = client.send(ROOM, "m.room.message", text("deploy EMG-1?"), "card-EMG-1");
        var retry = client.send(ROOM, "m.room.message", text("deploy EMG-1?"), "card-EMG-1");

        assertThat(retry).isEqualTo(first);
        assertThat(homeserver.events(ROOM)).filteredOn(e -> e.body().equals("deploy EMG-1?")).hasSize(1);
        assertThat(homeserver.calls("rooms/" + ROOM + "/send")).hasSize(2);
    }

    @Test
    void sends_without_a_txn_id_each_get_a_fresh_one() {
        var first = client.send(ROOM, "m.room.message", text("one"));
        var second = client.send(ROOM, "m.room.message", text("one"));

        assertThat(second).isNotEqualTo(first);
        var paths = homeserver.calls("rooms/" + ROOM + "/send").stream().map(c -> c.path()).toList();
        assertThat(paths.get(0)).isNotEqualTo(paths.get(1));
    }

    @Test
    void room_ids_event_ids_and_aliases_are_percent_encoded_path_segments() {
        homeserver.withRoom("!r/x?y#z:example.org", ALICE).withInvite("!r/x?y#z:example.org", BOT)
                .withAlias("#ops:example.org", "!r/x?y#z:example.org");

        assertThat(client.join("#ops:example.org")).isEqualTo("!r/x?y#z:example.org");
        var eventId = client.send(ROOM, "m.room.message", text("to redact"), "a txn/with spaces");
        client.redact(ROOM, eventId, "oops", "r1");

        var join = homeserver.calls("join/").get(0);
        assertThat(join.rawPath()).isEqualTo("/_matrix/client/v3/join/%23ops%3Aexample.org");
        var send = homeserver.calls("rooms/" + ROOM + "/send").get(0);
        assertThat(send.rawPath()).isEqualTo(
                "/_matrix/client/v3/rooms/%21abc%3Aexample.org/send/m.room.message/a%20txn%2Fwith%20spaces");
        assertThat(homeserver.calls("rooms/" + ROOM + "/redact").get(0).rawPath())
                .startsWith("/_matrix/client/v3/rooms/%21abc%3Aexample.org/redact/%24");
        assertThat(homeserver.event(ROOM, eventId).redacted()).isTrue();
    }

    @Test
    void the_first_sync_returns_recent_history_so_a_bot_can_skip_it() {
        homeserver.postText(ROOM, ALICE, "!approve EMG-1 sre");

        var sync = client.sync(null, null, Duration.ofSeconds(30));

        assertThat(sync.nextBatch()).isNotBlank();
        assertThat(sync.timeline(ROOM)).extracting(SyncResponse.Event::body).contains("!approve EMG-1 sre");
        assertThat(sync.joined()).doesNotContainKey(OTHER_ROOM);
        assertThat(homeserver.calls("sync").get(0).query()).containsEntry("timeout", "30000")
                .doesNotContainKey("since");
    }

    @Test
    void a_sync_since_a_token_returns_only_what_came_after_it() {
        homeserver.postText(ROOM, ALICE, "old");
        var first = client.sync(null, null, Duration.ZERO);
        var eventId = homeserver.postText(ROOM, ALICE, "new");

        var next = client.sync(first.nextBatch(), null, Duration.ZERO);

        assertThat(next.timeline(ROOM)).extracting(SyncResponse.Event::body).containsExactly("new");
        var event = next.timeline(ROOM).get(0);
        assertThat(event.eventId()).isEqualTo(eventId);
        assertThat(event.type()).isEqualTo("m.room.message");
        assertThat(event.sender()).isEqualTo(ALICE);
        assertThat(event.msgtype()).isEqualTo("m.text");
        assertThat(event.originServerTs()).isAfter(Instant.parse("2020-01-01T00:00:00Z"));
        assertThat(event.unsigned().has("age")).isTrue();
        assertThat(next.nextBatch()).isNotEqualTo(first.nextBatch());
    }

    @Test
    void a_sync_long_polls_until_an_event_arrives() throws Exception {
        var since = client.sync(null, null, Duration.ZERO).nextBatch();
        long started = System.nanoTime();
        var pending = CompletableFuture.supplyAsync(() -> client.sync(since, null, Duration.ofSeconds(20)));
        homeserver.awaitCalls("sync", 2, Duration.ofSeconds(5));
        Thread.sleep(200);
        assertThat(pending).isNotDone();

        homeserver.postText(ROOM, ALICE, "!status");
        var sync = pending.get(5, TimeUnit.SECONDS);

        assertThat(sync.timeline(ROOM)).extracting(SyncResponse.Event::body).containsExactly("!status");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void a_quiet_sync_returns_empty_when_its_long_poll_ends_even_past_the_call_timeout() {
        var quick = new MatrixClient(homeserver.baseUrl(), TOKEN, http, Duration.ofMillis(300));
        var since = quick.sync(null, null, Duration.ZERO).nextBatch();

        var sync = quick.sync(since, null, Duration.ofMillis(800));

        assertThat(sync.isEmpty()).isTrue();
        assertThat(sync.nextBatch()).isEqualTo(since);
    }

    @Test
    void our_own_sends_come_back_in_sync_with_their_transaction_id() {
        var since = client.sync(null, null, Duration.ZERO).nextBatch();
        client.sendNotice(ROOM, "EMG-1 approved", null, "txn-own");

        var own = client.sync(since, null, Duration.ZERO).timeline(ROOM).get(0);

        assertThat(own.sender()).isEqualTo(BOT);
        assertThat(own.transactionId()).isEqualTo("txn-own");
    }

    @Test
    void the_sync_filter_is_sent_as_json_and_honoured() {
        var since = client.sync(null, null, Duration.ZERO).nextBatch();
        homeserver.postText(ROOM, ALICE, "a message");
        var reaction = homeserver.react(ROOM, ALICE, homeserver.events(ROOM).get(0).eventId(), "✅");

        var sync = client.sync(since, "{\"room\":{\"timeline\":{\"types\":[\"m.reaction\"],\"limit\":50}}}",
                Duration.ZERO);

        assertThat(sync.timeline(ROOM)).extracting(SyncResponse.Event::eventId).containsExactly(reaction);
        var relation = sync.timeline(ROOM).get(0).relatesTo();
        assertThat(relation.path("rel_type").asText()).isEqualTo("m.annotation");
        assertThat(relation.path("key").asText()).isEqualTo("✅");
    }

    @Test
    void a_notice_carries_msgtype_m_notice_and_an_html_formatted_body() {
        var eventId = client.sendNotice(ROOM, "EMG-1 pending", "<b>EMG-1</b> pending", "n1");

        var content = homeserver.event(ROOM, eventId).content();
        assertThat(content.path("msgtype").asText()).isEqualTo("m.notice");
        assertThat(content.path("body").asText()).isEqualTo("EMG-1 pending");
        assertThat(content.path("format").asText()).isEqualTo("org.matrix.custom.html");
        assertThat(content.path("formatted_body").asText()).isEqualTo("<b>EMG-1</b> pending");
        assertThat(content.path("m.mentions").isObject()).isTrue();
        assertThat(homeserver.notices(ROOM)).extracting(RoomEvent::eventId).containsExactly(eventId);
    }

    @Test
    void a_plain_notice_has_no_format() {
        var eventId = client.sendNotice(ROOM, "usage: !approve EMG-n [team]", null, "n2");

        assertThat(homeserver.event(ROOM, eventId).content().has("format")).isFalse();
        assertThat(homeserver.event(ROOM, eventId).content().has("formatted_body")).isFalse();
    }

    @Test
    void an_edit_is_an_m_replace_with_new_content_and_a_starred_fallback() {
        var card = client.sendNotice(ROOM, "EMG-1 pending", "<b>EMG-1</b> pending", "card");

        var edit = client.editNotice(ROOM, card, "EMG-1 approved", "<b>EMG-1</b> approved", "card-v2");

        JsonNode content = homeserver.event(ROOM, edit).content();
        assertThat(content.path("msgtype").asText()).isEqualTo("m.notice");
        assertThat(content.path("body").asText()).isEqualTo("* EMG-1 approved");
        assertThat(content.path("formatted_body").asText()).isEqualTo("* <b>EMG-1</b> approved");
        assertThat(content.path("m.relates_to").path("rel_type").asText()).isEqualTo("m.replace");
        assertThat(content.path("m.relates_to").path("event_id").asText()).isEqualTo(card);
        var newContent = content.path("m.new_content");
        assertThat(newContent.path("msgtype").asText()).isEqualTo("m.notice");
        assertThat(newContent.path("body").asText()).isEqualTo("EMG-1 approved");
        assertThat(newContent.path("format").asText()).isEqualTo("org.matrix.custom.html");
        assertThat(newContent.path("formatted_body").asText()).isEqualTo("<b>EMG-1</b> approved");
        assertThat(newContent.has("m.relates_to")).isFalse();
        assertThat(homeserver.latestContentOf(ROOM, card).path("body").asText()).isEqualTo("EMG-1 approved");
        assertThat(homeserver.notices(ROOM)).extracting(RoomEvent::eventId).containsExactly(card);
    }

    @Test
    void the_latest_of_several_edits_wins() {
        var card = client.sendNotice(ROOM, "v1", null, "c");
        client.editNotice(ROOM, card, "v2", null, "c2");
        client.editNotice(ROOM, card, "v3", null, "c3");

        assertThat(homeserver.latestContentOf(ROOM, card).path("body").asText()).isEqualTo("v3");
        assertThat(homeserver.edits(ROOM, card)).hasSize(2);
    }

    @Test
    void a_rate_limit_is_retryable_and_says_how_long_to_wait() {
        homeserver.failNext("rooms/" + ROOM + "/send", 1, Failure.rateLimited(1500));

        var limited = catchThrowableOfType(MatrixException.class, () -> client.sendNotice(ROOM, "x", null, "t"));

        assertThat(limited.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
        assertThat(limited.retryable()).isTrue();
        // Retry-After says 2 s (rounded up), retry_after_ms 1.5 s: the longer wins so we never come back early.
        assertThat(limited.retryAfter()).contains(Duration.ofSeconds(2));
        assertThat(client.sendNotice(ROOM, "x", null, "t")).startsWith("$");
    }

    @Test
    void a_rate_limit_from_an_older_homeserver_has_only_retry_after_ms() {
        homeserver.failNext("sync", 1, Failure.rateLimitedBodyOnly(1500));

        var limited = catchThrowableOfType(MatrixException.class, () -> client.sync(null, null, Duration.ZERO));

        assertThat(limited.retryAfter()).contains(Duration.ofMillis(1500));
    }

    @Test
    void a_rate_limit_with_only_a_retry_after_header_is_read_too() {
        homeserver.failNext("sync", 1, Failure.rateLimitedHeaderOnly(3));

        var limited = catchThrowableOfType(MatrixException.class, () -> client.sync(null, null, Duration.ZERO));

        assertThat(limited.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(limited.retryAfter()).contains(Duration.ofSeconds(3));
    }

    @Test
    void a_retry_after_http_date_counts_from_now() {
        var now = Instant.parse("2026-04-05T10:00:00Z");
        var clocked = new MatrixClient(homeserver.baseUrl(), TOKEN, http, Duration.ofSeconds(1),
                Clock.fixed(now, ZoneOffset.UTC));

        assertThat(clocked.retryAfterHeader("Sun, 05 Apr 2026 10:00:07 GMT")).isEqualTo(Duration.ofSeconds(7));
        assertThat(clocked.retryAfterHeader("soon")).isNull();
    }

    @Test
    void an_unknown_token_is_its_own_kind_and_not_retryable() {
        homeserver.revokeToken(TOKEN);

        var failure = catchThrowableOfType(MatrixException.class, () -> client.sync(null, null, Duration.ZERO));

        assertThat(failure.kind()).isEqualTo(Kind.UNKNOWN_TOKEN);
        assertThat(failure.status()).isEqualTo(401);
        assertThat(failure.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        assertThat(failure.softLogout()).isFalse();
        assertThat(failure.retryable()).isFalse();
    }

    @Test
    void a_soft_logout_is_reported() {
        homeserver.failNext("account/whoami", 1, Failure.softLogout());

        var failure = catchThrowableOfType(MatrixException.class, client::whoami);

        assertThat(failure.kind()).isEqualTo(Kind.UNKNOWN_TOKEN);
        assertThat(failure.softLogout()).isTrue();
    }

    @Test
    void a_proxy_502_is_unavailable_and_retryable() {
        homeserver.failNext("sync", 1, Failure.down());

        var failure = catchThrowableOfType(MatrixException.class, () -> client.sync(null, null, Duration.ZERO));

        assertThat(failure.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(failure.status()).isEqualTo(502);
        assertThat(failure.errcode()).isEmpty();
        assertThat(failure.retryable()).isTrue();
    }

    @Test
    void a_dropped_connection_is_unavailable_with_no_status() {
        // The JDK client itself retries a GET once on a connection closed before any answer.
        homeserver.failNext("sync", 3, Failure.disconnect());

        var failure = catchThrowableOfType(MatrixException.class, () -> client.sync(null, null, Duration.ZERO));

        assertThat(failure.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(failure.status()).isZero();
        assertThat(failure.retryable()).isTrue();
    }

    @Test
    void a_homeserver_that_is_not_there_is_unavailable() {
        int port = homeserver.port();
        homeserver.close();
        var gone = new MatrixClient("http://127.0.0.1:" + port, TOKEN, http, Duration.ofSeconds(1));

        assertThatThrownBy(gone::whoami).isInstanceOfSatisfying(MatrixException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
    }

    @Test
    void sending_to_a_room_we_are_not_in_is_forbidden() {
        var failure = catchThrowableOfType(MatrixException.class,
                () -> client.send(OTHER_ROOM, "m.room.message", text("hi"), "t"));

        assertThat(failure.kind()).isEqualTo(Kind.FORBIDDEN);
        assertThat(failure.errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(failure.getMessage()).contains("PUT /_matrix/client/v3/rooms/" + OTHER_ROOM + "/send");
    }

    @Test
    void joining_needs_an_invite() {
        var refused = catchThrowableOfType(MatrixException.class, () -> client.join(OTHER_ROOM));
        assertThat(refused.kind()).isEqualTo(Kind.FORBIDDEN);

        homeserver.withInvite(OTHER_ROOM, BOT);
        assertThat(client.sync(null, null, Duration.ZERO).invited()).containsKey(OTHER_ROOM);

        assertThat(client.join(OTHER_ROOM)).isEqualTo(OTHER_ROOM);
        assertThat(client.joinedMembers(OTHER_ROOM)).containsExactly(ALICE, BOT);
    }

    @Test
    void joining_an_unknown_alias_is_not_found() {
        var failure = catchThrowableOfType(MatrixException.class, () -> client.join("#nowhere:example.org"));

        assertThat(failure.kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(failure.errcode()).isEqualTo("M_NOT_FOUND");
    }

    @Test
    void joined_members_are_the_user_ids_in_the_room() {
        assertThat(client.joinedMembers(ROOM)).containsExactly(ALICE, BOT);
    }

    @Test
    void room_state_is_the_content_of_the_state_event() {
        homeserver.withState(ROOM, "m.room.name", "", json.createObjectNode().put("name", "Emergencies"));

        assertThat(client.roomState(ROOM, "m.room.name", "").path("name").asText()).isEqualTo("Emergencies");
        assertThat(client.roomState(ROOM, "m.room.member", ALICE).path("membership").asText()).isEqualTo("join");
        var missing = catchThrowableOfType(MatrixException.class, () -> client.roomState(ROOM, "m.room.topic", ""));
        assertThat(missing.kind()).isEqualTo(Kind.NOT_FOUND);
    }

    @Test
    void a_redaction_empties_the_event_and_has_its_reason() {
        var eventId = client.sendNotice(ROOM, "wrong card", null, "w");

        var redaction = client.redact(ROOM, eventId, "posted by mistake", "red-1");

        assertThat(homeserver.event(ROOM, eventId).content().isEmpty()).isTrue();
        var content = homeserver.event(ROOM, redaction).content();
        assertThat(content.path("reason").asText()).isEqualTo("posted by mistake");
        assertThat(content.path("redacts").asText()).isEqualTo(eventId);
    }

    @Test
    void the_client_refuses_a_bad_configuration_at_once() {
        assertThatThrownBy(() -> new MatrixClient("matrix.example.org", TOKEN, http, Duration.ofSeconds(1)))
                .hasMessageContaining("matrix.example.org");
        assertThatThrownBy(() -> new MatrixClient(homeserver.baseUrl(), " ", http, Duration.ofSeconds(1)))
                .hasMessageContaining("token");
        assertThatThrownBy(() -> new MatrixClient(homeserver.baseUrl(), TOKEN, http, Duration.ZERO))
                .hasMessageContaining("timeout");
    }

    private ObjectNode text(String body) {
        return json.createObjectNode().put("msgtype", "m.text").put("body", body);
    }
}
