package org.countersign.matrix.fake;

/** A fault the fake answers with instead of doing the call, armed by {@link FakeHomeserver#failNext}. */
public sealed interface Failure {

    /** HTTP 429 {@code M_LIMIT_EXCEEDED} with {@code retry_after_ms} and {@code Retry-After} (rounded up), as v1.10+. */
    static Failure rateLimited(long retryAfterMs) {
        return new RateLimited(retryAfterMs, true, true);
    }

    /** HTTP 429 {@code M_LIMIT_EXCEEDED} with {@code retry_after_ms} only, as homeservers before spec v1.10. */
    static Failure rateLimitedBodyOnly(long retryAfterMs) {
        return new RateLimited(retryAfterMs, false, true);
    }

    /** HTTP 429 {@code M_LIMIT_EXCEEDED} with a {@code Retry-After: seconds} header only. */
    static Failure rateLimitedHeaderOnly(long retryAfterSeconds) {
        return new RateLimited(retryAfterSeconds * 1000, true, false);
    }

    /** HTTP 401 {@code M_UNKNOWN_TOKEN} with {@code soft_logout: false}, the token itself stays valid. */
    static Failure unknownToken() {
        return new UnknownToken(false);
    }

    /** HTTP 401 {@code M_UNKNOWN_TOKEN} with {@code soft_logout: true}. */
    static Failure softLogout() {
        return new UnknownToken(true);
    }

    /** HTTP 502 with an HTML body, as a reverse proxy answers when the homeserver behind it is down. */
    static Failure down() {
        return new Down();
    }

    /** The connection is closed before any response is written. */
    static Failure disconnect() {
        return new Disconnect();
    }

    record RateLimited(long retryAfterMs, boolean header, boolean body) implements Failure {
        public RateLimited {
            if (retryAfterMs < 0) throw new IllegalArgumentException("retryAfterMs < 0: " + retryAfterMs);
        }
    }

    record UnknownToken(boolean softLogout) implements Failure {}

    record Down() implements Failure {}

    record Disconnect() implements Failure {}
}
