package org.countersign.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.matrix.SynapseFixture.WAIT;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Set;
import org.countersign.Main;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Matrix bot against Synapse, the reference homeserver, driven by real users over the client-server API. Each test
 * has its own users, rooms and Redis on the one Synapse the test JVM shares ({@code .ci/sid-chroot matrix-synapse}).
 */
@Tag("synapse")
class SynapseMatrixTest {
    private static final String OPEN = "!emergency availability \"API returns 500s since the cache deploy\" "
            + "--change 123456 --rollback";

    @TempDir
    Path dir;

    private SynapseFixture matrix;
    private Main.Running service;

    @BeforeEach
    void start() throws Exception {
        matrix = new SynapseFixture(dir);
    }

    @AfterEach
    void stop() {
        if (service != null) service.close();
        if (matrix != null) matrix.close();
    }

    private RequestId open(String text, String cardRoom) {
        int before = matrix.cards(cardRoom).size();
        matrix.dev.say(matrix.ops, text);
        await().atMost(WAIT).until(() -> matrix.cards(cardRoom).size() > before);
        return MatrixFixture.newest(service);
    }

    @Test
    void the_whole_flow_by_commands_and_reactions_edits_one_card_in_place() throws Exception {
        service = matrix.startListening(matrix.env("a"));
        var id = open(OPEN, matrix.ops);
        assertThat(matrix.awaitReply(matrix.ops, id + " is open")).contains("needs");
        var card = matrix.card(matrix.ops, id).path("event_id").asText();

        matrix.sre.react(matrix.ops, card, "✅");
        matrix.awaitCardShows(matrix.ops, id, "approved by " + matrix.sre.id());
        matrix.rel.say(matrix.ops, "!approve " + id);
        matrix.awaitCardShows(matrix.ops, id, "!deploy " + id + " started");
        assertThat(MatrixFixture.request(service, id).state()).isEqualTo(State.APPROVED);

        matrix.sre.say(matrix.ops, "!deploy " + id + " started");
        await().atMost(WAIT).until(() -> MatrixFixture.request(service, id).state() == State.DEPLOYING);
        matrix.sre.say(matrix.ops, "!deploy " + id + " succeeded");
        await().atMost(WAIT).until(() -> MatrixFixture.request(service, id).state() == State.DEPLOYED);
        matrix.dev.say(matrix.ops, "!close " + id + " Proper fix in T12346");
        matrix.awaitCardShows(matrix.ops, id, "Proper fix in T12346");

        assertThat(MatrixFixture.request(service, id).state()).isEqualTo(State.CLOSED);
        assertThat(matrix.cards(matrix.ops)).hasSize(1);
        assertThat(matrix.edits(matrix.ops, card)).hasSizeGreaterThanOrEqualTo(5);
        // Synapse takes the edits as edits of the card: it names the latest one beside the card.
        var latest = matrix.dev.event(matrix.ops, card).path("unsigned").path("m.relations").path("m.replace");
        assertThat(latest.path("event_id").asText()).isNotEmpty();
    }

    @Test
    void a_cross_points_to_reject_and_removing_a_tick_withdraws_the_approval() throws Exception {
        service = matrix.startListening(matrix.env("a"));
        var id = open(OPEN, matrix.ops);
        var card = matrix.card(matrix.ops, id).path("event_id").asText();

        matrix.rel.react(matrix.ops, card, "❌");
        assertThat(matrix.awaitReply(matrix.ops, "!reject " + id)).contains("say why");
        var tick = matrix.sre.react(matrix.ops, card, "✅");
        await().atMost(WAIT).until(() -> MatrixFixture.request(service, id).approvals().size() == 1);
        matrix.sre.redact(matrix.ops, tick);

        await().atMost(WAIT).until(() -> MatrixFixture.request(service, id).approvals().isEmpty());
        assertThat(MatrixFixture.request(service, id).state()).isEqualTo(State.PENDING);
    }

    @Test
    void a_reply_to_the_card_is_a_command() throws Exception {
        service = matrix.startListening(matrix.env("a"));
        var id = open(OPEN, matrix.ops);

        matrix.sre.reply(matrix.ops, matrix.card(matrix.ops, id), "!approve " + id);

        await().atMost(WAIT).until(() -> MatrixFixture.request(service, id).approvals().size() == 1);
    }

    @Test
    void a_security_request_typed_in_the_ops_room_goes_to_the_security_room_and_is_redacted() throws Exception {
        // Synapse lets only moderators (power 50) redact others' messages: the room's admin makes the bot one.
        var levels = (com.fasterxml.jackson.databind.node.ObjectNode) matrix.dev.state(matrix.ops, "m.room.power_levels");
        ((com.fasterxml.jackson.databind.node.ObjectNode) levels.path("users")).put(matrix.bot.id(), 50);
        matrix.dev.putState(matrix.ops, "m.room.power_levels", levels);
        service = matrix.startListening(matrix.env("a"));
        var typed = openSecurityRequest();
        var id = MatrixFixture.newest(service);

        assertThat(matrix.cardNow(matrix.security, id)).contains("Auth bypass in the login form");
        assertThat(matrix.cards(matrix.ops)).noneMatch(c -> c.toString().contains("Auth bypass"));
        await().atMost(WAIT).until(() -> matrix.dev.event(matrix.ops, typed).path("content").isEmpty());
        assertThat(matrix.dev.event(matrix.ops, typed).path("unsigned").path("redacted_because").path("sender").asText())
                .isEqualTo(matrix.bot.id());
        assertThat(matrix.replies(matrix.ops)).noneMatch(r -> r.contains("Auth bypass"))
                .noneMatch(r -> r.equals(MatrixBot.CANNOT_HIDE));
    }

    @Test
    void a_security_request_the_bot_may_not_redact_is_left_to_its_sender_to_delete() throws Exception {
        service = matrix.startListening(matrix.env("a"));
        var typed = openSecurityRequest();

        matrix.awaitReply(matrix.ops, MatrixBot.CANNOT_HIDE);
        assertThat(matrix.dev.event(matrix.ops, typed).path("content").path("body").asText()).contains("Auth bypass");
        assertThat(matrix.replies(matrix.ops)).noneMatch(r -> r.contains("Auth bypass"));
    }

    private String openSecurityRequest() {
        int before = matrix.cards(matrix.security).size();
        var typed = matrix.dev.say(matrix.ops,
                "!emergency security \"Auth bypass in the login form\" --change 234567 --rollback");
        await().atMost(WAIT).until(() -> matrix.cards(matrix.security).size() > before);
        return typed;
    }

    @Test
    void commands_said_while_no_instance_synced_are_all_read_though_the_sync_is_limited() throws Exception {
        var env = matrix.env("a");
        matrix.dev.say(matrix.ops, "!status EMG-999"); // history before the first start: never answered
        matrix.startListening(env).close();
        int n = 130; // more than the 100 events a sync's timeline holds
        for (int i = 1; i <= n; i++) matrix.dev.say(matrix.ops, "!status EMG-" + (1000 + i));

        service = SynapseFixture.start(env);
        await().atMost(Duration.ofSeconds(90)).until(() -> statusReplies() >= n);
        Thread.sleep(500);
        assertThat(statusReplies()).isEqualTo(n);
        assertThat(matrix.replies(matrix.ops)).noneMatch(r -> r.contains("EMG-999"));
    }

    private long statusReplies() {
        return matrix.replies(matrix.ops).stream().filter(r -> r.matches("(?s).*EMG-1[0-9]{3}\\b.*")).count();
    }

    @Test
    void when_the_syncing_instance_stops_another_takes_over_and_no_command_is_handled_twice() throws Exception {
        var env = new HashMap<>(matrix.env("shared"));
        var first = matrix.startListening(env);
        env.put("PORT", String.valueOf(MatrixFixture.freePort()));
        try (var second = SynapseFixture.start(env)) {
            for (int i = 1; i <= 3; i++) matrix.dev.say(matrix.ops, OPEN.replace("cache deploy", "deploy " + i));
            await().atMost(WAIT).until(() -> second.service().recent(Set.of(), 50).size() == 3);

            first.close(); // the instance holding the lease stops; the other must carry on
            for (int i = 4; i <= 6; i++) matrix.dev.say(matrix.ops, OPEN.replace("cache deploy", "deploy " + i));

            await().atMost(Duration.ofSeconds(60)).until(() -> second.service().recent(Set.of(), 50).size() == 6);
            Thread.sleep(1_000);
            var summaries = second.service().recent(Set.of(), 50).stream().map(r -> r.summary()).toList();
            assertThat(summaries).hasSize(6).doesNotHaveDuplicates();
            await().atMost(WAIT).until(() -> matrix.cards(matrix.ops).size() == 6);
            assertThat(matrix.replies(matrix.ops).stream().filter(r -> r.contains(" is open"))).hasSize(6);
        } finally {
            first.close();
        }
    }

    @Test
    void when_the_syncing_instance_dies_holding_the_lease_another_takes_over_within_the_lease_time() throws Exception {
        var policy = org.countersign.PolicyFile.read(dir.resolve("policy.yml")).policy();
        try (var redis = org.countersign.store.RedisConnector.connect(java.util.Optional.empty(), dir.resolve("redis"))) {
            var client = redis.client();
            var service = new org.countersign.app.RequestService(new org.countersign.store.RedisRequestStore(client, "cs:"),
                    new org.countersign.app.PolicyDirectory(policy), new org.countersign.domain.Workflow(policy),
                    java.time.Clock.systemUTC());
            var kv = new org.countersign.store.RedisKeyValues(client, "cs:");
            var leases = new org.countersign.store.RedisLeases(client, "cs:");
            var rooms = new MatrixRooms(matrix.ops, null);
            var bot = new MatrixClient(matrix.synapse.baseUrl(), matrix.bot.token(),
                    java.net.http.HttpClient.newHttpClient(), Duration.ofSeconds(10));
            var lease = Duration.ofSeconds(3);
            var a = new MatrixSyncLoop(bot, service, leases, kv, rooms, "a", lease, Duration.ofSeconds(1),
                    org.countersign.app.Throttle.none()).start();
            await().atMost(WAIT).until(() -> kv.get(MatrixSyncLoop.SINCE).isPresent());
            var b = new MatrixSyncLoop(bot, service, leases, kv, rooms, "b", lease, Duration.ofSeconds(1),
                    org.countersign.app.Throttle.none()).start();
            try {
                matrix.dev.say(matrix.ops, OPEN);
                await().atMost(WAIT).until(() -> service.recent(Set.of(), 10).size() == 1);

                a.halt(); // dies without giving the lease back
                long died = System.nanoTime();
                matrix.dev.say(matrix.ops, OPEN.replace("cache deploy", "second deploy"));
                await().atMost(WAIT).until(() -> service.recent(Set.of(), 10).size() == 2);
                long tookOverMillis = (System.nanoTime() - died) / 1_000_000;

                System.out.printf("synapse: takeover after the sync holder died: %d ms (lease %d ms)%n", tookOverMillis,
                        lease.toMillis());
                assertThat(tookOverMillis).isLessThan(lease.toMillis() + 5_000);
                Thread.sleep(1_000);
                assertThat(service.recent(Set.of(), 10)).hasSize(2);
            } finally {
                a.close();
                b.close();
            }
        }
    }
}
