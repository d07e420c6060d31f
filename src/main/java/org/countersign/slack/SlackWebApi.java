package org.countersign.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.Gson;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.util.json.GsonFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.countersign.app.StreamConsumer.RetryLater;
import org.countersign.app.Telemetry;
import org.countersign.app.Telemetry.ApiError;

/**
 * The few Web API methods the card path calls ({@code chat.postMessage}, {@code chat.update},
 * {@code chat.postEphemeral}, {@code conversations.history}) as JSON over {@code java.net.http}, read with one shared Jackson mapper: the SDK builds a
 * Gson for every response, half of the card publisher's time. Failures mean what they mean in {@link SlackCalls}: 429
 * (Retry-After) and {@code ratelimited}, 5xx or no answer are {@link RetryLater}; another error is an exception; each is
 * counted as {@link SlackApiErrors} counts the SDK's. Before each call it waits for Slack's pace ({@link SlackPace}).
 */
final class SlackWebApi {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    static final int HISTORY_PAGE = 100;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Block Kit objects are the SDK's: written once each with one Gson the SDK configures, as the SDK writes them. */
    private static final Gson BLOCKS = GsonFactory.createSnakeCase();

    private final HttpClient http;
    private final String apiUrl;
    private final String authorization;
    private final Telemetry telemetry;
    private final SlackPace pace;

    SlackWebApi(String apiUrl, String botToken, Telemetry telemetry, SlackPace pace) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
        this.apiUrl = apiUrl.endsWith("/") ? apiUrl : apiUrl + "/";
        this.authorization = "Bearer " + botToken;
        this.telemetry = telemetry;
        this.pace = pace;
    }

    /** A message with Block Kit blocks; returns Slack's answer ({@code channel}, {@code ts}). */
    JsonNode postMessage(String channel, List<LayoutBlock> blocks, String text, String threadTs) {
        return call("chat.postMessage", channel, post(channel, blocks, text, threadTs));
    }

    /** A card: a message with blocks and {@code metadata} ({@code event_type}, {@code event_payload}). */
    JsonNode postCard(String channel, List<LayoutBlock> blocks, String text, ObjectNode metadata) {
        var body = post(channel, blocks, text, null);
        body.set("metadata", metadata);
        return call("chat.postMessage", channel, body);
    }

    private ObjectNode post(String channel, List<LayoutBlock> blocks, String text, String threadTs) {
        var body = message(channel, text).put("unfurl_links", false);
        if (blocks != null) body.set("blocks", blocks(blocks));
        if (threadTs != null) body.put("thread_ts", threadTs);
        return body;
    }

    /**
     * One page of the channel's top-level messages posted after {@code oldest} (a Slack ts), newest first, each with
     * its metadata; {@code cursor} is the previous page's {@code next_cursor}, or null for the first page.
     */
    JsonNode history(String channel, String oldest, String cursor) {
        var body = JSON.createObjectNode().put("channel", channel).put("oldest", oldest)
                .put("include_all_metadata", true).put("limit", HISTORY_PAGE);
        if (cursor != null) body.put("cursor", cursor);
        return call("conversations.history", channel, body);
    }

    JsonNode update(String channel, String ts, List<LayoutBlock> blocks, String text) {
        var body = message(channel, text).put("ts", ts);
        body.set("blocks", blocks(blocks));
        return call("chat.update", channel, body);
    }

    JsonNode postEphemeral(String channel, String user, String text) {
        return call("chat.postEphemeral", channel, message(channel, text).put("user", user));
    }

    private static ObjectNode message(String channel, String text) {
        return JSON.createObjectNode().put("channel", channel).put("text", text);
    }

    private static JsonNode blocks(List<LayoutBlock> blocks) {
        try {
            return JSON.readTree(BLOCKS.toJson(blocks));
        } catch (IOException e) {
            throw new IllegalStateException("Block Kit blocks are not JSON", e);
        }
    }

    /** Slack's answer when it said ok; else {@link RetryLater} or an exception, as {@link SlackCalls} says. */
    JsonNode call(String method, String channel, ObjectNode body) {
        pace.await(method, channel);
        var request = HttpRequest.newBuilder(URI.create(apiUrl + method)).timeout(CALL_TIMEOUT)
                .header("Content-Type", "application/json; charset=utf-8").header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            telemetry.apiError("slack", ApiError.UNAVAILABLE);
            throw new RetryLater("Slack cannot be reached for " + method + " (" + e.getMessage() + ")", SlackCalls.WHEN_DOWN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryLater("interrupted while calling Slack's " + method, SlackCalls.WHEN_DOWN);
        }
        int code = response.statusCode();
        if (code == 429) {
            telemetry.apiError("slack", ApiError.RATE_LIMITED);
            var wait = SlackCalls.retryAfter(response.headers().firstValue("Retry-After").orElse(null));
            pace.limited(method, channel, wait);
            throw new RetryLater("Slack rate-limits " + method, wait);
        }
        if (code >= 500) {
            telemetry.apiError("slack", ApiError.UNAVAILABLE);
            throw new RetryLater("Slack answers " + method + " with HTTP " + code, SlackCalls.WHEN_DOWN);
        }
        if (code != 200) {
            telemetry.apiError("slack", ApiError.REFUSED);
            throw new IllegalStateException(method + " failed with HTTP " + code);
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (IOException e) {
            telemetry.apiError("slack", ApiError.REFUSED);
            throw new IllegalStateException(method + " answered with something that is not JSON", e);
        }
        if (answer.path("ok").asBoolean(false)) return answer;
        var error = answer.path("error").asText("unknown_error");
        if ("ratelimited".equals(error)) {
            telemetry.apiError("slack", ApiError.RATE_LIMITED);
            pace.limited(method, channel, Duration.ofSeconds(1));
            throw new RetryLater("Slack rate-limits " + method, Duration.ofSeconds(1));
        }
        telemetry.apiError("slack", ApiError.REFUSED);
        throw new Refused(method, error);
    }

    /** Slack answered {@code ok: false} with {@code error} (not a rate limit): retrying will not help. */
    static final class Refused extends IllegalStateException {
        private final String error;

        Refused(String method, String error) {
            super(method + " failed: " + error);
            this.error = error;
        }

        String error() { return error; }
    }
}
