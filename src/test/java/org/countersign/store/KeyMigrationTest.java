package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.store.Requests.T0;
import static org.countersign.store.Requests.create;

import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/** The keys a Countersign before hash tags wrote ({@code cs:seq}...) move to their tagged names at start, once. */
class KeyMigrationTest {
    private final UnifiedJedis redis = TestRedis.client();
    private final String old = TestRedis.uniquePrefix(); // test:<run>:<uuid>:, as cs: was
    private final String tagged = Keys.tagged(old);

    @Test
    void the_old_keys_move_under_the_hash_tag_with_their_data_expiry_and_consumer_groups() {
        // What an older Countersign left: written under the untagged names, as it wrote them.
        var request = create(new RedisRequestStore(redis, old), T0);
        for (var key : redis.keys(escape(tagged) + "*")) redis.rename(key, old + key.substring(tagged.length()));
        redis.set(old + "kv:slack:card:EMG-1", "C1/1.2 1", SetParams.setParams().ex(3600));
        redis.xgroupCreate(old + "events", "slack-cards", new StreamEntryID(), false);
        assertThat(redis.exists(old + "seq")).isTrue();

        long moved = KeyMigration.run(redis, old);

        assertThat(moved).isEqualTo(redis.keys(escape(tagged) + "*").size());
        assertThat(redis.keys(escape(old) + "*")).as("left under the old names").isEmpty();
        var store = new RedisRequestStore(redis, old);
        assertThat(store.find(request.id())).contains(request);
        assertThat(store.timeline(request.id())).hasSize(1);
        assertThat(redis.get(tagged + "seq")).isEqualTo("1");
        assertThat(redis.ttl(tagged + "kv:slack:card:EMG-1")).isBetween(3000L, 3600L);
        assertThat(redis.xinfoGroups(tagged + "events")).extracting(g -> g.getName()).containsExactly("slack-cards");
    }

    @Test
    void running_it_again_moves_nothing_and_changes_nothing() {
        redis.set(old + "seq", "7");
        redis.hset(old + "req:7", Map.of("v", "1", "json", "{}"));
        assertThat(KeyMigration.run(redis, old)).isEqualTo(2);

        assertThat(KeyMigration.run(redis, old)).isZero();

        assertThat(redis.get(tagged + "seq")).isEqualTo("7");
        assertThat(redis.hgetAll(tagged + "req:7")).containsEntry("v", "1");
    }

    @Test
    void a_key_whose_new_name_is_taken_stays_where_it_was_and_overwrites_nothing() {
        redis.set(old + "seq", "3");
        redis.set(old + "kv:x", "old value");
        redis.set(tagged + "seq", "9"); // a newer Countersign already wrote here

        assertThat(KeyMigration.run(redis, old)).isEqualTo(1);

        assertThat(redis.get(tagged + "seq")).isEqualTo("9");
        assertThat(redis.get(old + "seq")).isEqualTo("3");
        assertThat(redis.get(tagged + "kv:x")).isEqualTo("old value");
    }

    @Test
    void another_deployments_keys_under_a_longer_prefix_are_left_alone() {
        redis.set(old + "seq", "1");
        redis.set(old + "staging:seq", "5");
        redis.hset(old + "req:x:1", Map.of("v", "1"));

        KeyMigration.run(redis, old);

        assertThat(redis.get(old + "staging:seq")).isEqualTo("5");
        assertThat(redis.exists(old + "req:x:1")).isTrue();
        assertThat(redis.get(tagged + "seq")).isEqualTo("1");
    }

    @Test
    void a_prefix_with_a_tag_of_its_own_never_had_other_names_and_nothing_moves() {
        var own = "{" + TestRedis.uniquePrefix() + "}:";
        redis.set(own + "seq", "1");

        assertThat(KeyMigration.run(redis, own)).isZero();
        assertThat(redis.get(own + "seq")).isEqualTo("1");
    }

    private static String escape(String glob) { return glob.replaceAll("([*?\\[\\]\\\\{}])", "\\\\$1"); }
}
