package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.countersign.app.RateLimiter.Limit;
import org.junit.jupiter.api.Test;

class RedisRateLimiterTest {
    private final String prefix = TestRedis.uniquePrefix();
    private final RedisRateLimiter limiter = new RedisRateLimiter(TestRedis.client(), prefix);
    private final Limit three = new Limit("clicks", 3, Duration.ofSeconds(10));

    @Test
    void the_first_count_actions_in_a_window_are_allowed_and_the_next_is_told_how_long_to_wait() {
        for (int i = 0; i < 3; i++) assertThat(limiter.tryAcquire("slack:U1", three)).isEmpty();

        var wait = limiter.tryAcquire("slack:U1", three);

        assertThat(wait).isPresent();
        assertThat(wait.get()).isBetween(Duration.ofSeconds(9), Duration.ofSeconds(10));
    }

    @Test
    void callers_are_counted_apart() {
        for (int i = 0; i < 3; i++) limiter.tryAcquire("slack:U1", three);

        assertThat(limiter.tryAcquire("slack:U2", three)).isEmpty();
    }

    @Test
    void the_window_ends_and_the_caller_may_act_again() throws Exception {
        var fast = new Limit("fast", 1, Duration.ofMillis(100));
        limiter.tryAcquire("ip:10.0.0.1", fast);
        assertThat(limiter.tryAcquire("ip:10.0.0.1", fast)).isPresent();

        Thread.sleep(150);

        assertThat(limiter.tryAcquire("ip:10.0.0.1", fast)).isEmpty();
    }

    @Test
    void two_instances_share_the_count() {
        var other = new RedisRateLimiter(TestRedis.client(), prefix);
        limiter.tryAcquire("matrix:@a:x", three);
        other.tryAcquire("matrix:@a:x", three);
        limiter.tryAcquire("matrix:@a:x", three);

        assertThat(other.tryAcquire("matrix:@a:x", three)).isPresent();
    }
}
