package org.countersign.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Countersign as the GitHub App: an RS256 JWT (issued 60 s in the past, as GitHub advises against clock drift, valid
 * 9 minutes, issuer the App id) buys an installation access token, kept until shortly before it expires; the token
 * reviews a deployment protection rule. Tokens are never logged.
 */
public final class GithubApp {
    static final Duration JWT_BACKDATE = Duration.ofSeconds(60);
    static final Duration JWT_LIFETIME = Duration.ofMinutes(9);
    /** A token this close to its expiry is replaced before use. */
    static final Duration TOKEN_MARGIN = Duration.ofMinutes(5);
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final String API_VERSION = "2022-11-28";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GithubSettings settings;
    private final HttpClient http;
    private final Clock clock;
    private final Map<Long, Token> tokens = new ConcurrentHashMap<>();

    public GithubApp(GithubSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public URI apiUrl() { return settings.apiUrl(); }

    /** The result of one review call. */
    sealed interface Reply {
        /** GitHub took it (204). */
        record Done() implements Reply {}

        /** GitHub is down, slow, limited us or failed: worth trying again later. */
        record Again(String why) implements Reply {}

        /** GitHub refused it for good (the run was already reviewed, or is gone): trying again cannot help. */
        record Refused(String why) implements Reply {}
    }

    /** POSTs {@code {environment_name, state, comment}} to the rule's callback, as the installation. */
    Reply review(URI callback, long installation, String environment, String state, String comment) {
        String token;
        try {
            token = installationToken(installation);
        } catch (Unavailable e) {
            return new Reply.Again(e.getMessage());
        } catch (Denied e) {
            return new Reply.Refused(e.getMessage());
        }
        var body = Map.of("environment_name", environment, "state", state, "comment", comment);
        HttpResponse<String> response;
        try {
            response = send(HttpRequest.newBuilder(callback).header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
        } catch (Unavailable e) {
            return new Reply.Again(e.getMessage());
        } catch (IOException e) {
            return new Reply.Refused("could not write the review: " + e.getMessage());
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) return new Reply.Done();
        var why = "GitHub answered " + status + " to the review of " + environment + shown(response.body());
        if (status == 401) tokens.remove(installation); // revoked or expired early: the next try takes a new one
        if (status == 401 || status == 408 || status == 429 || status >= 500 || status == 403 && rateLimited(response))
            return new Reply.Again(why);
        return new Reply.Refused(why);
    }

    /** The installation's access token, from the cache or bought with a fresh App JWT. */
    String installationToken(long installation) {
        var now = clock.instant();
        var cached = tokens.get(installation);
        if (cached != null && now.isBefore(cached.expires().minus(TOKEN_MARGIN))) return cached.value();
        var url = URI.create(settings.apiUrl() + "/app/installations/" + installation + "/access_tokens");
        var response = send(HttpRequest.newBuilder(url).header("Authorization", "Bearer " + jwt(now))
                .POST(HttpRequest.BodyPublishers.noBody()));
        int status = response.statusCode();
        if (status != 201 && status != 200) {
            var why = "GitHub answered " + status + " for an access token of installation " + installation
                    + shown(response.body());
            if (status >= 500 || status == 429 || status == 408) throw new Unavailable(why);
            throw new Denied(why + " (is the App installed on the repository, with its id in GITHUB_APP_ID and its "
                    + "current key in GITHUB_APP_PRIVATE_KEY?)");
        }
        try {
            JsonNode json = JSON.readTree(response.body());
            var token = new Token(json.path("token").asText(""), Instant.parse(json.path("expires_at").asText("")));
            if (token.value().isBlank()) throw new Unavailable("GitHub's access token answer had no token");
            tokens.put(installation, token);
            return token.value();
        } catch (IOException | DateTimeParseException e) {
            throw new Unavailable("GitHub's access token answer could not be read: " + e.getClass().getSimpleName());
        }
    }

    /** The App's JWT: RS256, iat a minute ago, exp within 10 minutes, iss the App id. */
    String jwt(Instant now) {
        var claims = new JWTClaimsSet.Builder().issuer(settings.appId())
                .issueTime(Date.from(now.minus(JWT_BACKDATE))).expirationTime(Date.from(now.plus(JWT_LIFETIME))).build();
        var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
        try {
            jwt.sign(new RSASSASigner(settings.privateKey()));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the GitHub App JWT: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(TIMEOUT).header("Accept", "application/vnd.github+json")
                    .header("X-GitHub-Api-Version", API_VERSION).header("User-Agent", "Countersign")
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unavailable("cannot reach GitHub at " + settings.apiUrl() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while calling GitHub");
        }
    }

    private static boolean rateLimited(HttpResponse<?> response) {
        return response.headers().firstValue("x-ratelimit-remaining").map("0"::equals).orElse(false)
                || response.headers().firstValue("retry-after").isPresent();
    }

    private static String shown(String body) {
        if (body == null || body.isBlank()) return "";
        var line = body.strip().replaceAll("\\s+", " ");
        return ": " + (line.length() > 200 ? line.substring(0, 200) + "…" : line);
    }

    private record Token(String value, Instant expires) {
        @Override
        public String toString() { return "Token[****, expires=" + expires + "]"; }
    }

    /** GitHub could not be asked now. */
    static final class Unavailable extends RuntimeException {
        Unavailable(String message) { super(message); }
    }

    /** GitHub refused the App's credentials for this installation. */
    static final class Denied extends RuntimeException {
        Denied(String message) { super(message); }
    }
}
