package org.countersign.app;

/**
 * What the adapters count for the metrics: calls to a chat platform that did not succeed, and webhook deliveries by
 * outcome. Counting never throws and never slows the call it counts.
 */
public interface Telemetry {
    Telemetry NONE = new Telemetry() {};

    /** A platform API call failed. */
    enum ApiError {
        /** HTTP 429, Slack's {@code ratelimited} or Matrix's {@code M_LIMIT_EXCEEDED}. */
        RATE_LIMITED("rate_limited"),
        /** No answer, a timeout or HTTP 5xx. */
        UNAVAILABLE("unavailable"),
        /** Any other refusal: HTTP 4xx, Slack's {@code ok: false}, a Matrix error. */
        REFUSED("refused");

        private final String label;

        ApiError(String label) { this.label = label; }

        public String label() { return label; }
    }

    /** How one try of a webhook delivery ended. */
    enum Delivery {
        /** 2xx. */
        DELIVERED("delivered"),
        /** 429: tried again after its Retry-After (or backoff). */
        RATE_LIMITED("rate_limited"),
        /** 408, 5xx, a timeout or no connection: tried again with backoff. */
        FAILED("failed"),
        /** Any other answer: dead-lettered at once. */
        REJECTED("rejected");

        private final String label;

        Delivery(String label) { this.label = label; }

        public String label() { return label; }
    }

    /** {@code platform} ({@code slack}, {@code matrix}) answered a call with {@code error}. */
    default void apiError(String platform, ApiError error) {}

    /** One try of delivering an event to the integration {@code integration} ended so. */
    default void delivery(String integration, Delivery outcome) {}

    /** The answer to a press on {@code platform} waited {@code nanos} behind its card pipeline ({@link CardBacklog}). */
    default void answerWaited(String platform, long nanos) {}
}
