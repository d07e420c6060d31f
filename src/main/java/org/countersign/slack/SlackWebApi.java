package org.countersign.slack;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import com.slack.api.model.block.LayoutBlock;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.countersign.app.StreamConsumer.RetryLater;
import org.countersign.app.Telemetry;
import org.countersign.app.Telemetry.ApiError;

/**
 * The few Web API methods the card path calls ({@code chat.postMessage}, {@code chat.update},
 * {@code chat.postEphemeral}, {@code conversations.history}) as JSON over OkHttp, read with one shared Jackson mapper:
 * the SDK builds a Gson for every response, half of the card publisher's time. OkHttp (the SDK's own HTTP client)
 * runs a call on the calling lane's thread; {@code java.net.http} hands every call through futures and its own
 * threads, which the profile showed to be 40% of the card pipeline's CPU. Failures mean what they mean in {@link SlackCalls}: 429
 * (Retry-After) and {@code ratelimited}, 5xx or no answer are {@link RetryLater}; another error is an exception; each is
 * counted as {@link SlackApiErrors} counts the SDK's. Before each call it waits for Slack's pace ({@link SlackPace}).
 */
final class SlackWebApi {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    static final int HISTORY_PAGE = 100;
    /** Connections kept open to Slack: one per card lane, and a few for the rest. */
    static final int KEEP_ALIVE = 16;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType JSON_BODY = MediaType.get("application/json; charset=utf-8");

    private final OkHttpClient http;
    private final Map<String, HttpUrl> urls = new ConcurrentHashMap<>();
    private final String apiUrl;
    private final String authorization;
    private final Telemetry telemetry;
    private final SlackPace pace;

    SlackWebApi(String apiUrl, String botToken, Telemetry telemetry, SlackPace pace) {
        // Never resent by OkHttp itself: a post whose answer was lost may have been made, and the card publisher
        // (which asks Slack first, CardSurface.find) decides whether to post again. Idle connections are dropped
        // before servers and proxies commonly drop them, so a call seldom meets a closed one.
        this.http = new OkHttpClient.Builder().connectTimeout(CONNECT_TIMEOUT).callTimeout(CALL_TIMEOUT)
                .retryOnConnectionFailure(false).connectionPool(new ConnectionPool(KEEP_ALIVE, 30, TimeUnit.SECONDS))
                .build();
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
        if (blocks != null) body.putRawValue("blocks", blocks(blocks));
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
        body.putRawValue("blocks", blocks(blocks));
        return call("chat.update", channel, body);
    }

    JsonNode postEphemeral(String channel, String user, String text) {
        return call("chat.postEphemeral", channel, message(channel, text).put("user", user));
    }

    private static ObjectNode message(String channel, String text) {
        return JSON.createObjectNode().put("channel", channel).put("text", text);
    }

    /** The SDK's Block Kit objects as the SDK writes them (BlockKitJson), straight into the body. */
    private static RawValue blocks(List<LayoutBlock> blocks) {
        return new RawValue(BlockKitJson.write(blocks));
    }

    /**
     * The top-level values of an answer ({@code ok}, {@code error}, {@code channel}, {@code ts}…) without its objects
     * and arrays: Slack echoes the whole message back (blocks and all), which the card path never reads. Read from the
     * answer's bytes: no String is decoded, and Jackson reads UTF-8 fastest.
     */
    static ObjectNode scalars(byte[] text) throws IOException {
        var node = JSON.createObjectNode();
        try (var parser = JSON.getFactory().createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) throw new JsonParseException(parser, "not a JSON object");
            FlatJson.values(parser, JsonToken.START_OBJECT, node::put);
        }
        return node;
    }

    /** Slack's answer when it said ok; else {@link RetryLater} or an exception, as {@link SlackCalls} says. */
    JsonNode call(String method, String channel, ObjectNode body) {
        pace.await(method, channel);
        var url = urls.computeIfAbsent(method, m -> HttpUrl.get(apiUrl + m));
        Request request;
        try {
            // Uncompressed: an answer is a few kB, and inflating it (OkHttp asks for gzip unless told) was a twentieth
            // of a card's CPU, and deflating it as much of Slack's.
            request = new Request.Builder().url(url).header("Authorization", authorization)
                    .header("Accept-Encoding", "identity").post(RequestBody.create(JSON.writeValueAsBytes(body), JSON_BODY)).build();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the body of " + method, e);
        }
        int code;
        String retryAfter;
        byte[] text;
        try (var response = http.newCall(request).execute()) {
            code = response.code();
            retryAfter = response.header("Retry-After");
            text = response.body() == null ? new byte[0] : response.body().bytes();
        } catch (IOException e) {
            telemetry.apiError("slack", ApiError.UNAVAILABLE);
            throw new RetryLater("Slack cannot be reached for " + method + " (" + e.getMessage() + ")", SlackCalls.WHEN_DOWN);
        }
        if (code == 429) {
            telemetry.apiError("slack", ApiError.RATE_LIMITED);
            var wait = SlackCalls.retryAfter(retryAfter);
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
            answer = "conversations.history".equals(method) ? JSON.readTree(text) : scalars(text);
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
