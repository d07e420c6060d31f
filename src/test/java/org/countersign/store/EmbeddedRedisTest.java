package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.countersign.domain.TestPolicies.SRE1;
import static org.countersign.store.Requests.T0;
import static org.countersign.store.Requests.approved;
import static org.countersign.store.Requests.create;
import static org.countersign.store.Requests.save;

import java.nio.file.Path;
import java.util.Optional;
import org.countersign.domain.EventType;
import org.countersign.domain.Event;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisDataException;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedRedisTest {
    @TempDir Path dir;

    @Test
    void requests_and_timelines_survive_a_restart_on_the_same_data_directory() {
        org.countersign.domain.EmergencyRequest saved;
        try (var redis = RedisConnector.connect(Optional.empty(), dir)) {
            var store = new RedisRequestStore(redis.client());
            var v1 = create(store, T0);
            saved = save(store, v1, approved(v1, SRE1, "sre", T0.plusSeconds(1)));
        }

        try (var redis = RedisConnector.connect(Optional.empty(), dir)) {
            var store = new RedisRequestStore(redis.client());
            assertThat(store.find(saved.id())).contains(saved);
            assertThat(store.timeline(saved.id())).extracting(Event::type)
                    .containsExactly(EventType.REQUEST_OPENED, EventType.APPROVAL_ADDED);
            assertThat(store.nextId().number()).isEqualTo(saved.id().number() + 1);
        }
    }

    @Test
    void the_server_keeps_an_append_only_file_in_its_data_directory_and_no_snapshots() {
        try (var redis = EmbeddedRedis.start(dir.resolve("nested/data"))) {
            try (var client = RedisConnector.pooled(redis.uri().toString())) {
                assertThat(client.configGet("dir")).containsEntry("dir", dir.resolve("nested/data").toString());
                assertThat(client.configGet("appendonly")).containsEntry("appendonly", "yes");
                assertThat(client.configGet("appendfsync")).containsEntry("appendfsync", "everysec");
                assertThat(client.configGet("save")).containsEntry("save", "");
                assertThat(client.configGet("bind")).containsEntry("bind", "127.0.0.1");
            }
        }
    }

    @Test
    void two_servers_run_side_by_side_on_different_ports() {
        try (var a = EmbeddedRedis.start(dir.resolve("a")); var b = EmbeddedRedis.start(dir.resolve("b"))) {
            assertThat(a.port()).isNotEqualTo(b.port());
            assertThat(a.uri().toString()).matches("redis://:[0-9a-f]{64}@127\\.0\\.0\\.1:" + a.port());
        }
    }

    @Test
    void the_server_asks_for_a_random_password_that_only_its_uri_and_not_its_description_holds() {
        try (var a = EmbeddedRedis.start(dir.resolve("a")); var b = EmbeddedRedis.start(dir.resolve("b"))) {
            try (var without = RedisConnector.pooled("redis://127.0.0.1:" + a.port())) {
                assertThatThrownBy(without::ping).isInstanceOf(JedisDataException.class).hasMessageContaining("NOAUTH");
            }
            try (var with = RedisConnector.pooled(a.uri().toString())) {
                assertThat(with.ping()).isEqualTo("PONG");
            }
            var password = a.uri().getUserInfo().substring(1);
            assertThat(b.uri().getUserInfo()).isNotEqualTo(a.uri().getUserInfo());
            assertThat(a.toString()).contains("127.0.0.1:" + a.port()).doesNotContain(password);
            try (var connector = RedisConnector.connect(Optional.empty(), dir.resolve("c"))) {
                assertThat(connector.client().ping()).isEqualTo("PONG");
                assertThat(connector.description()).doesNotContain(connector.embedded().orElseThrow().uri().getUserInfo());
            }
        }
    }
}
