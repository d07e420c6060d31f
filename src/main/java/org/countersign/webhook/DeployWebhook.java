package org.countersign.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.countersign.app.KeyValues;
import org.countersign.app.RequestService;
import org.countersign.domain.Actor;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Outcome;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Outcome.Refused;
import org.countersign.domain.Outcome.Unchanged;
import org.countersign.domain.Platform;
import org.countersign.domain.RequestId;

/**
 * {@code POST /webhooks/deploy}: the deploy pipeline reports a deploy step, signed like outbound webhooks with
 * INBOUND_WEBHOOK_SECRET, or with the Standard Webhooks scheme ({@link StandardWebhooks}, a {@code whsec_} secret), which
 * also signs the delivery id. Body {@code {"request":"EMG-12","status":"started|succeeded|failed|rolled_back",
 * "url":"…","note":"…"}}. 200 when recorded (or already so); the same {@code Countersign-Delivery} (or
 * {@code webhook-id}) again gets the first answer and changes nothing; 401 bad or old signature; 400 input a person can
 * fix; 404 no such request; 409 the request's state does not allow it, with the reason.
 */
public final class DeployWebhook implements Consumer<RoutesConfig> {
    public static final String PATH = "/webhooks/deploy";
    /** Who reports deploy steps that come in by webhook, as the timeline shows it. */
    public static final Actor PIPELINE = new Actor(Platform.WEBHOOK, "deploy");
    static final Duration DELIVERY_MEMORY = Duration.ofDays(1);
    static final int DELIVERY_ID_MAX = 200;
    static final String STATUSES = "started, succeeded, failed or rolled_back";
    private static final String IN_FLIGHT = "in-flight";

    private final RequestService service;
    private final KeyValues kv;
    private final Secret secret;
    private final Clock clock;

    public DeployWebhook(RequestService service, KeyValues kv, String secret, Clock clock) {
        this.service = service;
        this.kv = kv;
        this.secret = Secret.of(secret);
        this.clock = clock;
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.post(PATH, this::handle);
    }

    private void handle(Context ctx) {
        var body = ctx.bodyAsBytes();
        var delivery = ctx.header(StandardWebhooks.SIGNATURE) != null ? standardDelivery(ctx, body) : delivery(ctx, body);
        if (delivery == null) return; // answered
        if (delivery.isBlank() || delivery.length() > DELIVERY_ID_MAX) {
            answer(ctx, 400, error("Missing " + Signature.DELIVERY + " header: give each report a unique id (up to "
                    + DELIVERY_ID_MAX + " characters) and the same id when you retry it"));
            return;
        }
        var key = "webhook:deploy:delivery:" + delivery.strip();
        if (!kv.putIfAbsent(key, IN_FLIGHT, DELIVERY_MEMORY)) {
            var first = kv.get(key).orElse(IN_FLIGHT);
            if (first.equals(IN_FLIGHT)) answer(ctx, 409, error("Delivery " + delivery + " is being handled right now; "
                    + "retry it in a moment"));
            else ctx.status(200).contentType("application/json").result(first);
            return;
        }
        Answer answer;
        try {
            answer = report(body);
        } catch (RuntimeException e) {
            kv.delete(key);
            throw e;
        }
        // Only what was recorded is remembered: a refused report may succeed when sent again later.
        if (answer.status() == 200) kv.put(key, answer.json(), DELIVERY_MEMORY);
        else kv.delete(key);
        answer(ctx, answer.status(), answer.json());
    }

    /** The delivery id of a report signed with {@link Signature}'s scheme (the id is not signed); null when answered. */
    private String delivery(Context ctx, byte[] body) {
        if (ctx.header(Signature.TIMESTAMP) == null || ctx.header(Signature.SIGNATURE) == null) {
            answer(ctx, 401, error("Missing " + Signature.TIMESTAMP + " or " + Signature.SIGNATURE + " header (or "
                    + StandardWebhooks.SIGNATURE + "); sign the request with INBOUND_WEBHOOK_SECRET"));
            return null;
        }
        if (!Signature.verify(secret, ctx.header(Signature.TIMESTAMP), ctx.header(Signature.SIGNATURE), body, clock.instant())) {
            answer(ctx, 401, error("Invalid signature, or a timestamp more than " + Signature.TOLERANCE.toMinutes()
                    + " minutes away; sign timestamp + \".\" + body with HMAC-SHA256 and INBOUND_WEBHOOK_SECRET"));
            return null;
        }
        var delivery = ctx.header(Signature.DELIVERY);
        return delivery == null ? "" : delivery;
    }

    /** The webhook-id of a report signed with {@link StandardWebhooks}, which the signature covers; null when answered. */
    private String standardDelivery(Context ctx, byte[] body) {
        var key = StandardWebhooks.key(secret);
        if (key.isEmpty()) {
            answer(ctx, 401, error("INBOUND_WEBHOOK_SECRET is not a Standard Webhooks secret (whsec_ and base64), so "
                    + StandardWebhooks.SIGNATURE + " cannot be checked; sign with " + Signature.SIGNATURE + " instead"));
            return null;
        }
        var id = ctx.header(StandardWebhooks.ID);
        if (!StandardWebhooks.verify(key.get(), id, ctx.header(StandardWebhooks.TIMESTAMP),
                ctx.header(StandardWebhooks.SIGNATURE), body, clock.instant())) {
            answer(ctx, 401, error("Invalid " + StandardWebhooks.SIGNATURE + ", a missing " + StandardWebhooks.ID
                    + " or a " + StandardWebhooks.TIMESTAMP + " more than " + Signature.TOLERANCE.toMinutes()
                    + " minutes away; sign id + \".\" + timestamp + \".\" + body with the whsec_ key"));
            return null;
        }
        return id;
    }

    private Answer report(byte[] body) {
        JsonNode json;
        try {
            json = WebhookJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return new Answer(400, error("The body is not JSON (" + e.getOriginalMessage() + "); send "
                    + "{\"request\":\"EMG-12\",\"status\":\"succeeded\",\"url\":\"…\",\"note\":\"…\"}"));
        } catch (java.io.IOException e) {
            return new Answer(400, error("The body could not be read"));
        }
        if (json == null || !json.isObject())
            return new Answer(400, error("The body must be a JSON object such as {\"request\":\"EMG-12\",\"status\":\"succeeded\"}"));
        var rawId = text(json, "request");
        if (rawId == null) return new Answer(400, error("\"request\" is missing: give the request id, such as \"EMG-12\""));
        var id = RequestId.parse(rawId);
        if (id.isEmpty()) return new Answer(400, error("\"" + rawId + "\" is not a request id; use the form EMG-12"));
        var status = text(json, "status");
        if (status == null) return new Answer(400, error("\"status\" is missing: use " + STATUSES));
        var url = text(json, "url");
        var note = text(json, "note");
        for (var field : new String[] {"url", "note"})
            if (json.has(field) && !json.get(field).isNull() && !json.get(field).isTextual())
                return new Answer(400, error("\"" + field + "\" must be text"));
        Outcome outcome;
        if (status.equalsIgnoreCase("started")) {
            outcome = service.startDeploy(id.get(), PIPELINE);
        } else {
            var result = DeployResult.parse(status);
            if (result.isEmpty()) return new Answer(400, error("Unknown status \"" + status + "\"; use " + STATUSES));
            outcome = service.finishDeploy(id.get(), PIPELINE, result.get(), deployNote(note, url));
        }
        if (outcome instanceof Applied a) return ok(a.request().id(), a.request().state().name(), a.message());
        if (outcome instanceof Unchanged u) return ok(u.request().id(), u.request().state().name(), u.message());
        var refused = (Refused) outcome;
        return new Answer(switch (refused.kind()) {
            case NOT_FOUND -> 404;
            case WRONG_STATE -> 409;
            case NOT_ALLOWED -> 403;
            case INVALID -> 400;
        }, error(refused.message()));
    }

    /** The note the timeline keeps: the pipeline's note, then where to see the run. */
    static String deployNote(String note, String url) {
        if (note == null) return url;
        return url == null ? note : note + " (" + url + ")";
    }

    private static String text(JsonNode json, String field) {
        var node = json.get(field);
        if (node == null || !node.isTextual() || node.textValue().isBlank()) return null;
        return node.textValue().strip();
    }

    private static Answer ok(RequestId id, String state, String message) {
        var body = new LinkedHashMap<String, Object>();
        body.put("request", id.toString());
        body.put("state", state);
        body.put("message", message);
        return new Answer(200, json(body));
    }

    private static String error(String message) { return json(Map.of("error", message)); }

    private static String json(Map<String, ?> body) {
        return new String(WebhookJson.bytes(body), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void answer(Context ctx, int status, String json) {
        ctx.status(status).contentType("application/json").result(json);
    }

    private record Answer(int status, String json) {}
}
