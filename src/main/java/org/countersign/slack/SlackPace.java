package org.countersign.slack;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.countersign.app.StreamConsumer.RetryLater;

/**
 * Slack's limits as Slack tells them, kept apart where Slack keeps them apart: after a 429 (Retry-After) or a
 * {@code ratelimited}, calls that share the limit wait until it passes, and no others. {@code chat.postMessage} and
 * {@code chat.postEphemeral} are limited per channel (about one message a second in each, short bursts allowed), so one
 * busy channel does not hold up another; {@code chat.update} and every other method per workspace (Tier 3: 50+ a
 * minute). See docs.slack.dev/apis/web-api/rate-limits.
 */
final class SlackPace {
    private final ConcurrentHashMap<String, Long> blockedUntil = new ConcurrentHashMap<>();
    private final LongSupplier nanos;

    SlackPace() { this(System::nanoTime); }

    SlackPace(LongSupplier nanos) { this.nanos = nanos; }

    /** The limit a call of {@code method} in {@code channel} counts against. */
    static String limitOf(String method, String channel) {
        return switch (method) {
            case "chat.postMessage", "chat.postEphemeral" -> method + " " + channel;
            default -> method.toLowerCase(Locale.ROOT);
        };
    }

    /** Returns at once when the call may go; else {@link RetryLater} for what is left of Slack's wait. */
    void await(String method, String channel) {
        var until = blockedUntil.get(limitOf(method, channel));
        if (until == null) return;
        long left = until - nanos.getAsLong();
        if (left <= 0) {
            blockedUntil.remove(limitOf(method, channel), until);
            return;
        }
        throw new RetryLater("Slack asked to wait before more " + method + " in " + channel,
                Duration.ofNanos(left).plusMillis(1));
    }

    /** Slack refused a call of {@code method} in {@code channel} for {@code wait}. */
    void limited(String method, String channel, Duration wait) {
        long until = nanos.getAsLong() + wait.toNanos();
        blockedUntil.merge(limitOf(method, channel), until, Math::max);
    }
}
