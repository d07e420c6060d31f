package org.countersign.slack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.app_backend.SlackSignature;
import com.slack.api.bolt.App;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.util.SlackRequestParser;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.countersign.app.CardBacklog;
import org.countersign.app.StoreUnavailable;
import org.countersign.chat.LastMade;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /slack/events}: the one Request URL for slash commands, interactivity and the Events API. A body over
 * {@link #MAX_BODY} is refused unread; then the signature is checked ({@link SlackRequestSignature}). What Slack sends
 * most under pressure is answered directly: an approve button ({@link ApproveClick}), once the card pipeline has room
 * ({@link CardBacklog}), and {@code /emergency} ({@link SlashCommand}); everything else Bolt parses and runs, and its
 * status, headers and body are copied back.
 */
public final class SlackEndpoint implements Consumer<RoutesConfig> {
    public static final String PATH = "/slack/events";
    /** Slack's largest payloads (a view submission of a long form) are a few kB; nothing bigger is hashed. */
    static final int MAX_BODY = 128 * 1024;
    private static final Logger log = LoggerFactory.getLogger(SlackEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SlackApp app;
    private final App bolt;
    private final SlackRequestParser parser;
    private final SlackRequestSignature signature;
    private final LongSupplier nowMillis;
    private final CardBacklog cards;

    /** @param cards the Slack card pipeline's backlog, which the answer to an approve press waits behind */
    public SlackEndpoint(SlackApp app, String signingSecret, LongSupplier nowMillis, CardBacklog cards) {
        this.app = app;
        this.cards = cards;
        this.bolt = app.bolt();
        this.parser = new SlackRequestParser(bolt.config());
        this.signature = new SlackRequestSignature(signingSecret);
        this.nowMillis = nowMillis;
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.post(PATH, this::handle);
    }

    private void handle(Context ctx) throws Exception {
        // Read first (Javalin caps a body at 1 MB): answering before the body is read makes the server drop the
        // connection under a client still sending, which then hears no answer at all.
        var raw = ctx.bodyAsBytes();
        if (raw.length > MAX_BODY) {
            tooLarge(ctx);
            return;
        }
        var timestamp = ctx.header(SlackSignature.HeaderNames.X_SLACK_REQUEST_TIMESTAMP);
        var signature = ctx.header(SlackSignature.HeaderNames.X_SLACK_SIGNATURE);
        if (timestamp == null || signature == null) {
            error(ctx, 401, "Missing Slack signature headers (X-Slack-Signature, X-Slack-Request-Timestamp)");
            return;
        }
        if (!this.signature.valid(timestamp, signature, raw, nowMillis.getAsLong())) {
            error(ctx, 401, "Invalid Slack signature, or a timestamp more than 5 minutes away");
            return;
        }
        var click = ApproveClick.read(raw);
        if (click.isPresent()) {
            app.approve(click.get());
            var turn = cards.turn();
            if (turn.isDone()) ctx.status(200).result("");
            else ctx.future(() -> turn.thenRun(() -> ctx.status(200).result("")));
            return;
        }
        var typed = SlashCommand.Typed.read(raw);
        if (typed.isPresent() && SlackApp.COMMAND.equals(typed.get().command())) {
            command(ctx, typed.get());
            return;
        }
        var body = new String(raw, StandardCharsets.UTF_8);
        com.slack.api.bolt.request.Request<?> request;
        try {
            Map<String, List<String>> headers = new HashMap<>();
            ctx.headerMap().forEach((name, value) -> headers.put(name, List.of(value)));
            request = parser.parse(SlackRequestParser.HttpRequest.builder()
                    .requestUri(ctx.path())
                    .queryString(Map.of())
                    .headers(new RequestHeaders(headers))
                    .requestBody(body)
                    .remoteAddress(ctx.ip())
                    .build());
        } catch (RuntimeException e) {
            // The parser only reads what was sent, so whatever it throws (Gson throws several kinds) is the payload's
            // fault; the answer does not name the exception, which would tell a prober what we run.
            log.info("unreadable Slack payload: {}", e.toString());
            error(ctx, 400, "The Slack payload could not be read");
            return;
        }
        if (request == null) {
            error(ctx, 400, "Not a Slack request Countersign understands (slash command, interaction or event)");
            return;
        }
        com.slack.api.bolt.response.Response response;
        try {
            response = bolt.run(request);
        } catch (StoreUnavailable e) {
            throw e; // 503, mapped by the web app
        } catch (RuntimeException e) {
            // Bolt's middleware and our listeners read fields Slack always sends; a signed payload without them
            // is malformed, not a fault of ours. Logged with its trace in case it is ours after all.
            log.warn("Slack payload Bolt could not handle ({})", request.getRequestType(), e);
            error(ctx, 400, "The Slack payload lacks fields Countersign needs");
            return;
        }
        ctx.status(response.getStatusCode());
        if (response.getHeaders() != null)
            response.getHeaders().forEach((name, values) -> values.forEach(v -> ctx.header(name, v)));
        if (response.getContentType() != null) ctx.contentType(response.getContentType());
        ctx.result(response.getBody() == null ? "" : response.getBody());
    }

    /** {@code /emergency …}, answered as Bolt's {@code ctx.ack} would: JSON with the ephemeral text, or an empty 200. */
    private void command(Context ctx, SlashCommand.Typed typed) {
        var lacking = typed.lacking();
        if (lacking.isPresent()) {
            error(ctx, 400, "The slash command lacks its " + lacking.get() + "; Slack always sends it");
            return;
        }
        Optional<String> say;
        try {
            say = app.command(typed);
        } catch (StoreUnavailable e) {
            throw e; // 503, mapped by the web app
        } catch (RuntimeException e) {
            // Its fields were all there, so this is a fault of ours: logged with its trace, and answered without it.
            log.warn("Slack slash command Countersign could not handle", e);
            error(ctx, 400, "Countersign could not handle this slash command; its log says why");
            return;
        }
        if (say.isEmpty()) {
            ctx.status(200).result("");
            return;
        }
        ctx.status(200).contentType("application/json; charset=utf-8").result(ANSWERS.of(say.get()));
    }

    /** A list asked for again is the same text: its answer encoded once (Javalin only reads the bytes it is given). */
    private static final LastMade<String, byte[]> ANSWERS = new LastMade<>(SlackEndpoint::ephemeral);

    /** Bolt's {@code ctx.ack(text)}: {@code {"response_type":"ephemeral","text":…}}. */
    private static byte[] ephemeral(String text) {
        var answer = new LinkedHashMap<String, String>();
        answer.put("response_type", "ephemeral");
        answer.put("text", text);
        try {
            return JSON.writeValueAsBytes(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("two strings always encode", e);
        }
    }

    private static void tooLarge(Context ctx) {
        error(ctx, 413, "The body is larger than " + MAX_BODY / 1024 + " kB, more than Slack ever sends; nothing was read");
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message));
    }
}
