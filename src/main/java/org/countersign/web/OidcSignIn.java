package org.countersign.web;

import static org.countersign.web.Html.esc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.countersign.app.SessionStore;
import org.countersign.domain.Policy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in for people with an OpenID Connect provider: authorization code with PKCE (S256), a state and a nonce, all
 * through the Nimbus OAuth 2.0 / OIDC SDK. The provider's endpoints come from its discovery document, read when first
 * needed and again after a failure. The state, nonce and code verifier wait in Redis for ten minutes and serve once;
 * the state is also in a cookie of the browser that started, so nobody can finish a sign-in they did not start in that
 * browser. The ID token is checked by the SDK (signature against the provider's JWKS, issuer, audience, expiry,
 * nonce), and its subject, or its email when the provider says it is verified, must be a person the policy names.
 */
final class OidcSignIn {
    private static final Logger log = LoggerFactory.getLogger(OidcSignIn.class);
    static final String START = "/signin/oidc";
    static final String STATE_COOKIE = "countersign_signin";
    static final Duration PENDING_TTL = Duration.ofMinutes(10);
    static final int TIMEOUT_MS = 5_000;
    private static final Pattern STATE = Pattern.compile("[A-Za-z0-9_-]{20,100}");

    private final OidcSettings settings;
    private final SessionStore store;
    private final Sessions sessions;
    private final Supplier<Policy> policy;
    private final ObjectMapper json;
    private volatile Provider provider;

    OidcSignIn(OidcSettings settings, SessionStore store, Sessions sessions, Supplier<Policy> policy, ObjectMapper json) {
        this.settings = settings;
        this.store = store;
        this.sessions = sessions;
        this.policy = policy;
        this.json = json;
    }

    /** The provider's endpoints and the ID token validator (which caches its keys), once discovery has answered. */
    private record Provider(OIDCProviderMetadata metadata, IDTokenValidator validator) {}

    // ---- GET /signin/oidc ------------------------------------------------------------------------------------

    void start(Context ctx) {
        var provider = provider();
        if (provider.isEmpty()) {
            page(ctx, HttpStatus.SERVICE_UNAVAILABLE, "The sign-in provider does not answer",
                    "Countersign could not read the discovery document of " + settings.issuer()
                            + ". Try again in a minute; if it keeps failing, tell whoever runs Countersign.");
            return;
        }
        var state = new State();
        var nonce = new Nonce();
        var verifier = new CodeVerifier();
        var pending = new LinkedHashMap<String, String>();
        pending.put("nonce", nonce.getValue());
        pending.put("verifier", verifier.getValue());
        pending.put("next", Access.localPath(ctx.queryParam("next")));
        try {
            store.hold(state.getValue(), json.writeValueAsString(pending), PENDING_TTL);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a sign-in did not turn into JSON", e);
        }
        var request = new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid", "email", "profile"),
                new ClientID(settings.clientId()), settings.redirectUri())
                .endpointURI(provider.get().metadata().getAuthorizationEndpointURI())
                .state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256).build();
        ctx.cookie(new Cookie(STATE_COOKIE, state.getValue(), OidcSettings.CALLBACK, (int) PENDING_TTL.toSeconds(),
                Access.isHttps(ctx), true, null, SameSite.LAX));
        ctx.header("Cache-Control", "no-store").redirect(request.toURI().toString(), HttpStatus.SEE_OTHER);
    }

    // ---- GET /signin/callback ---------------------------------------------------------------------------------

    void callback(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        var state = ctx.queryParam("state");
        var cookie = ctx.cookie(STATE_COOKIE);
        ctx.cookie(new Cookie(STATE_COOKIE, "", OidcSettings.CALLBACK, 0, Access.isHttps(ctx), true, null, SameSite.LAX));
        if (state == null || !STATE.matcher(state).matches() || cookie == null
                || !java.security.MessageDigest.isEqual(cookie.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                state.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            again(ctx, HttpStatus.BAD_REQUEST, "This sign-in was not started in this browser",
                    "The link back from the sign-in provider does not belong to a sign-in this browser started (or its "
                            + "cookie was blocked).");
            return;
        }
        var held = store.take(state);
        if (held.isEmpty()) {
            again(ctx, HttpStatus.BAD_REQUEST, "This sign-in has expired or was used already",
                    "A sign-in must finish within " + PENDING_TTL.toMinutes() + " minutes, and each link back works once.");
            return;
        }
        var error = ctx.queryParam("error");
        if (error != null) {
            var description = Optional.ofNullable(ctx.queryParam("error_description")).orElse("");
            again(ctx, HttpStatus.UNAUTHORIZED, "The sign-in provider did not sign you in",
                    "It answered \"" + shorten(error) + (description.isBlank() ? "" : ": " + shorten(description)) + "\".");
            return;
        }
        var code = ctx.queryParam("code");
        if (code == null || code.isBlank() || code.length() > 4096) {
            again(ctx, HttpStatus.BAD_REQUEST, "The sign-in provider sent no code", "The link back carries no authorization code.");
            return;
        }
        Map<String, String> pending;
        try {
            pending = json.readValue(held.get(), json.getTypeFactory().constructMapType(Map.class, String.class, String.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a held sign-in is not the JSON Countersign wrote", e);
        }
        var provider = provider();
        if (provider.isEmpty()) {
            page(ctx, HttpStatus.SERVICE_UNAVAILABLE, "The sign-in provider does not answer",
                    "Countersign could not read the discovery document of " + settings.issuer() + ". Try again in a minute.");
            return;
        }
        IDTokenClaimsSet claims;
        try {
            claims = exchange(provider.get(), code, new CodeVerifier(pending.get("verifier")), new Nonce(pending.get("nonce")));
        } catch (Refused e) {
            again(ctx, HttpStatus.UNAUTHORIZED, "The sign-in did not go through", e.getMessage());
            return;
        } catch (IOException e) {
            log.warn("the sign-in provider's token endpoint did not answer: {}", e.toString());
            again(ctx, HttpStatus.BAD_GATEWAY, "The sign-in provider did not answer",
                    "Countersign could not reach its token endpoint.");
            return;
        }
        var subject = claims.getSubject().getValue();
        var email = claims.getStringClaim("email");
        var verified = Boolean.TRUE.equals(claims.getBooleanClaim("email_verified"));
        var person = personOf(policy.get(), subject, email, verified);
        if (person.isEmpty()) {
            notNamed(ctx, subject, email, verified);
            return;
        }
        sessions.start(ctx, person.get(), subject, email != null && verified ? email : null);
        log.info("{} signed in on the web", person.get());
        ctx.redirect(Access.localPath(pending.get("next")), HttpStatus.SEE_OTHER);
    }

    /** The policy person behind a signed-in subject: linked by {@code oidc:}, else by a verified {@code email:}. */
    static Optional<String> personOf(Policy policy, String subject, String email, boolean emailVerified) {
        return policy.linkedPerson(Policy.oidcSubject(subject))
                .or(() -> email != null && emailVerified && !email.isBlank()
                        ? policy.linkedPerson(Policy.email(email)) : Optional.empty());
    }

    /** The code for tokens (with the PKCE verifier), and the ID token checked; {@link Refused} says what was wrong. */
    private IDTokenClaimsSet exchange(Provider provider, String code, CodeVerifier verifier, Nonce nonce)
            throws IOException {
        var clientId = new ClientID(settings.clientId());
        var grant = new AuthorizationCodeGrant(new AuthorizationCode(code), settings.redirectUri(), verifier);
        var endpoint = provider.metadata().getTokenEndpointURI();
        var request = settings.clientSecret() == null ? new TokenRequest(endpoint, clientId, grant)
                : new TokenRequest(endpoint, new ClientSecretBasic(clientId, new Secret(settings.clientSecret())), grant);
        var http = request.toHTTPRequest();
        http.setConnectTimeout(TIMEOUT_MS);
        http.setReadTimeout(TIMEOUT_MS);
        try {
            var response = OIDCTokenResponseParser.parse(http.send());
            if (!response.indicatesSuccess()) {
                var problem = response.toErrorResponse().getErrorObject();
                throw new Refused("The provider refused the code (" + shorten(problem.getCode())
                        + (problem.getDescription() == null ? "" : ": " + shorten(problem.getDescription())) + ").");
            }
            var idToken = ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDToken();
            if (idToken == null) throw new Refused("The provider sent no ID token.");
            return provider.validator().validate(idToken, nonce);
        } catch (ParseException e) {
            throw new Refused("The provider's answer is not an OpenID Connect token response.");
        } catch (BadJOSEException | JOSEException e) {
            log.warn("an ID token was refused: {}", e.getMessage());
            throw new Refused("The ID token did not check out (" + shorten(e.getMessage()) + ").");
        }
    }

    /** A sign-in that cannot go on; the message says why. */
    private static final class Refused extends RuntimeException {
        Refused(String message) { super(message); }
    }

    private Optional<Provider> provider() {
        var known = provider;
        if (known != null) return Optional.of(known);
        synchronized (this) {
            if (provider != null) return Optional.of(provider);
            try {
                var issuer = new Issuer(settings.issuer());
                var metadata = OIDCProviderMetadata.resolve(issuer, TIMEOUT_MS, TIMEOUT_MS);
                var algorithms = metadata.getIDTokenJWSAlgs();
                var algorithm = algorithms == null || algorithms.isEmpty() || algorithms.contains(JWSAlgorithm.RS256)
                        ? JWSAlgorithm.RS256 : algorithms.get(0);
                var validator = new IDTokenValidator(issuer, new ClientID(settings.clientId()), algorithm,
                        metadata.getJWKSetURI().toURL(), new DefaultResourceRetriever(TIMEOUT_MS, TIMEOUT_MS, 512 * 1024));
                provider = new Provider(metadata, validator);
                log.info("sign-in provider {}: authorization at {}", issuer, metadata.getAuthorizationEndpointURI());
                return Optional.of(provider);
            } catch (GeneralException | IOException | RuntimeException e) {
                log.warn("the sign-in provider {} cannot be discovered now: {}", settings.issuer(), e.toString());
                return Optional.empty();
            }
        }
    }

    // ---- pages ------------------------------------------------------------------------------------------------

    private void notNamed(Context ctx, String subject, String email, boolean verified) {
        var who = email == null ? "subject " + subject : email + " (subject " + subject + ")";
        var why = email != null && !verified
                ? " Your provider does not say that " + email + " is verified, so Countersign does not go by it."
                : "";
        page(ctx, HttpStatus.FORBIDDEN, "The policy does not name you",
                "You signed in as " + who + ", but the policy names nobody with that subject"
                        + (email != null && verified ? " or email" : "") + ", so Countersign cannot tell who would act."
                        + why + " Ask whoever runs Countersign to add oidc: \"" + subject + "\""
                        + (email != null ? " or email: " + email : "") + " under your name in the policy's people:.");
    }

    private static void again(Context ctx, HttpStatus status, String title, String text) {
        show(ctx, status, title, esc(text) + " <a href=\"/signin\">Sign in again</a>.");
    }

    private static void page(Context ctx, HttpStatus status, String title, String text) {
        show(ctx, status, title, esc(text));
    }

    private static void show(Context ctx, HttpStatus status, String title, String html) {
        ctx.status(status).html(Html.page(title, "signin", false, "<main class=\"signin\"><h1>" + esc(title)
                + "</h1><p class=\"notice error\" role=\"alert\">" + html + "</p></main>", null));
    }

    private static String shorten(String text) {
        if (text == null) return "";
        var clean = text.replaceAll("[\\p{Cntrl}]", " ");
        return clean.length() > 200 ? clean.substring(0, 200) + "…" : clean;
    }
}
