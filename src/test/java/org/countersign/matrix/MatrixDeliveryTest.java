package org.countersign.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.matrix.MatrixFixture.DEV;
import static org.countersign.matrix.MatrixFixture.OPS;
import static org.countersign.matrix.MatrixFixture.WAIT;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Optional;
import java.util.Set;
import org.countersign.PolicyFile;
import org.countersign.app.KeyValues;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.app.Throttle;
import org.countersign.domain.Workflow;
import org.countersign.store.RedisConnector;
import org.countersign.store.RedisKeyValues;
import org.countersign.store.RedisLeases;
import org.countersign.store.RedisRequestStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command read once at least and applied once at most: gappy syncs, crashes mid-command, replies to cards. */
class MatrixDeliveryTest {
    private static final String OPEN = "!emergency availability \"Request %d\" --change 12345%d --rollback";

    @TempDir
    Path dataDir;

    private final MatrixFixture matrix = new MatrixFixture();

    @AfterEach
    void stop() {
        matrix.close();
    }

    @Test
    void commands_a_limited_sync_left_out_are_read_back_with_messages() throws Exception {
        var env = new HashMap<>(matrix.env(dataDir.toString(), true));
        env.put("RATE_LIMIT_PER_USER", "100000/1m");
        try (var service = MatrixFixture.start(env)) {
            matrix.awaitListening();
        }
        // While no instance syncs, more happens than one sync's timeline (100 events) holds.
        int n = 150;
        for (int i = 1; i <= n; i++) matrix.homeserver.postText(OPS, DEV, "!status EMG-" + i);
        try (var service = MatrixFixture.start(env)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> matrix.replies(OPS).size() >= n);
            Thread.sleep(300);
            assertThat(matrix.replies(OPS)).hasSize(n);
            assertThat(matrix.homeserver.calls("/_matrix/client/v3/rooms/" + OPS + "/messages")).isNotEmpty();
        }
    }

    @Test
    void a_reply_to_the_card_is_read_without_its_quoted_fallback() throws Exception {
        try (var service = MatrixFixture.start(matrix.env(dataDir.toString(), true))) {
            matrix.awaitListening();
            matrix.homeserver.postText(OPS, DEV, OPEN.formatted(1, 1));
            var id = MatrixFixture.newest(awaitRequests(service, 1));
            matrix.awaitCardShows(OPS, id, "Request 1");
            var card = matrix.card(OPS, id);

            var content = JsonNodeFactory.instance.objectNode().put("msgtype", "m.text")
                    .put("body", "> <" + MatrixFixture.BOT + "> 🚨 " + id + " Request 1\n> needs SRE\n\n!approve " + id);
            content.putObject("m.relates_to").putObject("m.in_reply_to").put("event_id", card.eventId());
            matrix.homeserver.post(OPS, MatrixFixture.SRE1, "m.room.message", content);

            await().atMost(WAIT).until(() -> MatrixFixture.request(service, id).approvals().size() == 1);
        }
    }

    private static org.countersign.Main.Running awaitRequests(org.countersign.Main.Running service, int n) {
        await().atMost(WAIT).until(() -> service.service().recent(Set.of(), 10).size() == n);
        return service;
    }

    @Test
    void a_command_whose_handling_died_before_it_was_applied_is_applied_when_delivered_again() throws Exception {
        var crashed = onSync("matrix:opening:", "putIfAbsent", loop -> {
            matrix.homeserver.postText(OPS, DEV, OPEN.formatted(1, 1));
            matrix.awaitReply(OPS, "is open");
        });
        assertThat(crashed.requests()).isEqualTo(1);
        assertThat(matrix.replies(OPS)).hasSize(1);
    }

    @Test
    void a_command_whose_handling_died_after_it_was_applied_is_not_applied_twice() throws Exception {
        var crashed = onSync("matrix:done:", "put", loop -> {
            matrix.homeserver.postText(OPS, DEV, OPEN.formatted(1, 1));
            matrix.awaitReply(OPS, "EMG-1");
        });
        assertThat(crashed.requests()).isEqualTo(1);
        assertThat(matrix.replies(OPS)).hasSize(1);
    }

    @Test
    void a_command_answered_before_its_handler_died_is_answered_once() throws Exception {
        var crashed = onSync("matrix:handled:", "put", loop -> {
            matrix.homeserver.postText(OPS, DEV, OPEN.formatted(1, 1));
            matrix.awaitReply(OPS, "is open");
        });
        assertThat(crashed.requests()).isEqualTo(1);
        assertThat(matrix.replies(OPS)).hasSize(1);
        assertThat(crashed.faults()).isEqualTo(1);
    }

    @Test
    void an_event_whose_handling_always_fails_is_given_up_after_three_attempts_and_holds_nothing_back() throws Exception {
        var crashed = onSync("matrix:opening:", "putIfAbsent", 100, loop -> {
            matrix.homeserver.postText(OPS, DEV, OPEN.formatted(1, 1));
            matrix.homeserver.postText(OPS, DEV, "!list");
            matrix.awaitReply(OPS, "No open emergency requests");
        });
        assertThat(crashed.requests()).isZero();
        assertThat(crashed.faults()).isEqualTo(MatrixSyncLoop.ATTEMPTS);
        assertThat(matrix.replies(OPS)).hasSize(1);
    }

    private record Crashed(int requests, int faults) {}

    /**
     * Runs a sync loop whose first write of a key starting with {@code prefix} (by {@code operation}) fails as if the
     * process died there, does {@code what}, waits for the loop to settle, and says what came of it.
     */
    private Crashed onSync(String prefix, String operation, java.util.function.Consumer<MatrixSyncLoop> what)
            throws Exception {
        return onSync(prefix, operation, 1, what);
    }

    private Crashed onSync(String prefix, String operation, int times,
                           java.util.function.Consumer<MatrixSyncLoop> what) throws Exception {
        var policy = PolicyFile.loadDefault();
        try (var redis = RedisConnector.connect(Optional.empty(), dataDir.resolve("redis"))) {
            var service = new RequestService(new RedisRequestStore(redis.client(), "cs:"), new PolicyDirectory(policy),
                    new Workflow(policy), Clock.systemUTC());
            var kv = new DyingOnce(new RedisKeyValues(redis.client(), "cs:"), prefix, operation, times);
            var client = new MatrixClient(matrix.homeserver.baseUrl(), MatrixFixture.BOT_TOKEN,
                    HttpClient.newHttpClient(), Duration.ofSeconds(5));
            try (var loop = new MatrixSyncLoop(client, service, new RedisLeases(redis.client(), "cs:"), kv,
                    new MatrixRooms(OPS, null), "a", Duration.ofSeconds(5), Duration.ofMillis(300), Throttle.none())
                    .start()) {
                matrix.awaitListening();
                what.accept(loop);
                await().atMost(WAIT).until(() -> kv.faults >= 1);
                Thread.sleep(2_000); // the loop backs off, then syncs again from the same token
                return new Crashed(service.recent(Set.of(), 10).size(), kv.faults);
            }
        }
    }

    /** Real Redis, but the first {@code times} matching writes fail: the process "dies" at that point of handling an event. */
    private static final class DyingOnce implements KeyValues {
        private final KeyValues kv;
        private final String prefix;
        private final String operation;
        private final int times;
        volatile int faults;

        DyingOnce(KeyValues kv, String prefix, String operation, int times) {
            this.kv = kv;
            this.prefix = prefix;
            this.operation = operation;
            this.times = times;
        }

        private synchronized void maybeDie(String op, String key) {
            if (op.equals(operation) && key.startsWith(prefix) && faults < times) {
                faults++;
                throw new IllegalStateException("the process died while handling an event (" + op + " " + key + ")");
            }
        }

        @Override
        public Optional<String> get(String key) { return kv.get(key); }

        @Override
        public void put(String key, String value, Duration ttl) {
            maybeDie("put", key);
            kv.put(key, value, ttl);
        }

        @Override
        public boolean putIfAbsent(String key, String value, Duration ttl) {
            maybeDie("putIfAbsent", key);
            return kv.putIfAbsent(key, value, ttl);
        }

        @Override
        public void delete(String key) { kv.delete(key); }
    }
}
