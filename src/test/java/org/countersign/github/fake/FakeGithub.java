package org.countersign.github.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * GitHub's REST API as far as a deployment protection rule App uses it, written from GitHub's docs ("Create an
 * installation access token for an app", "Review custom deployment protection rules for a workflow run"):
 * {@code POST /app/installations/{id}/access_tokens} takes only a JWT signed RS256 with the App's key, issued by the
 * App id, expiring within 10 minutes, and answers 201 {@code {token, expires_at, ...}}; {@code POST
 * /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule} takes only an unexpired installation token
 * of that installation, wants {@code environment_name} and {@code state} (approved or rejected), records the review
 * and answers 204. Errors are GitHub's: 401 Bad credentials, 404 Not Found, 422 Validation Failed.
 */
public final class FakeGithub implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A review GitHub took: the run it was for, the token's installation, and the body. */
    public record Review(String repo, long runId, long installation, String environment, String state, String comment) {}

    /** An installation token GitHub handed out. */
    public record Issued(long installation, String token, Instant expires) {}

    private final String appId;
    private final RSAPublicKey publicKey;
    private final Javalin server;
    private final Map<Long, List<String>> installations = new ConcurrentHashMap<>();
    private final Map<String, Issued> tokens = new ConcurrentHashMap<>();
    private final List<Review> reviews = new CopyOnWriteArrayList<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private final AtomicInteger failNext = new AtomicInteger();
    private final AtomicInteger reviewCalls = new AtomicInteger();
    private volatile Duration tokenLifetime = Duration.ofHours(1);

    public FakeGithub(String appId, RSAPublicKey publicKey) {
        this.appId = appId;
        this.publicKey = publicKey;
        this.server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.post("/app/installations/{id}/access_tokens", this::accessToken);
            config.routes.post("/repos/{owner}/{repo}/actions/runs/{run}/deployment_protection_rule", this::review);
        }).start("127.0.0.1", 0);
    }

    /** The App is installed on these repositories ({@code owner/name}) as this installation. */
    public FakeGithub installed(long installation, String... repos) {
        installations.put(installation, List.of(repos));
        return this;
    }

    public String url() { return "http://127.0.0.1:" + server.port(); }

    /** The next {@code n} calls of any kind answer 502, as GitHub does when it is having a bad day. */
    public void failNext(int n) { failNext.set(n); }

    /** How long the next installation tokens are good for (GitHub: one hour). */
    public void tokenLifetime(Duration lifetime) { tokenLifetime = lifetime; }

    public List<Review> reviews() { return List.copyOf(reviews); }

    public List<Issued> issued() { return List.copyOf(tokens.values()); }

    /** Why calls were refused (401, 404, 422), for tests that expect none. */
    public List<String> refusals() { return List.copyOf(refusals); }

    /** Review calls received, taken or not. */
    public int reviewCalls() { return reviewCalls.get(); }

    private void accessToken(Context ctx) {
        if (failing(ctx)) return;
        var why = jwtProblem(ctx.header("Authorization"));
        if (why != null) {
            refuse(ctx, 401, "A JSON web token could not be decoded", why);
            return;
        }
        long installation;
        try {
            installation = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            refuse(ctx, 404, "Not Found", "installation " + ctx.pathParam("id"));
            return;
        }
        if (!installations.containsKey(installation)) {
            refuse(ctx, 404, "Not Found", "no installation " + installation);
            return;
        }
        var token = "ghs_" + UUID.randomUUID().toString().replace("-", "");
        var expires = Instant.now().plus(tokenLifetime).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        tokens.put(token, new Issued(installation, token, expires));
        ctx.status(201).json(Map.of("token", token, "expires_at", expires.toString(),
                "permissions", Map.of("actions", "read", "deployments", "write", "metadata", "read"),
                "repository_selection", "selected"));
    }

    private void review(Context ctx) throws Exception {
        reviewCalls.incrementAndGet();
        if (failing(ctx)) return;
        var repo = ctx.pathParam("owner") + "/" + ctx.pathParam("repo");
        var auth = ctx.header("Authorization");
        var token = auth == null ? null : auth.replaceFirst("^(Bearer|token) ", "");
        var issued = token == null ? null : tokens.get(token);
        if (issued == null || !Instant.now().isBefore(issued.expires())) {
            refuse(ctx, 401, "Bad credentials", issued == null ? "unknown token" : "expired token");
            return;
        }
        if (!installations.get(issued.installation()).contains(repo)) {
            refuse(ctx, 404, "Not Found", "installation " + issued.installation() + " is not on " + repo);
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(ctx.bodyAsBytes());
        } catch (Exception e) {
            refuse(ctx, 400, "Problems parsing JSON", "body");
            return;
        }
        var environment = body.path("environment_name").asText("");
        var state = body.path("state").asText("");
        if (environment.isEmpty() || !(state.equals("approved") || state.equals("rejected"))) {
            refuse(ctx, 422, "Validation Failed", "environment_name and state approved|rejected: " + body);
            return;
        }
        long run = Long.parseLong(ctx.pathParam("run"));
        if (reviews.stream().anyMatch(r -> r.runId() == run && r.environment().equals(environment))) {
            refuse(ctx, 422, "No pending deployment requests to approve or reject", "run " + run + " reviewed twice");
            return;
        }
        reviews.add(new Review(repo, run, issued.installation(), environment, state, body.path("comment").asText(null)));
        ctx.status(204);
    }

    /** Why the header does not hold a JWT GitHub would take from this App; null when it does. */
    private String jwtProblem(String header) {
        if (header == null || !header.startsWith("Bearer ")) return "no Bearer JWT";
        try {
            var jwt = SignedJWT.parse(header.substring("Bearer ".length()));
            if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())) return "not RS256";
            if (!jwt.verify(new RSASSAVerifier(publicKey))) return "bad signature";
            var claims = jwt.getJWTClaimsSet();
            var now = Instant.now();
            if (!appId.equals(claims.getIssuer())) return "iss " + claims.getIssuer() + " is not the App id";
            if (claims.getIssueTime() == null || claims.getExpirationTime() == null) return "no iat or exp";
            var iat = claims.getIssueTime().toInstant();
            var exp = claims.getExpirationTime().toInstant();
            if (iat.isAfter(now.plusSeconds(5))) return "iat in the future";
            if (!exp.isAfter(now)) return "expired";
            if (Duration.between(iat, exp).compareTo(Duration.ofMinutes(10).plusSeconds(1)) > 0)
                return "'Expiration time' claim ('exp') is too far in the future";
            return null;
        } catch (Exception e) {
            return "unreadable JWT: " + e.getMessage();
        }
    }

    private boolean failing(Context ctx) {
        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) <= 0) return false;
        ctx.status(502).json(Map.of("message", "Server Error"));
        return true;
    }

    private void refuse(Context ctx, int status, String message, String why) {
        refusals.add(status + " " + ctx.path() + ": " + why);
        ctx.status(status).json(Map.of("message", message,
                "documentation_url", "https://docs.github.com/rest", "status", String.valueOf(status)));
    }

    @Override
    public void close() { server.stop(); }
}
