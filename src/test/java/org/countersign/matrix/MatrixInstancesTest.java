package org.countersign.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.matrix.MatrixFixture.DEV;
import static org.countersign.matrix.MatrixFixture.OPS;
import static org.countersign.matrix.MatrixFixture.WAIT;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Set;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.domain.Workflow;
import org.countersign.PolicyFile;
import org.countersign.store.EmbeddedRedis;
import org.countersign.store.RedisConnector;
import org.countersign.store.RedisKeyValues;
import org.countersign.store.RedisLeases;
import org.countersign.store.RedisRequestStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting on a room with history, and several Countersign instances on one Redis sharing the sync. */
class MatrixInstancesTest {
    private static final String OPEN = "!emergency availability \"Request %d\" --change 12345%d --rollback";

    @TempDir
    Path dataDir;

    private final MatrixFixture matrix = new MatrixFixture();

    @AfterEach
    void stop() {
        matrix.close();
    }

    @Test
    void the_history_before_the_first_start_is_skipped() throws Exception {
        matrix.homeserver.postText(OPS, DEV, OPEN.formatted(1, 1));
        matrix.homeserver.postText(OPS, DEV, "!help");

        try (var service = MatrixFixture.start(matrix.env(dataDir.toString(), true))) {
            matrix.awaitListening();
            matrix.homeserver.postText(OPS, DEV, "!list");

            matrix.awaitReply(OPS, "No open emergency requests");
            assertThat(service.service().recent(Set.of(), 10)).isEmpty();
            assertThat(matrix.replies(OPS)).hasSize(1);
        }
    }

    @Test
    void when_the_syncing_instance_stops_another_takes_over_and_no_command_is_handled_twice() throws Exception {
        try (var redis = EmbeddedRedis.start(dataDir.resolve("redis"))) {
            var env = new HashMap<>(matrix.env(dataDir.resolve("a").toString(), true));
            env.put("REDIS_URL", redis.uri().toString());
            var first = MatrixFixture.start(env);
            env.put("PORT", String.valueOf(MatrixFixture.freePort()));
            try (var second = MatrixFixture.start(env)) {
                matrix.awaitListening();
                for (int i = 1; i <= 5; i++) matrix.homeserver.postText(OPS, DEV, OPEN.formatted(i, i));
                await().atMost(WAIT).until(() -> second.service().recent(Set.of(), 50).size() == 5);

                first.close(); // the instance holding the lease stops; the other must carry on
                for (int i = 6; i <= 10; i++) matrix.homeserver.postText(OPS, DEV, OPEN.formatted(i, i));

                await().atMost(Duration.ofSeconds(30)).until(() -> second.service().recent(Set.of(), 50).size() == 10);
                Thread.sleep(500);
                var summaries = second.service().recent(Set.of(), 50).stream().map(r -> r.summary()).toList();
                assertThat(summaries).hasSize(10).doesNotHaveDuplicates();
                await().atMost(WAIT).until(() -> matrix.cards(OPS).size() == 10);
            } finally {
                first.close();
            }
        }
    }

    @Test
    void when_the_syncing_instance_dies_holding_the_lease_another_takes_over_within_the_lease_time() throws Exception {
        var policy = PolicyFile.loadDefault();
        try (var redis = RedisConnector.connect(java.util.Optional.empty(), dataDir.resolve("redis"))) {
            var prefix = "cs:";
            var client = redis.client();
            var service = new RequestService(new RedisRequestStore(client, prefix), new PolicyDirectory(policy),
                    new Workflow(policy), Clock.systemUTC());
            var kv = new RedisKeyValues(client, prefix);
            var leases = new RedisLeases(client, prefix);
            var rooms = new MatrixRooms(OPS, null);
            var matrixClient = new MatrixClient(matrix.homeserver.baseUrl(), MatrixFixture.BOT_TOKEN,
                    HttpClient.newHttpClient(), Duration.ofSeconds(5));
            var lease = Duration.ofSeconds(2);
            var a = new MatrixSyncLoop(matrixClient, service, leases, kv, rooms, "a", lease, Duration.ofMillis(300),
                    org.countersign.app.Throttle.none()).start();
            matrix.awaitListening();
            var b = new MatrixSyncLoop(matrixClient, service, leases, kv, rooms, "b", lease, Duration.ofMillis(300),
                    org.countersign.app.Throttle.none()).start();
            try {
                matrix.homeserver.postText(OPS, DEV, OPEN.formatted(1, 1));
                await().atMost(WAIT).until(() -> service.recent(Set.of(), 10).size() == 1);

                a.halt(); // dies without giving the lease back
                long died = System.nanoTime();
                matrix.homeserver.postText(OPS, DEV, OPEN.formatted(2, 2));
                await().atMost(WAIT).until(() -> service.recent(Set.of(), 10).size() == 2);
                long tookOverMillis = (System.nanoTime() - died) / 1_000_000;

                System.out.printf("matrix takeover after the sync holder died: %d ms (lease %d ms)%n", tookOverMillis,
                        lease.toMillis());
                assertThat(tookOverMillis).as("takeover after the holder died").isLessThan(lease.toMillis() + 3_000);
                Thread.sleep(500);
                assertThat(service.recent(Set.of(), 10)).hasSize(2);
            } finally {
                a.close();
                b.close();
            }
        }
    }

    @Test
    void a_person_flooding_the_room_is_held_back_and_told_once() throws Exception {
        var env = new HashMap<>(matrix.env(dataDir.toString(), true));
        env.put("RATE_LIMIT_PER_USER", "3/1m");
        try (var service = MatrixFixture.start(env)) {
            matrix.awaitListening();
            for (int i = 1; i <= 6; i++) matrix.homeserver.postText(OPS, DEV, OPEN.formatted(i, i));
            matrix.homeserver.postText(OPS, MatrixFixture.SRE1, "!list");

            matrix.awaitReply(OPS, "Open emergency requests");
            await().atMost(WAIT).until(() -> matrix.replies(OPS).stream().anyMatch(r -> r.startsWith("Slow down")));
            Thread.sleep(300);
            assertThat(service.service().recent(Set.of(), 10)).hasSize(3);
            assertThat(matrix.replies(OPS).stream().filter(r -> r.startsWith("Slow down"))).hasSize(1);
        }
    }

    @Test
    void the_sync_loop_throughput_is_measured() throws Exception {
        var env = new HashMap<>(matrix.env(dataDir.toString(), true));
        env.put("RATE_LIMIT_PER_USER", "100000/1m");
        try (var service = MatrixFixture.start(env)) {
            matrix.awaitListening();
            int n = 300;
            int batch = 50; // under the sync filter's 100 events per room, so no sync is cut short
            long start = System.nanoTime();
            for (int sent = 0; sent < n; sent += batch) {
                for (int i = sent; i < sent + batch; i++) matrix.homeserver.postText(OPS, DEV, "!status EMG-" + (i + 1));
                int expected = sent + batch;
                await().atMost(Duration.ofSeconds(60)).until(() -> matrix.replies(OPS).size() >= expected);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("matrix sync loop: %d commands read and answered in %.2f s = %.0f events/s%n", n, seconds,
                    n / seconds);
            assertThat(matrix.replies(OPS)).hasSize(n);
        }
    }
}
