package org.countersign.matrix;

import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.RequestId;
import org.countersign.matrix.fake.FakeHomeserver;
import org.countersign.matrix.fake.RoomEvent;
import org.countersign.store.EmbeddedRedis;

/**
 * A fake homeserver with the example policy's Matrix people, and helpers to start Countersign instances on it
 * with Main.start. @sre1 is SRE (and alice on Slack, U0SRE1), @rel1 Release Engineering (carol, U0REL1),
 * @sec1 Security; @dev and @outsider are in no team.
 */
final class MatrixFixture implements AutoCloseable {
    static final String BOT = "@countersign:example.org";
    static final String BOT_TOKEN = "syt_Y291bnRlcnNpZ24_bot_token";
    static final String OPS = "!ops:example.org";
    static final String SECURITY = "!sec:example.org";
    static final String DEV = "@dev:example.org";
    static final String SRE1 = "@sre1:example.org";
    static final String REL1 = "@rel1:example.org";
    static final String SEC1 = "@sec1:example.org";
    static final String OUTSIDER = "@outsider:example.org";
    static final Duration WAIT = Duration.ofSeconds(15);

    final FakeHomeserver homeserver = new FakeHomeserver()
            .withUser(BOT, BOT_TOKEN)
            .withRoom(OPS, BOT, DEV, SRE1, REL1, SEC1, OUTSIDER)
            .withRoom(SECURITY, BOT, SRE1, REL1, SEC1);

    /** Each data directory's Redis, standing in for a deployment's (Main refuses the embedded one with Matrix on). */
    private final Map<String, EmbeddedRedis> redis = new HashMap<>();

    Map<String, String> env(String dataDir, boolean withSecurityRoom) throws Exception {
        var env = new HashMap<String, String>();
        env.put("REDIS_URL", redis.computeIfAbsent(dataDir,
                dir -> EmbeddedRedis.start(java.nio.file.Path.of(dir, "redis"))).uri().toString());
        env.put("DATA_DIR", dataDir);
        env.put("PORT", String.valueOf(freePort()));
        env.put("MATRIX_HOMESERVER_URL", homeserver.baseUrl());
        env.put("MATRIX_ACCESS_TOKEN", BOT_TOKEN);
        env.put("MATRIX_ROOM_ID", OPS);
        if (withSecurityRoom) env.put("MATRIX_SECURITY_ROOM_ID", SECURITY);
        return env;
    }

    static Main.Running start(Map<String, String> env) {
        return Main.start(Config.fromEnv(env), env);
    }

    /** Waits until the bot has synced once (and so skipped the history): it then long-polls from a token. */
    void awaitListening() {
        await().atMost(WAIT).until(() -> homeserver.calls("/_matrix/client/v3/sync").stream()
                .anyMatch(c -> c.query().containsKey("since")));
    }

    /** The cards in a room: the bot's notices that are not edits, replies, thread notices or announcements. */
    List<RoomEvent> cards(String room) {
        return homeserver.notices(room).stream()
                .filter(e -> e.sender().equals(BOT) && e.relatesTo().isMissingNode() && !isAnnouncement(e))
                .toList();
    }

    /** The bot's loud top-level notices in a room (a break-glass), as their plain bodies. */
    List<String> announcements(String room) {
        return homeserver.notices(room).stream()
                .filter(e -> e.sender().equals(BOT) && e.relatesTo().isMissingNode() && isAnnouncement(e))
                .map(RoomEvent::body).toList();
    }

    private static boolean isAnnouncement(RoomEvent e) { return e.body().startsWith("🚨 BREAK-GLASS on "); }

    /** Replies and thread notices by the bot, oldest first, as their plain bodies. */
    List<String> replies(String room) {
        return homeserver.notices(room).stream()
                .filter(e -> e.sender().equals(BOT) && !e.relatesTo().isMissingNode())
                .map(RoomEvent::body).toList();
    }

    RoomEvent card(String room, RequestId id) {
        return cards(room).stream().filter(e -> e.body().contains(id.toString())).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no card for " + id + " in " + room));
    }

    /** What a client shows for the card now (its latest edit). */
    String cardNow(String room, RequestId id) {
        var content = homeserver.latestContentOf(room, card(room, id).eventId());
        return content.path("body").asText() + "\n" + content.path("formatted_body").asText();
    }

    void awaitCardShows(String room, RequestId id, String text) {
        await().atMost(WAIT).until(() -> cards(room).stream().anyMatch(c -> c.body().contains(id.toString()))
                && cardNow(room, id).contains(text));
    }

    String awaitReply(String room, String containing) {
        await().atMost(WAIT).until(() -> replies(room).stream().anyMatch(r -> r.contains(containing)));
        return replies(room).stream().filter(r -> r.contains(containing)).findFirst().orElseThrow();
    }

    static RequestId newest(Main.Running service) {
        return service.service().recent(java.util.Set.of(), 1).get(0).id();
    }

    static EmergencyRequest request(Main.Running service, RequestId id) {
        return service.service().find(id).orElseThrow();
    }

    static int freePort() throws Exception {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        homeserver.close();
        redis.values().forEach(EmbeddedRedis::close);
    }
}
