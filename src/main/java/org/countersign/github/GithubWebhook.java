package org.countersign.github;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.countersign.app.KeyValues;
import org.countersign.domain.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /webhooks/github}: the GitHub App's webhook. Every delivery is checked against
 * {@code X-Hub-Signature-256} (HMAC-SHA256 of the body with GITHUB_WEBHOOK_SECRET) before anything is read; 401
 * otherwise. {@code ping} is answered 200; {@code deployment_protection_rule} with action {@code requested} opens a
 * request for the deployment, or links it to the open one, and answers 200 with the request; other events are
 * acknowledged and ignored. The same {@code X-GitHub-Delivery} again gets the first answer.
 */
final class GithubWebhook implements Consumer<RoutesConfig> {
    static final String PATH = "/webhooks/github";
    static final String SIGNATURE = "X-Hub-Signature-256";
    static final String EVENT = "X-GitHub-Event";
    static final String DELIVERY = "X-GitHub-Delivery";
    static final Duration DELIVERY_MEMORY = Duration.ofDays(1);
    private static final String IN_FLIGHT = "in-flight";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger log = LoggerFactory.getLogger(GithubWebhook.class);

    private final byte[] secret;
    private final java.net.URI apiUrl;
    private final GithubGate gate;
    private final Gates gates;
    private final Links links;
    private final GithubAnswers answers;
    private final KeyValues kv;

    GithubWebhook(byte[] secret, java.net.URI apiUrl, GithubGate gate, Gates gates, Links links, GithubAnswers answers,
                  KeyValues kv) {
        this.secret = secret.clone();
        this.apiUrl = apiUrl;
        this.gate = gate;
        this.gates = gates;
        this.links = links;
        this.answers = answers;
        this.kv = kv;
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.post(PATH, this::handle);
    }

    private void handle(Context ctx) {
        var body = ctx.bodyAsBytes();
        if (!signedByGithub(ctx.header(SIGNATURE), body)) {
            answer(ctx, new Answer(401, error((ctx.header(SIGNATURE) == null ? "Missing " + SIGNATURE + " header"
                    : "Invalid " + SIGNATURE) + ": GitHub signs each delivery with the App's webhook secret; set the "
                    + "same secret in GITHUB_WEBHOOK_SECRET")));
            return;
        }
        var event = ctx.header(EVENT) == null ? "" : ctx.header(EVENT).strip();
        if (event.equals("ping")) {
            answer(ctx, new Answer(200, json(Map.of("message", "pong: Countersign takes deployment_protection_rule "
                    + "events here"))));
            return;
        }
        if (!event.equals("deployment_protection_rule")) {
            answer(ctx, ignored(event.isEmpty() ? "no " + EVENT + " header" : "the " + event.replaceAll("[^A-Za-z0-9_.-]", "")
                    + " event is not one Countersign acts on (only deployment_protection_rule)"));
            return;
        }
        var delivery = ctx.header(DELIVERY);
        if (delivery == null || delivery.isBlank() || delivery.length() > 100) {
            answer(ctx, new Answer(400, error("Missing " + DELIVERY + " header: GitHub sends a unique id with each "
                    + "delivery")));
            return;
        }
        var key = "github:delivery:" + delivery.strip();
        if (!kv.putIfAbsent(key, IN_FLIGHT, DELIVERY_MEMORY)) {
            var first = kv.get(key).orElse(IN_FLIGHT);
            if (first.equals(IN_FLIGHT)) answer(ctx, new Answer(409, error("Delivery " + delivery.strip()
                    + " is being handled right now; redeliver it in a moment")));
            else ctx.status(200).contentType("application/json").result(first);
            return;
        }
        Answer answer;
        try {
            answer = protectionRule(body);
        } catch (RuntimeException e) {
            kv.delete(key);
            throw e;
        }
        // Only a delivery that opened or linked a request is remembered: what was ignored or refused may be sent again.
        if (answer.status() == 200 && answer.gated()) kv.put(key, answer.json(), DELIVERY_MEMORY);
        else kv.delete(key);
        answer(ctx, answer);
    }

    private Answer protectionRule(byte[] body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return new Answer(400, error("The body is not JSON (" + e.getOriginalMessage() + "); set the App's "
                    + "webhook content type to application/json"));
        } catch (IOException e) {
            return new Answer(400, error("The body could not be read"));
        }
        if (json == null || !json.isObject()) return new Answer(400, error("The body must be a JSON object"));
        var action = json.path("action").asText("");
        if (!action.equals("requested"))
            return ignored("action \"" + action.replaceAll("[^A-Za-z0-9_.-]", "") + "\" is not requested");
        ProtectionRule rule;
        try {
            rule = ProtectionRule.parse(json, apiUrl);
        } catch (ProtectionRule.Invalid e) {
            log.warn("github: a deployment_protection_rule delivery was refused: {}", e.getMessage());
            return new Answer(e.status, error(e.getMessage()));
        }
        if (!gate.gates(rule.environment()))
            return ignored("Countersign does not gate the environment " + rule.environment() + " (policy github."
                    + "environments lists " + String.join(", ", gate.environments()) + "); the deployment waits for "
                    + "its other protection rules");
        var gated = gates.gate(rule);
        if (gated == null) return new Answer(409, error("Another delivery for " + rule.repo() + " " + rule.shortSha()
                + " to " + rule.environment() + " is being handled; redeliver this one in a moment"));
        if (gated.refused() != null) return new Answer(422, error("Countersign could not open a request for this "
                + "deployment: " + gated.refused().message()));
        var request = gated.request();
        var link = new Link(rule.repo(), rule.environment(), rule.sha(), rule.runId(), rule.callback(), rule.installation());
        links.add(request.id(), link);
        // Decided between the look-up and the link, or linked to an approved request: this run is answered now.
        var now = gates.find(request.id()).orElse(request);
        if (now.state() != State.PENDING) answers.answerSoon(now.id());
        var answer = new LinkedHashMap<String, Object>();
        answer.put("request", now.id().toString());
        answer.put("state", now.state().name());
        answer.put("linked", gated.linked());
        answer.put("message", (gated.linked() ? "Linked to " : "Opened ") + now.id() + " (" + now.state().label()
                + "); GitHub is told when it is decided");
        log.info("github: {} run {} to {} waits on {} ({})", rule.repo(), rule.runId(), rule.environment(), now.id(),
                gated.linked() ? "linked" : "opened");
        return new Answer(200, json(answer), true);
    }

    /** Whether the header is {@code sha256=<hex HMAC-SHA256(secret, body)>}, compared in constant time. */
    boolean signedByGithub(String header, byte[] body) {
        if (header == null || !header.startsWith("sha256=")) return false;
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            var expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
            return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                    header.strip().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static Answer ignored(String why) { return new Answer(200, json(Map.of("ignored", why))); }

    private static String error(String message) { return json(Map.of("error", message)); }

    private static String json(Map<String, ?> body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void answer(Context ctx, Answer answer) {
        ctx.status(answer.status()).contentType("application/json").result(answer.json());
    }

    private record Answer(int status, String json, boolean gated) {
        Answer(int status, String json) { this(status, json, false); }
    }
}
