package org.countersign.app;

import java.time.Duration;
import java.util.Optional;

/**
 * Holds back a caller who acts too often, and says so once per window: answering every refused attempt of a
 * flood would make the bot part of the flood.
 */
public final class Throttle {
    private final RateLimiter limiter;
    private final RateLimiter.Limit limit;
    private final KeyValues kv;

    public Throttle(RateLimiter limiter, RateLimiter.Limit limit, KeyValues kv) {
        this.limiter = limiter;
        this.limit = limit;
        this.kv = kv;
    }

    /** A throttle that never holds anyone back. */
    public static Throttle none() {
        return new Throttle(RateLimiter.NONE, new RateLimiter.Limit("none", 1, Duration.ofSeconds(1)), null);
    }

    /** What the caller hears when refused: the first refusal of a window, with the wait. */
    public sealed interface Verdict {}

    public record Allowed() implements Verdict {}

    /** Refused; {@code tell} is false when the caller was already told in this window. */
    public record Refused(Duration retryAfter, boolean tell) implements Verdict {
        public String message() {
            long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
            return "Slow down: too many actions in a short time. Nothing was recorded; try again in " + seconds + " s.";
        }
    }

    public Verdict check(String caller) {
        Optional<Duration> wait;
        try {
            wait = limiter.tryAcquire(caller, limit);
        } catch (StoreUnavailable e) {
            // Without Redis nothing can be recorded anyway: let the action through to say so properly.
            return new Allowed();
        }
        return verdict(caller, wait);
    }

    /** A read that counts the action with {@code limiter} as it reads (a list: {@code RequestService.recent}). */
    @FunctionalInterface
    public interface CountingRead<T> {
        RateLimiter.Counted<T> read(RateLimiter limiter, String caller, RateLimiter.Limit limit);
    }

    /** The verdict, and what was read when allowed (null when refused). */
    public record Checked<T>(Verdict verdict, T value) {}

    /**
     * {@link #check}, with {@code read} done alongside the count: a read that asks nothing of anyone can go in the same
     * round trip. Refused, what it read is not handed out. A store that is down fails the read, which says so.
     */
    public <T> Checked<T> check(String caller, CountingRead<T> read) {
        var counted = read.read(limiter, caller, limit);
        var verdict = verdict(caller, counted.retryAfter());
        return new Checked<>(verdict, verdict instanceof Allowed ? counted.value() : null);
    }

    private Verdict verdict(String caller, Optional<Duration> wait) {
        if (wait.isEmpty()) return new Allowed();
        boolean tell = kv == null || kv.putIfAbsent("throttle-told:" + limit.name() + ":" + caller, "1", wait.get());
        return new Refused(wait.get(), tell);
    }
}
