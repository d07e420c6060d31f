package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketTimeoutException;
import org.countersign.app.StoreUnavailable;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisConnectionException;

class RedisCallsTest {
    @Test
    void an_exception_whose_causes_and_suppressed_ones_form_a_cycle_is_reported_as_unavailable() {
        var lost = new JedisConnectionException("Unexpected end of stream.", new SocketTimeoutException("Read timed out"));
        var pool = new JedisConnectionException("Could not get a resource from the pool", lost);
        lost.addSuppressed(pool); // as seen during a Sentinel failover: it overflowed the stack once

        assertThatThrownBy(() -> RedisCalls.call(() -> { throw pool; }))
                .isInstanceOf(StoreUnavailable.class)
                .hasMessageContaining("a change may not have been recorded");
    }
}
