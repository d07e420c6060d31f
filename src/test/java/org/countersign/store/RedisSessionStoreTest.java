package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import org.countersign.app.SessionStore.Session;
import org.junit.jupiter.api.Test;

/** Web sessions and sign-ins in progress, in a real Redis. */
class RedisSessionStoreTest {
    private final String given = TestRedis.uniquePrefix();
    private final String prefix = RedisConnector.keyPrefix(given);
    private final RedisSessionStore store = new RedisSessionStore(TestRedis.client(), given);
    private final Instant now = Instant.now();

    private Session session(String person, Duration ttl) {
        return new Session(person, "sub-" + person, person + "@example.org", now, now.plus(ttl));
    }

    @Test
    void a_session_is_found_by_its_id_and_stored_under_its_hash_only() {
        store.save("id-of-alice-0123456789", session("alice", Duration.ofHours(12)));
        assertThat(store.find("id-of-alice-0123456789", now)).hasValueSatisfying(s -> {
            assertThat(s.person()).isEqualTo("alice");
            assertThat(s.email()).isEqualTo("alice@example.org");
        });
        assertThat(store.find("id-of-alice-0123456780", now)).isEmpty();
        var keys = TestRedis.client().keys(prefix + "*");
        assertThat(keys).contains(prefix + "session:" + RedisSessionStore.hash("id-of-alice-0123456789"))
                .noneMatch(k -> k.contains("id-of-alice"));
    }

    @Test
    void a_session_expires_in_redis_at_its_ttl() {
        store.save("short-lived", session("bob", Duration.ofMillis(300)));
        assertThat(store.find("short-lived", now)).isPresent();
        assertThat(TestRedis.client().pttl(prefix + "session:" + RedisSessionStore.hash("short-lived")))
                .isBetween(1L, 300L);
        await().atMost(Duration.ofSeconds(3)).until(() -> store.find("short-lived", now).isEmpty());
    }

    @Test
    void a_session_past_its_end_is_not_found_even_before_redis_drops_it() {
        store.save("ends-soon", session("carol", Duration.ofHours(1)));
        assertThat(store.find("ends-soon", now.plus(Duration.ofHours(1)))).isEmpty();
        assertThat(store.find("ends-soon", now.plus(Duration.ofMinutes(59)))).isPresent();
    }

    @Test
    void revoking_one_session_leaves_the_others_and_revoking_all_ends_every_one_of_that_person() {
        store.save("dave-1", session("dave", Duration.ofHours(1)));
        store.save("dave-2", session("dave", Duration.ofHours(1)));
        store.save("dave-3", session("dave", Duration.ofHours(1)));
        store.save("erin-1", session("erin", Duration.ofHours(1)));
        store.revoke("dave-1");
        assertThat(store.find("dave-1", now)).isEmpty();
        assertThat(store.find("dave-2", now)).isPresent();
        assertThat(store.revokeAll("dave")).isEqualTo(2);
        assertThat(store.find("dave-2", now)).isEmpty();
        assertThat(store.find("dave-3", now)).isEmpty();
        assertThat(store.find("erin-1", now)).isPresent();
        assertThat(store.revokeAll("dave")).isZero();
    }

    @Test
    void a_sign_in_in_progress_is_taken_once_and_expires() {
        store.hold("state-1", "{\"nonce\":\"n\"}", Duration.ofMinutes(10));
        assertThat(store.take("state-1")).hasValue("{\"nonce\":\"n\"}");
        assertThat(store.take("state-1")).isEmpty();
        store.hold("state-2", "x", Duration.ofMillis(200));
        await().atMost(Duration.ofSeconds(3)).until(() -> TestRedis.client().get(prefix + "signin:state-2") == null);
        assertThat(store.take("state-2")).isEmpty();
    }
}
