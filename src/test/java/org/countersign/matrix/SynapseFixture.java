package org.countersign.matrix;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.domain.RequestId;
import org.countersign.matrix.synapse.Synapse;
import org.countersign.matrix.synapse.SynapseUser;
import org.countersign.store.EmbeddedRedis;

/**
 * One test's people and rooms on the shared {@link Synapse}: a bot account, a developer, one member of each team and
 * an outsider, all new; an ops room the developer made (everyone in it) and a private security room (the bot and the
 * teams); a policy naming them; and Countersign instances started on it with Main.start.
 */
final class SynapseFixture implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);

    final Synapse synapse = Synapse.shared();
    final SynapseUser bot = synapse.register("countersign");
    final SynapseUser dev = synapse.register("dev");
    final SynapseUser sre = synapse.register("sre");
    final SynapseUser rel = synapse.register("rel");
    final SynapseUser sec = synapse.register("sec");
    final SynapseUser outsider = synapse.register("outsider");
    final String ops;
    final String security;
    private final Path dir;
    private final Map<String, EmbeddedRedis> redis = new HashMap<>();

    SynapseFixture(Path dir) throws Exception {
        this.dir = dir;
        ops = dev.createRoom("ops", bot.id(), sre.id(), rel.id(), sec.id(), outsider.id());
        for (var user : List.of(sre, rel, sec, outsider)) user.join(ops);
        security = sre.createRoom("security", bot.id(), rel.id(), sec.id());
        for (var user : List.of(rel, sec)) user.join(security);
        Files.writeString(dir.resolve("policy.yml"), """
                teams:
                  sre:      { label: SRE, matrix-users: ["%s"] }
                  releng:   { label: Release Engineering, matrix-users: ["%s"] }
                  security: { label: Security, matrix-users: ["%s"] }
                reasons:
                  security:     { label: Security issue, teams: [sre, releng, security], confidential: true }
                  availability: { label: Availability, teams: [sre, releng] }
                approvals-per-team: 1
                expire-after: 60m
                approval-valid-for: 2h
                """.formatted(sre.id(), rel.id(), sec.id()));
    }

    /** The environment of an instance keeping its state in {@code name}'s Redis (instances of one name share it). */
    Map<String, String> env(String name) throws Exception {
        var env = new HashMap<String, String>();
        var data = dir.resolve(name);
        env.put("REDIS_URL", redis.computeIfAbsent(name, n -> EmbeddedRedis.start(data.resolve("redis"))).uri().toString());
        env.put("DATA_DIR", data.toString());
        env.put("PORT", String.valueOf(MatrixFixture.freePort()));
        env.put("POLICY_FILE", dir.resolve("policy.yml").toString());
        env.put("MATRIX_HOMESERVER_URL", synapse.baseUrl());
        env.put("MATRIX_ACCESS_TOKEN", bot.token());
        env.put("MATRIX_ROOM_ID", ops);
        env.put("MATRIX_SECURITY_ROOM_ID", security);
        env.put("RATE_LIMIT_PER_USER", "100000/1m");
        return env;
    }

    static Main.Running start(Map<String, String> env) {
        return Main.start(Config.fromEnv(env), env);
    }

    /** Starts an instance and waits until it listens: it answers {@code !help} said after it started. */
    Main.Running startListening(Map<String, String> env) {
        var service = start(env);
        awaitListening();
        return service;
    }

    void awaitListening() {
        // The first sync skips the history; what is said after it is read. Ask until the bot answers.
        int before = replies(ops).size();
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> {
            if (replies(ops).size() > before) return true;
            dev.say(ops, "!help");
            return false;
        });
    }

    List<JsonNode> timeline(String room) { return dev.timeline(room); }

    private List<JsonNode> ofBot(String room) {
        var reader = room.equals(security) ? sre : dev;
        return reader.timeline(room).stream().filter(e -> bot.id().equals(e.path("sender").asText())
                && "m.room.message".equals(e.path("type").asText())
                && "m.notice".equals(e.path("content").path("msgtype").asText())).toList();
    }

    /** The bot's cards in a room: its notices that relate to nothing. */
    List<JsonNode> cards(String room) {
        return ofBot(room).stream().filter(e -> e.path("content").path("m.relates_to").isMissingNode()).toList();
    }

    /** The bot's replies and thread notices in a room, oldest first, as their plain bodies (edits left out). */
    List<String> replies(String room) {
        return ofBot(room).stream().filter(e -> !e.path("content").path("m.relates_to").isMissingNode()
                && !"m.replace".equals(e.path("content").path("m.relates_to").path("rel_type").asText()))
                .map(e -> e.path("content").path("body").asText()).toList();
    }

    List<JsonNode> edits(String room, String cardEventId) {
        return ofBot(room).stream().filter(e -> "m.replace".equals(e.path("content").path("m.relates_to")
                .path("rel_type").asText()) && cardEventId.equals(e.path("content").path("m.relates_to")
                .path("event_id").asText())).toList();
    }

    JsonNode card(String room, RequestId id) {
        return cards(room).stream().filter(e -> e.path("content").path("body").asText().contains(id.toString()))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no card for " + id + " in " + room));
    }

    /** What a client shows for the card now: its last edit's new content, or the card itself. */
    String cardNow(String room, RequestId id) {
        var card = card(room, id);
        var edits = edits(room, card.path("event_id").asText());
        var content = edits.isEmpty() ? card.path("content") : edits.get(edits.size() - 1).path("content")
                .path("m.new_content");
        return content.path("body").asText() + "\n" + content.path("formatted_body").asText();
    }

    void awaitCardShows(String room, RequestId id, String text) {
        await().atMost(WAIT).until(() -> cards(room).stream()
                .anyMatch(c -> c.path("content").path("body").asText().contains(id.toString()))
                && cardNow(room, id).contains(text));
    }

    String awaitReply(String room, String containing) {
        await().atMost(WAIT).until(() -> replies(room).stream().anyMatch(r -> r.contains(containing)));
        return replies(room).stream().filter(r -> r.contains(containing)).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        redis.values().forEach(EmbeddedRedis::close);
    }
}
