package org.countersign.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.store.EmbeddedRedis;
import org.countersign.matrix.fake.FakeHomeserver;
import org.countersign.matrix.fake.RoomEvent;
import org.countersign.webhook.AlertmanagerPayloads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alertmanager to Matrix end to end: the whole service from Main.start, the real Redis, the fake homeserver. */
class AlertmanagerMatrixFlowTest {
    private static final String BOT = "@countersign:example.org";
    private static final String BOT_TOKEN = "syt_Y291bnRlcnNpZ24_bot_token";
    private static final String OPS = "!ops:example.org";

    @TempDir
    Path dataDir;

    private final FakeHomeserver homeserver = new FakeHomeserver().withUser(BOT, BOT_TOKEN).withRoom(OPS, BOT);
    private Main.Running service;
    private EmbeddedRedis redis;

    @BeforeEach
    void start() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        redis = EmbeddedRedis.start(dataDir.resolve("redis")); // Main refuses the embedded Redis with Matrix on
        service = Main.start(Config.fromEnv(Map.of("REDIS_URL", redis.uri().toString(), "PORT", String.valueOf(port),
                "MATRIX_HOMESERVER_URL", homeserver.baseUrl(), "MATRIX_ACCESS_TOKEN", BOT_TOKEN, "MATRIX_ROOM_ID", OPS,
                "ALERTMANAGER_TOKEN", AlertmanagerPayloads.TOKEN, "DATA_DIR", dataDir.resolve("data").toString())));
    }

    @AfterEach
    void stop() {
        service.close();
        redis.close();
        homeserver.close();
    }

    @Test
    void a_firing_group_is_one_notice_in_the_room_that_says_how_to_open_a_request() {
        var answer = AlertmanagerPayloads.post(service.port(), AlertmanagerPayloads.firing(""));

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\"matrix\":\"posted\"");
        var notice = onlyNotice();
        assertThat(notice.body()).contains("Firing · 1 alert", "API error rate above 5%", "severity=critical",
                "!emergency availability HighErrorRate: API error rate above 5% --change REF");
        assertThat(notice.content().path("formatted_body").asText()).contains(
                "<a href=\"http://alertmanager.example.org:9093\">Alertmanager</a>");
    }

    @Test
    void the_same_group_again_and_then_resolved_edit_that_notice_in_place() {
        var group = AlertmanagerPayloads.firing("");
        AlertmanagerPayloads.post(service.port(), group);
        AlertmanagerPayloads.post(service.port(), group.withAlerts(2, 0));

        var resolved = AlertmanagerPayloads.post(service.port(), group.resolved());

        assertThat(resolved.statusCode()).isEqualTo(200);
        assertThat(resolved.body()).contains("\"matrix\":\"updated\"");
        var notice = onlyNotice();
        assertThat(homeserver.edits(OPS, notice.eventId())).hasSize(2);
        var now = homeserver.latestContentOf(OPS, notice.eventId());
        assertThat(now.path("body").asText()).contains("Resolved at 2024-03-01 10:20 UTC").doesNotContain("!emergency");
    }

    @Test
    void what_the_alert_says_is_escaped_and_cannot_notify_the_room() {
        AlertmanagerPayloads.post(service.port(), AlertmanagerPayloads.firing("")
                .withAnnotation("summary", "<a href=\"https://evil.example\">click</a> @room"));

        var notice = onlyNotice();

        assertThat(notice.content().path("formatted_body").asText())
                .contains("&lt;a href=&quot;https://evil.example&quot;&gt;click&lt;/a&gt;")
                .doesNotContain("<a href=\"https://evil.example\"");
        assertThat(notice.body()).contains("@\u2060room").doesNotContain("@room");
    }

    private RoomEvent onlyNotice() {
        List<RoomEvent> notices = homeserver.notices(OPS).stream().filter(e -> e.sender().equals(BOT)).toList();
        assertThat(notices).hasSize(1);
        return notices.get(0);
    }
}
