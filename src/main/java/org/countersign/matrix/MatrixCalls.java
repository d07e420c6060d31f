package org.countersign.matrix;

import java.time.Duration;
import java.util.function.Supplier;
import org.countersign.app.StreamConsumer.RetryLater;

/** Says what a Matrix failure means for the events consumer: wait and retry, or an error to retry a few times. */
final class MatrixCalls {
    static final Duration WHEN_DOWN = Duration.ofSeconds(2);

    private MatrixCalls() {}

    static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (MatrixException e) {
            if (e.kind() == MatrixException.Kind.RATE_LIMITED)
                throw new RetryLater("the homeserver rate-limits " + what, e.retryAfter().orElse(Duration.ofSeconds(1)));
            if (e.kind() == MatrixException.Kind.UNAVAILABLE)
                throw new RetryLater("the homeserver cannot " + what + " now (" + e.getMessage() + ")", WHEN_DOWN);
            throw e;
        }
    }
}
