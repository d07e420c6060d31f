package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.countersign.domain.TestPolicies.REL1;
import static org.countersign.domain.TestPolicies.SRE1;
import static org.countersign.domain.TestPolicies.SRE2;
import static org.countersign.store.Requests.T0;
import static org.countersign.store.Requests.approved;
import static org.countersign.store.Requests.cancelled;
import static org.countersign.store.Requests.create;
import static org.countersign.store.Requests.rejected;
import static org.countersign.store.Requests.save;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import org.countersign.app.RateLimiter;
import org.countersign.app.StoreUnavailable;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

class RedisRequestStoreTest {
    private final UnifiedJedis redis = TestRedis.client();
    private final RedisRequestStore store = TestRedis.store();
    private final Keys keys = new Keys(store.prefix());

    @Test
    void a_created_request_is_found_as_it_was_saved() {
        var request = create(store, T0);

        assertThat(store.find(request.id())).contains(request);
    }

    @Test
    void an_unknown_request_is_not_found() {
        assertThat(store.find(new RequestId(999))).isEmpty();
    }

    @Test
    void save_writes_the_version_the_request_and_its_state_in_one_hash() {
        var request = create(store, T0);

        assertThat(redis.hgetAll(keys.request(request.id()))).containsOnlyKeys("v", "json", "s").containsEntry("v", "1")
                .containsEntry("s", "PENDING");
    }

    @Test
    void a_request_saved_before_its_hash_had_the_state_leaves_every_other_state_set_on_its_next_save() {
        var request = create(store, T0);
        redis.hdel(keys.request(request.id()), "s");
        redis.zadd(keys.state(State.REJECTED), 1, Keys.member(request.id())); // a set left stale by hand
        save(store, request, cancelled(request, T0.plusSeconds(60)));

        for (var s : State.values())
            assertThat(redis.zscore(keys.state(s), Keys.member(request.id())) != null).as(s.name())
                    .isEqualTo(s == State.CANCELLED);
    }

    @Test
    void save_refuses_a_stale_version_and_writes_nothing() {
        var v1 = create(store, T0);
        var v2 = save(store, v1, approved(v1, SRE1, "sre", T0.plusSeconds(1)));
        var before = snapshot(v1.id());

        // REL1 decided on version 1, which is no longer what is stored.
        var stale = approved(v1, REL1, "releng", T0.plusSeconds(2));
        assertThat(store.save(stale.request(), v1.version(), stale.events())).isFalse();

        assertThat(snapshot(v1.id())).isEqualTo(before);
        assertThat(store.find(v1.id())).contains(v2);
    }

    @Test
    void save_refuses_to_create_a_request_that_already_exists() {
        var request = create(store, T0);
        var before = snapshot(request.id());
        var again = Requests.opened(request.id(), T0.plusSeconds(5));

        assertThat(store.save(again.request(), 0, again.events())).isFalse();

        assertThat(snapshot(request.id())).isEqualTo(before);
    }

    @Test
    void save_refuses_to_update_a_request_that_does_not_exist() {
        var request = Requests.opened(new RequestId(77), T0).request();
        var change = approved(request, SRE1, "sre", T0.plusSeconds(1));

        assertThat(store.save(change.request(), request.version(), change.events())).isFalse();

        assertThat(redis.exists(keys.request(request.id()))).isFalse();
        assertThat(redis.xlen(keys.events())).isZero();
    }

    @Test
    void the_timeline_keeps_events_in_the_order_they_were_saved() {
        var v1 = create(store, T0);
        var v2 = save(store, v1, approved(v1, SRE1, "sre", T0.plusSeconds(1)));
        save(store, v2, approved(v2, REL1, "releng", T0.plusSeconds(2)));

        assertThat(store.timeline(v1.id())).extracting(Event::type).containsExactly(
                EventType.REQUEST_OPENED, EventType.APPROVAL_ADDED, EventType.APPROVAL_ADDED, EventType.REQUEST_APPROVED);
    }

    @Test
    void the_timeline_holds_the_events_exactly_as_saved() {
        var v1 = create(store, T0);
        var change = approved(v1, SRE1, "sre", T0.plusSeconds(1));
        save(store, v1, change);

        assertThat(store.timeline(v1.id())).endsWith(change.events().toArray(Event[]::new));
    }

    @Test
    void every_saved_event_lands_on_the_stream_with_its_id_and_type() {
        var v1 = create(store, T0);
        var v2 = save(store, v1, approved(v1, SRE1, "sre", T0.plusSeconds(1)));
        save(store, v2, approved(v2, REL1, "releng", T0.plusSeconds(2)));

        var streamed = store.readEvents("0-0", 100);
        assertThat(streamed).extracting(RedisRequestStore.StreamedEvent::event).isEqualTo(store.timeline(v1.id()));
        var fields = redis.xrange(keys.events(), "-", "+", 100).get(1).getFields();
        assertThat(fields).containsEntry("type", "approval.added").containsEntry("request", v1.id().toString())
                .containsEntry("id", v1.id() + "/2/0").containsKey("event");
    }

    @Test
    void reading_the_stream_after_an_entry_returns_only_later_entries() {
        var v1 = create(store, T0);
        save(store, v1, approved(v1, SRE1, "sre", T0.plusSeconds(1)));
        var first = store.readEvents("0-0", 1).get(0);

        assertThat(store.readEvents(first.streamId(), 100)).extracting(s -> s.event().type())
                .containsExactly(EventType.APPROVAL_ADDED);
    }

    @Test
    void the_events_stream_is_capped() {
        var capped = new RedisRequestStore(redis, TestRedis.uniquePrefix(), 10);
        for (int i = 0; i < 300; i++) create(capped, T0);

        // MAXLEN ~ trims whole stream nodes (100 entries by default), so it keeps a little more than asked.
        assertThat(redis.xlen(new Keys(capped.prefix()).events())).isLessThan(300);
    }

    @Test
    void a_pending_request_is_in_the_open_index_scored_by_its_expiry() {
        var request = create(store, T0);

        assertThat(redis.zscore(keys.open(), Keys.member(request.id())))
                .isEqualTo((double) request.expires().toEpochMilli());
    }

    @Test
    void an_approved_request_is_in_the_open_index_scored_by_when_its_approvals_expire() {
        var v1 = create(store, T0);
        var v2 = save(store, v1, approved(v1, SRE1, "sre", T0.plusSeconds(1)));

        var v3 = save(store, v2, approved(v2, REL1, "releng", T0.plusSeconds(2)));

        assertThat(redis.zscore(keys.open(), Keys.member(v1.id())))
                .isEqualTo((double) v3.approvalsValidUntil().toEpochMilli());
        assertThat(store.dueForExpiry(v3.approvalsValidUntil().minusMillis(1), 10)).doesNotContain(v1.id());
        assertThat(store.dueForExpiry(v3.approvalsValidUntil(), 10)).containsExactly(v1.id());
    }

    @Test
    void a_request_leaves_the_open_index_once_nothing_can_expire_it() {
        var v1 = create(store, T0);
        assertThat(redis.zscore(keys.open(), Keys.member(v1.id()))).isNotNull();

        save(store, v1, cancelled(v1, T0.plusSeconds(1)));

        assertThat(redis.zscore(keys.open(), Keys.member(v1.id()))).isNull();
    }

    @Test
    void the_state_indexes_move_with_the_request() {
        var v1 = create(store, T0);
        assertThat(indexedStates(v1.id())).containsExactly(State.PENDING);

        save(store, v1, rejected(v1, SRE2, "Not an emergency", T0.plusSeconds(1)));

        assertThat(indexedStates(v1.id())).containsExactly(State.REJECTED);
    }

    @Test
    void every_created_request_is_in_the_all_index_scored_by_creation() {
        var request = create(store, T0);

        assertThat(redis.zscore(keys.all(), Keys.member(request.id()))).isEqualTo((double) T0.toEpochMilli());
    }

    @Test
    void requests_are_counted_by_state() {
        var a = create(store, T0);
        create(store, T0);
        save(store, a, cancelled(a, T0.plusSeconds(1)));

        assertThat(store.countByState())
                .containsEntry(State.PENDING, 1L).containsEntry(State.CANCELLED, 1L).containsEntry(State.CLOSED, 0L)
                .hasSize(State.values().length);
    }

    @Test
    void due_for_expiry_lists_pending_requests_expired_by_now_soonest_first() {
        var later = create(store, T0.plusSeconds(60));
        var sooner = create(store, T0);
        var notYet = create(store, T0.plusSeconds(3600));
        var done = create(store, T0);
        save(store, done, cancelled(done, T0.plusSeconds(1)));
        var now = later.expires();

        assertThat(store.dueForExpiry(now, 10)).containsExactly(sooner.id(), later.id()).doesNotContain(notYet.id());
    }

    @Test
    void due_for_expiry_respects_the_limit() {
        create(store, T0);
        var second = create(store, T0.plusSeconds(1));
        create(store, T0.plusSeconds(2));

        assertThat(store.dueForExpiry(T0.plus(Duration.ofDays(1)), 2)).hasSize(2).endsWith(second.id());
    }

    @Test
    void recent_lists_every_request_newest_first() {
        var first = create(store, T0);
        var second = create(store, T0.plusSeconds(1));
        var third = create(store, T0.plusSeconds(2));

        assertThat(store.recent(Set.of(), 10)).extracting(r -> r.id()).containsExactly(third.id(), second.id(), first.id());
    }

    @Test
    void recent_keeps_only_the_states_asked_for_newest_first() {
        var pending = create(store, T0);
        var rejected = create(store, T0.plusSeconds(1));
        save(store, rejected, rejected(rejected, SRE2, "No", T0.plusSeconds(5)));
        var cancelled = create(store, T0.plusSeconds(2));
        save(store, cancelled, cancelled(cancelled, T0.plusSeconds(5)));

        assertThat(store.recent(Set.of(State.REJECTED, State.CANCELLED), 10)).extracting(r -> r.id())
                .containsExactly(cancelled.id(), rejected.id()).doesNotContain(pending.id());
    }

    @Test
    void recent_respects_the_limit_and_orders_requests_opened_in_the_same_millisecond_by_id() {
        var ids = new ArrayList<RequestId>();
        for (int i = 0; i < 12; i++) ids.add(create(store, T0).id());

        assertThat(store.recent(Set.of(), 3)).extracting(r -> r.id())
                .containsExactly(ids.get(11), ids.get(10), ids.get(9));
        assertThat(store.recent(Set.of(State.PENDING), 3)).extracting(r -> r.id())
                .containsExactly(ids.get(11), ids.get(10), ids.get(9));
    }

    @Test
    void a_list_read_again_while_no_event_happened_is_the_one_read_before() throws Exception {
        var first = create(store, T0);
        var second = create(store, T0.plusSeconds(1));
        assertThat(store.recent(State.open(), 10)).containsExactly(second, first);
        // Changed behind the store's back, with no event: a list held is not read again, so it cannot show this...
        var handEdited = approved(first, SRE2, "sre", T0.plusSeconds(2)).request();
        redis.hset(keys.request(first.id()), "json", DomainJson.mapper().writeValueAsString(handEdited));

        assertThat(store.recent(State.open(), 10)).containsExactly(second, first);
        // ...until an event moves the stream, whichever request it is about.
        var approved = save(store, second, approved(second, SRE1, "sre", T0.plusSeconds(3)));
        assertThat(store.recent(State.open(), 10)).containsExactly(approved, handEdited);
    }

    @Test
    void a_list_shows_what_another_instance_saved_since() {
        var other = new RedisRequestStore(TestRedis.client(), store.prefix());
        var request = create(store, T0);
        assertThat(store.recent(State.open(), 10)).containsExactly(request);

        var approved = save(other, request, approved(request, SRE1, "sre", T0.plusSeconds(1)));
        var opened = create(other, T0.plusSeconds(2));

        assertThat(store.recent(State.open(), 10)).containsExactly(opened, approved);
        assertThat(store.recent(State.open(), 1)).as("another limit is another list").containsExactly(opened);
    }

    @Test
    void an_archived_request_leaves_a_list_held_from_before_it_went() {
        var kept = create(store, T0);
        var gone = create(store, T0.plusSeconds(1));
        var cancelled = save(store, gone, cancelled(gone, T0.plusSeconds(2)));
        assertThat(store.recent(Set.of(), 10)).containsExactly(cancelled, kept);

        // The archive writes no event: the set it shrinks tells.
        assertThat(new RedisArchive(redis, store.prefix()).archive(gone.id(), T0.plusSeconds(3))).isTrue();

        assertThat(store.recent(Set.of(), 10)).containsExactly(kept);
    }

    @Test
    void save_refuses_a_change_that_records_no_event() {
        var v1 = create(store, T0);
        var v2 = approved(v1, SRE1, "sre", T0.plusSeconds(1)).request();

        assertThatThrownBy(() -> store.save(v2, v1.version(), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("records no event");
        assertThat(store.find(v1.id())).contains(v1);
    }

    @Test
    void ids_stay_unique_when_many_threads_ask_at_once() throws Exception {
        int threads = 16;
        int perThread = 500;
        var ids = ConcurrentHashMap.<RequestId>newKeySet();
        var duplicates = ConcurrentHashMap.<RequestId>newKeySet();
        var start = new CountDownLatch(1);
        var pool = Executors.newFixedThreadPool(threads);
        try {
            var futures = new ArrayList<java.util.concurrent.Future<?>>();
            for (int t = 0; t < threads; t++)
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        var id = store.nextId();
                        if (!ids.add(id)) duplicates.add(id);
                    }
                    return null;
                }));
            start.countDown();
            for (var f : futures) f.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }

        assertThat(duplicates).isEmpty();
        assertThat(ids).hasSize(threads * perThread);
    }

    @Test
    void a_list_read_with_its_count_is_the_list_until_the_limit_and_then_only_how_long_to_wait() {
        var limiter = new RedisRateLimiter(redis, store.prefix());
        var two = new RateLimiter.Limit("list", 2, Duration.ofSeconds(10));
        var request = create(store, T0);

        for (int i = 0; i < 2; i++)
            assertThat(store.recent(State.open(), 10, limiter, "slack:U1", two)).isEqualTo(RateLimiter.Counted.read(
                    List.of(request)));
        var held = store.recent(State.open(), 10, limiter, "slack:U1", two);

        assertThat(held.value()).isNull();
        assertThat(held.retryAfter()).hasValueSatisfying(wait -> assertThat(wait).isBetween(Duration.ofSeconds(9),
                Duration.ofSeconds(10)));
        // The count is the limiter's own: counted with a list or alone, it is one count, and callers are apart.
        assertThat(limiter.tryAcquire("slack:U1", two)).isPresent();
        assertThat(limiter.tryAcquire("slack:U2", two)).isEmpty();
        assertThat(store.recent(State.open(), 10, limiter, "slack:U2", two).value()).containsExactly(request);
        assertThat(store.recent(State.open(), 10, limiter, "slack:U2", two).retryAfter()).isPresent();
    }

    @Test
    void a_list_read_with_its_count_after_redis_forgets_its_scripts_counts_once_and_reads_the_list() {
        var limiter = new RedisRateLimiter(redis, store.prefix());
        var three = new RateLimiter.Limit("list", 3, Duration.ofSeconds(10));
        var first = create(store, T0);
        assertThat(store.recent(State.open(), 10, limiter, "slack:U1", three).value()).containsExactly(first);
        var second = create(store, T0.plusSeconds(1));
        forgetScriptsWhereTheKeysAre();

        assertThat(store.recent(State.open(), 10, limiter, "slack:U1", three).value()).containsExactly(second, first);
        assertThat(store.recent(State.open(), 10, limiter, "slack:U1", three).retryAfter())
                .as("the third: the count sent again alone was not also counted").isEmpty();
        assertThat(store.recent(State.open(), 10, limiter, "slack:U1", three).retryAfter()).isPresent();
    }

    @Test
    void a_request_read_with_its_count_is_the_request_until_the_limit_and_then_only_how_long_to_wait() {
        var limiter = new RedisRateLimiter(redis, store.prefix());
        var two = new RateLimiter.Limit("act", 2, Duration.ofSeconds(10));
        var request = create(store, T0);

        assertThat(store.find(request.id(), limiter, "slack:U1", two)).isEqualTo(RateLimiter.Counted.read(
                Optional.of(request)));
        assertThat(store.find(new RequestId(999_999), limiter, "slack:U1", two))
                .as("a request that is not there is read as none, and counted").isEqualTo(RateLimiter.Counted.read(
                        Optional.empty()));
        var held = store.find(request.id(), limiter, "slack:U1", two);

        assertThat(held.value()).isNull();
        assertThat(held.retryAfter()).hasValueSatisfying(wait -> assertThat(wait).isBetween(Duration.ofSeconds(9),
                Duration.ofSeconds(10)));
        // One count with the lists' and the limiter's own, per caller.
        assertThat(store.recent(State.open(), 10, limiter, "slack:U1", two).retryAfter()).isPresent();
        assertThat(store.find(request.id(), limiter, "slack:U2", two).value()).contains(request);
        assertThat(limiter.tryAcquire("slack:U2", two)).isEmpty();
        assertThat(store.find(request.id(), limiter, "slack:U2", two).retryAfter()).isPresent();
    }

    @Test
    void a_request_read_with_its_count_after_redis_forgets_its_scripts_counts_once_and_reads_it() {
        var limiter = new RedisRateLimiter(redis, store.prefix());
        var two = new RateLimiter.Limit("act", 2, Duration.ofSeconds(10));
        var request = create(store, T0);
        forgetScriptsWhereTheKeysAre();

        assertThat(store.find(request.id(), limiter, "slack:U1", two).value()).contains(request);
        assertThat(store.find(request.id(), limiter, "slack:U1", two).retryAfter())
                .as("the second: the count sent again alone was not also counted").isEmpty();
        assertThat(store.find(request.id(), limiter, "slack:U1", two).retryAfter()).isPresent();
    }

    @Test
    void save_still_works_after_redis_forgets_the_script() {
        var v1 = create(store, T0);
        forgetScriptsWhereTheKeysAre();
        assertThat(saveScriptCachedWhereTheKeysAre()).as("cached before").isFalse();

        var v2 = save(store, v1, approved(v1, SRE1, "sre", T0.plusSeconds(1)));

        assertThat(store.find(v1.id())).contains(v2);
        assertThat(saveScriptCachedWhereTheKeysAre()).as("cached after").isTrue();
    }

    // On a Cluster, the master of the keys' slot: Jedis sends SCRIPT FLUSH and SCRIPT EXISTS to every master and ANDs
    // the answers, which says nothing of the one that runs the save.
    private void forgetScriptsWhereTheKeysAre() {
        if (redis instanceof RedisClusterClient cluster)
            try (var node = new Jedis(cluster.getConnectionFromSlot(JedisClusterCRC16.getSlot(keys.all())))) {
                node.scriptFlush();
            }
        else redis.scriptFlush();
    }

    private boolean saveScriptCachedWhereTheKeysAre() {
        if (redis instanceof RedisClusterClient cluster)
            try (var node = new Jedis(cluster.getConnectionFromSlot(JedisClusterCRC16.getSlot(keys.all())))) {
                return node.scriptExists(RequestScripts.SAVE.sha());
            }
        return redis.scriptExists(RequestScripts.SAVE.sha(), keys.all());
    }

    @Test
    void the_script_hash_is_the_one_redis_computes() {
        assertThat(redis.scriptLoad(RequestScripts.SAVE.text())).isEqualTo(RequestScripts.SAVE.sha());
    }

    @Test
    void save_rejects_a_version_that_does_not_move_forward() {
        var v1 = create(store, T0);

        assertThatThrownBy(() -> store.save(v1, v1.version(), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not follow");
    }

    @Test
    void ping_is_empty_when_redis_answers() {
        assertThat(store.ping()).isEmpty();
    }

    @Test
    void a_store_whose_redis_is_down_says_so_and_records_nothing() throws IOException {
        try (var client = RedisConnector.pooled("redis://127.0.0.1:" + closedPort())) {
            var down = new RedisRequestStore(client, TestRedis.uniquePrefix());
            var opened = Requests.opened(new RequestId(1), T0);

            assertThatThrownBy(() -> down.save(opened.request(), 0, opened.events()))
                    .isInstanceOf(StoreUnavailable.class)
                    .hasMessage("state store unavailable; nothing was recorded, try again");
            assertThatThrownBy(() -> down.find(new RequestId(1))).isInstanceOf(StoreUnavailable.class);
            assertThatThrownBy(down::nextId).isInstanceOf(StoreUnavailable.class);
            assertThat(down.ping()).hasValueSatisfying(problem -> assertThat(problem).startsWith("Redis does not answer"));
        }
    }

    private static int closedPort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private Set<State> indexedStates(RequestId id) {
        var states = new HashSet<State>();
        for (var s : State.values()) if (redis.zscore(keys.state(s), Keys.member(id)) != null) states.add(s);
        return states;
    }

    /** Everything a save touches, as plain values. */
    private List<Object> snapshot(RequestId id) {
        var member = Keys.member(id);
        return List.of(redis.hgetAll(keys.request(id)), redis.lrange(keys.timeline(id), 0, -1), redis.xlen(keys.events()),
                String.valueOf(redis.zscore(keys.open(), member)), indexedStates(id),
                String.valueOf(redis.zscore(keys.all(), member)));
    }
}
