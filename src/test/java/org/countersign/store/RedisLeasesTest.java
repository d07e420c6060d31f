package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisLeasesTest {
    private final RedisLeases leases = new RedisLeases(TestRedis.client(), TestRedis.uniquePrefix());

    @Test
    void a_free_lease_is_taken_and_then_refused_to_others() {
        assertThat(leases.acquire("matrix-sync", "a", Duration.ofSeconds(10))).isTrue();
        assertThat(leases.acquire("matrix-sync", "b", Duration.ofSeconds(10))).isFalse();
        assertThat(leases.acquire("matrix-sync", "a", Duration.ofSeconds(10))).as("ours again").isTrue();
    }

    @Test
    void an_expired_lease_goes_to_whoever_asks_and_the_old_holder_cannot_renew_it() throws Exception {
        leases.acquire("matrix-sync", "a", Duration.ofMillis(50));
        Thread.sleep(120);

        assertThat(leases.acquire("matrix-sync", "b", Duration.ofSeconds(10))).isTrue();
        assertThat(leases.renew("matrix-sync", "a", Duration.ofSeconds(10))).isFalse();
        assertThat(leases.renew("matrix-sync", "b", Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void renewing_keeps_the_lease_past_its_first_expiry() throws Exception {
        leases.acquire("matrix-sync", "a", Duration.ofMillis(150));
        Thread.sleep(80);
        assertThat(leases.renew("matrix-sync", "a", Duration.ofMillis(150))).isTrue();
        Thread.sleep(100);

        assertThat(leases.acquire("matrix-sync", "b", Duration.ofSeconds(10))).isFalse();
    }

    @Test
    void only_the_holder_can_release_it() {
        leases.acquire("matrix-sync", "a", Duration.ofSeconds(10));
        leases.release("matrix-sync", "b");
        assertThat(leases.acquire("matrix-sync", "b", Duration.ofSeconds(10))).isFalse();

        leases.release("matrix-sync", "a");
        assertThat(leases.acquire("matrix-sync", "b", Duration.ofSeconds(10))).isTrue();
    }
}
