package org.countersign.slack;

import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import java.io.IOException;
import java.time.Duration;
import org.countersign.app.StreamConsumer.RetryLater;

/** Calls Slack's Web API and says what a failure means for the events consumer: wait and retry, or give up. */
final class SlackCalls {
    static final Duration WHEN_DOWN = Duration.ofSeconds(2);

    private SlackCalls() {}

    @FunctionalInterface
    interface Call<T extends SlackApiTextResponse> {
        T run() throws IOException, SlackApiException;
    }

    /** The response when Slack said ok; {@link RetryLater} for a rate limit or an outage; else an error to retry a few times. */
    static <T extends SlackApiTextResponse> T call(String method, Call<T> call) { return call(method, call, null); }

    /** As {@link #call(String, Call)}, but Slack's error {@code expected} comes back as the (not ok) response. */
    static <T extends SlackApiTextResponse> T call(String method, Call<T> call, String expected) {
        T response;
        try {
            response = call.run();
        } catch (SlackApiException e) {
            int code = e.getResponse().code();
            if (code == 429) throw new RetryLater("Slack rate-limits " + method, retryAfter(e));
            if (code >= 500) throw new RetryLater("Slack answers " + method + " with HTTP " + code, WHEN_DOWN);
            throw new IllegalStateException(method + " failed with HTTP " + code, e);
        } catch (IOException e) {
            throw new RetryLater("Slack cannot be reached for " + method + " (" + e.getMessage() + ")", WHEN_DOWN);
        }
        if (response.isOk() || (expected != null && expected.equals(response.getError()))) return response;
        if ("ratelimited".equals(response.getError()))
            throw new RetryLater("Slack rate-limits " + method, Duration.ofSeconds(1));
        throw new IllegalStateException(method + " failed: " + response.getError());
    }

    private static Duration retryAfter(SlackApiException e) { return retryAfter(e.getResponse().header("Retry-After")); }

    /** Slack's Retry-After in seconds, at least 1 s; 1 s when it is missing or not a number. */
    static Duration retryAfter(String header) {
        try {
            return Duration.ofSeconds(Math.max(1, Long.parseLong(header == null ? "1" : header.strip())));
        } catch (NumberFormatException bad) {
            return Duration.ofSeconds(1);
        }
    }
}
