package org.countersign.app;

import java.time.Duration;
import java.util.Optional;

/** Limits how often one caller (a Slack user, a Matrix user, an address) may act; counted where every instance sees it. */
public interface RateLimiter {
    /**
     * Counts one action of {@code caller} under {@code limit}; empty when allowed, else how long to wait.
     */
    Optional<Duration> tryAcquire(String caller, Limit limit);

    /** At most {@code count} actions per {@code window}. */
    record Limit(String name, int count, Duration window) {
        public Limit {
            if (count < 1) throw new IllegalArgumentException("limit " + name + " count < 1: " + count);
            if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("limit " + name + " window <= 0");
        }
    }

    /**
     * What a read done with a count ({@link RequestStore#recent(java.util.Set, int, RateLimiter, String, Limit)}) says:
     * how long to wait when the count was refused, and then nothing was read; else what was read.
     */
    record Counted<T>(Optional<Duration> retryAfter, T value) {
        public static <T> Counted<T> held(Duration wait) { return new Counted<>(Optional.of(wait), null); }

        public static <T> Counted<T> read(T value) { return new Counted<>(Optional.empty(), value); }

        /** What was read, made into {@code U}; held stays held, and nothing is made. */
        public <U> Counted<U> map(java.util.function.Function<T, U> make) {
            return retryAfter.isPresent() ? held(retryAfter.get()) : read(make.apply(value));
        }
    }

    /** A limiter that allows everything (for wiring where limits are off). */
    RateLimiter NONE = (caller, limit) -> Optional.empty();
}
