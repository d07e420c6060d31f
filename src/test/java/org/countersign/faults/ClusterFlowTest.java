package org.countersign.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.faults.SlackWorkspace.DEV;
import static org.countersign.faults.SlackWorkspace.REL1;
import static org.countersign.faults.SlackWorkspace.SRE1;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.TreeSet;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.app.SessionStore;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.countersign.store.RealCluster;
import org.countersign.store.RedisConnector;
import org.countersign.store.RedisLeases;
import org.countersign.store.RedisSessionStore;
import org.countersign.webhook.DeployWebhook;
import org.countersign.webhook.Secret;
import org.countersign.webhook.Signature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.params.ScanParams;

/**
 * The whole flow as Main starts it on a 3-master Redis Cluster from Debian's redis-server (REDIS_URL=redis-cluster://):
 * opened from Slack, approved by SRE and Release Engineering, deploy reported by the pipeline, the card following it
 * through the events stream's consumer groups. Every key lands in the one slot of {@code {cs}}, and no master ever
 * answered CROSSSLOT (its own error count, INFO errorstats), whatever wrote: the save script, the stream and its groups,
 * leases, the rate limiter, idempotency keys, web sessions.
 */
class ClusterFlowTest {
    static final String DEPLOY_SECRET = "cluster-flow-deploy-secret-0123456789";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    @Test
    void the_whole_flow_runs_on_a_three_master_cluster_with_every_key_in_one_slot_and_no_crossslot() throws Exception {
        try (var cluster = RealCluster.start(dir.resolve("cluster"), 3); var slack = new SlackWorkspace()) {
            var env = new HashMap<>(slack.env());
            env.put("REDIS_URL", cluster.url());
            env.put("PORT", String.valueOf(Http.freePort()));
            env.put("DATA_DIR", dir.resolve("data").toString());
            env.put("INBOUND_WEBHOOK_SECRET", DEPLOY_SECRET);
            try (var countersign = Main.start(Config.fromEnv(env)); var client = RedisConnector.pooled(cluster.url())) {
                var endpoint = SlackWorkspace.endpoint(countersign.port());
                var id = slack.open(endpoint, DEV, "availability");

                assertThat(slack.press(endpoint, id, "approve:sre", SRE1).reply().status()).isEqualTo(200);
                slack.awaitCardShows(id, "approved by <@U0SRE1>", SlackWorkspace.WAIT);
                assertThat(slack.press(endpoint, id, "approve:releng", REL1).reply().status()).isEqualTo(200);
                await().atMost(SlackWorkspace.WAIT).until(() -> state(countersign, id) == State.APPROVED);

                assertThat(report(countersign.port(), id, "started", "deploy-1").statusCode()).isEqualTo(200);
                var succeeded = report(countersign.port(), id, "succeeded", "deploy-2");
                assertThat(succeeded.statusCode()).as(succeeded.body()).isEqualTo(200);
                var again = report(countersign.port(), id, "succeeded", "deploy-2");
                assertThat(again.statusCode()).as("the same delivery again").isEqualTo(200);
                assertThat(again.body()).isEqualTo(succeeded.body());
                assertThat(state(countersign, id)).isEqualTo(State.DEPLOYED);
                slack.awaitCardShows(id, "Deployed", SlackWorkspace.WAIT);

                // A web session, as the sign-in keeps one (this service has no sign-in configured).
                var sessions = new RedisSessionStore(client, "cs:");
                var now = Instant.now();
                sessions.save("session-1", new SessionStore.Session("alice", "sub-alice", "alice@example.org", now,
                        now.plus(Duration.ofHours(1))));
                sessions.hold("oauth-state-1", "verifier", Duration.ofMinutes(5));
                assertThat(sessions.find("session-1", now)).isPresent();
                assertThat(sessions.take("oauth-state-1")).contains("verifier");
                assertThat(sessions.revokeAll("alice")).isEqualTo(1);

                // A lease, as the card publisher takes one per card (released once shown, so none is left above).
                var leases = new RedisLeases(client, "cs:");
                assertThat(leases.acquire("cluster-test", "a", Duration.ofSeconds(30))).isTrue();
                assertThat(leases.acquire("cluster-test", "b", Duration.ofSeconds(30))).isFalse();
                assertThat(client.exists("{cs}:lease:cluster-test")).isTrue();
                leases.release("cluster-test", "a");
                assertThat(leases.acquire("cluster-test", "b", Duration.ofSeconds(30))).isTrue();

                // Every consumer group took every event of the stream and acknowledged it.
                var events = "{cs}:events";
                await().atMost(SlackWorkspace.WAIT).until(() -> {
                    var last = client.xrevrange(events, "+", "-", 1).get(0).getID();
                    var groups = client.xinfoGroups(events);
                    return !groups.isEmpty() && groups.stream().allMatch(g -> g.getPending() == 0
                            && g.getLastDeliveredId().compareTo(last) >= 0);
                });
                var groups = client.xinfoGroups(events).stream().map(g -> g.getName()).toList();
                assertThat(groups).as("consumer groups on the events stream").contains("slack-cards");

                var keys = new TreeSet<String>();
                var slots = new TreeSet<Long>();
                var nodesWithKeys = new TreeSet<String>();
                for (var node : cluster.nodes()) {
                    try (var jedis = node.jedis()) {
                        var cursor = ScanParams.SCAN_POINTER_START;
                        do {
                            var page = jedis.scan(cursor, new ScanParams().count(1000));
                            for (var key : page.getResult()) {
                                keys.add(key);
                                slots.add(jedis.clusterKeySlot(key));
                                nodesWithKeys.add(String.valueOf(node.port()));
                            }
                            cursor = page.getCursor();
                        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
                        assertThat(jedis.info("errorstats")).as("errors node %d answered", node.port())
                                .doesNotContain("errorstat_CROSSSLOT");
                    }
                }
                assertThat(keys).as("keys written").allMatch(k -> k.startsWith("{cs}:"))
                        .contains("{cs}:seq", "{cs}:events", "{cs}:req:" + id.number())
                        .anyMatch(k -> k.startsWith("{cs}:rate:"))
                        .anyMatch(k -> k.startsWith("{cs}:kv:webhook:deploy:delivery:"));
                assertThat(slots).as("slots of " + keys).hasSize(1);
                assertThat(nodesWithKeys).hasSize(1);
            }
        }
    }

    private static State state(Main.Running countersign, RequestId id) {
        return countersign.service().find(id).orElseThrow().state();
    }

    /** The pipeline's signed report of a deploy step. */
    private static HttpResponse<String> report(int port, RequestId id, String status, String delivery) throws Exception {
        var body = "{\"request\":\"" + id + "\",\"status\":\"" + status + "\"}";
        long timestamp = Instant.now().getEpochSecond();
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + DeployWebhook.PATH))
                .header("Content-Type", "application/json")
                .header(Signature.DELIVERY, delivery)
                .header(Signature.TIMESTAMP, Long.toString(timestamp))
                .header(Signature.SIGNATURE, Signature.sign(Secret.of(DEPLOY_SECRET), timestamp,
                        body.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
