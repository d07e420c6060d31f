package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.countersign.domain.TestPolicies.SRE1;
import static org.countersign.store.Requests.T0;
import static org.countersign.store.Requests.approved;
import static org.countersign.store.Requests.create;

import java.io.IOException;
import java.nio.file.Path;
import org.countersign.app.StoreUnavailable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * REDIS_MIN_REPLICAS on real servers from Debian's redis-server: a save is acknowledged only once that many replicas
 * have it ({@code WAIT}). When they do not get it within {@link RedisRequestStore#REPLICA_WAIT_MILLIS}, the save is on
 * the master (WAIT cannot take it back) but is not acknowledged: the caller is told the store is unavailable and to
 * check before trying again (a repeated approval is a no-op), and the start says so when too few replicas are there.
 */
class MinReplicasTest {
    @TempDir
    Path dir;

    @Test
    void with_a_replica_attached_a_save_is_acknowledged_once_the_replica_has_it() throws Exception {
        try (var topology = RealSentinel.start(dir, 1, 0); var client = RedisConnector.pooled(topology.master().url());
             var replica = topology.servers().get(1).jedis()) {
            var store = new RedisRequestStore(client, "cs:", RedisRequestStore.DEFAULT_STREAM_MAX_LENGTH, 1);

            var request = create(store, T0);

            assertThat(replica.hget("{cs}:req:" + request.id().number(), "json")).as("on the replica at the ack").isNotNull();
            assertThat(RedisConnector.replicaShortfall(client, 1)).isEmpty();
        }
    }

    @Test
    void with_the_replica_not_answering_the_ack_waits_then_the_save_is_reported_unacknowledged() throws Exception {
        try (var topology = RealSentinel.start(dir, 1, 0); var client = RedisConnector.pooled(topology.master().url())) {
            var store = new RedisRequestStore(client, "cs:", RedisRequestStore.DEFAULT_STREAM_MAX_LENGTH, 1);
            var v1 = create(store, T0);
            var replica = topology.servers().get(1);
            signal(replica, "STOP"); // alive and connected, but it takes nothing in: WAIT counts it only once it acks
            try {
                long started = System.nanoTime();
                var change = approved(v1, SRE1, "sre", T0.plusSeconds(1));
                assertThatThrownBy(() -> store.save(change.request(), v1.version(), change.events()))
                        .isInstanceOf(StoreUnavailable.class)
                        .hasMessageContaining("on the Redis master but on 0 of the 1 replicas REDIS_MIN_REPLICAS asks for")
                        .hasMessageContaining("check before trying again")
                        .extracting(e -> ((StoreUnavailable) e).mayBeRecorded()).isEqualTo(true);
                assertThat((System.nanoTime() - started) / 1_000_000).as("ms waited for the replica")
                        .isGreaterThanOrEqualTo(RedisRequestStore.REPLICA_WAIT_MILLIS - 50);
                assertThat(store.find(v1.id()).orElseThrow().version()).as("on the master").isEqualTo(2);
            } finally {
                signal(replica, "CONT");
            }
        }
    }

    @Test
    void with_no_replica_every_save_is_refused_an_ack_and_the_start_check_says_why() throws Exception {
        try (var master = RealRedis.server(dir); var client = RedisConnector.pooled(master.url())) {
            var store = new RedisRequestStore(client, "cs:", RedisRequestStore.DEFAULT_STREAM_MAX_LENGTH, 1);

            assertThatThrownBy(() -> create(store, T0)).isInstanceOf(StoreUnavailable.class)
                    .hasMessageContaining("on 0 of the 1 replicas");
            assertThat(RedisConnector.replicaShortfall(client, 1)).get().asString()
                    .contains("REDIS_MIN_REPLICAS=1").contains("0 replicas");
            assertThat(RedisConnector.replicaShortfall(client, 0)).isEmpty();
        }
    }

    @Test
    void a_person_whose_approval_may_be_on_the_master_is_told_to_check_before_trying_again() throws Exception {
        try (var master = RealRedis.server(dir); var client = RedisConnector.pooled(master.url())) {
            var policy = org.countersign.domain.TestPolicies.standard();
            var opened = create(new RedisRequestStore(client, "cs:"), T0);
            var service = new org.countersign.app.RequestService(
                    new RedisRequestStore(client, "cs:", RedisRequestStore.DEFAULT_STREAM_MAX_LENGTH, 1),
                    new org.countersign.app.PolicyDirectory(policy), new org.countersign.domain.Workflow(policy),
                    java.time.Clock.fixed(T0.plusSeconds(60), java.time.ZoneOffset.UTC));
            var conversation = new org.countersign.chat.Conversation(service, org.countersign.app.Throttle.none());

            var reply = conversation.said(SRE1, org.countersign.chat.Venue.page(org.countersign.chat.Syntax.slash(), "").alone(),
                    new org.countersign.chat.Verb.Approve(opened.id(), "sre"));

            assertThat(reply.text()).isEqualTo(org.countersign.chat.Conversation.MAY_BE_RECORDED);
            assertThat(new RedisRequestStore(client, "cs:").find(opened.id()).orElseThrow().approvals())
                    .as("on the master, though not acknowledged").hasSize(1);
        }
    }

    private static void signal(RealRedis.Server server, String signal) throws IOException, InterruptedException {
        var kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(server.process.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -" + signal).isZero();
    }
}
