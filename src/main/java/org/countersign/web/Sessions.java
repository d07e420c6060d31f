package org.countersign.web;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.security.SecureRandom;
import org.countersign.app.SessionStore;
import org.countersign.domain.Actor;
import org.countersign.domain.Platform;

/**
 * People's web sessions: a random 256-bit id in an HttpOnly cookie (SameSite=Lax, so it arrives on the redirect back
 * from the identity provider; Secure behind HTTPS), and the session itself in Redis ({@link SessionStore}) with its
 * TTL, so it expires there and can be revoked: one at sign-out, or every session of a person at once.
 */
final class Sessions {
    static final String COOKIE = "countersign_person";
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{43}");

    private final SessionStore store;
    private final Duration ttl;
    private final Clock clock;
    private final boolean https;
    private final SecureRandom random = new SecureRandom();

    /** @param https whether people reach Countersign over HTTPS (PUBLIC_URL), so the cookie is Secure */
    Sessions(SessionStore store, Duration ttl, Clock clock, boolean https) {
        this.store = store;
        this.ttl = ttl;
        this.clock = clock;
        this.https = https;
    }

    /**
     * Starts a session for {@code person} and gives the browser its cookie. A session this browser had before ends:
     * a signed-in id is always a fresh one (no session fixation).
     */
    void start(Context ctx, String person, String subject, String email) {
        var before = ctx.cookie(COOKIE);
        if (before != null && ID.matcher(before).matches()) store.revoke(before);
        var id = randomId();
        var now = clock.instant();
        store.save(id, new SessionStore.Session(person, subject, email, now, now.plus(ttl)));
        ctx.cookie(cookie(ctx, id, (int) ttl.toSeconds()));
    }

    private Cookie cookie(Context ctx, String value, int maxAge) {
        return new Cookie(COOKIE, value, "/", maxAge, https || Access.isHttps(ctx), true, null, SameSite.LAX);
    }

    /** The person signed in on this request, if their session still stands. */
    Optional<Callers.Caller> current(Context ctx) {
        var id = ctx.cookie(COOKIE);
        if (id == null || !ID.matcher(id).matches()) return Optional.empty();
        return store.find(id, clock.instant())
                .map(s -> new Callers.Caller(new Actor(Platform.WEB, s.person()), Callers.Proof.SESSION, id));
    }

    /** Ends this browser's session, in Redis and in the browser. */
    void end(Context ctx) {
        var id = ctx.cookie(COOKIE);
        if (id != null && ID.matcher(id).matches()) store.revoke(id);
        ctx.cookie(cookie(ctx, "", 0));
    }

    /**
     * POST /api/sessions/revoke {"person": "alice"}: ends every session of a person. The dashboard token (held by
     * whoever runs Countersign) may end anyone's; a signed-in person may end their own everywhere; an API token may not.
     */
    void revoke(Context ctx, Access access, Callers callers, com.fasterxml.jackson.databind.ObjectMapper json) {
        String person;
        try {
            var node = json.readTree(ctx.body());
            person = node != null && node.path("person").isTextual() ? node.path("person").asText().strip() : null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new WebApp.BadRequest("Send a JSON object such as {\"person\": \"alice\"} (" + e.getOriginalMessage() + ")");
        }
        if (person == null || person.isEmpty())
            throw new WebApp.BadRequest("Say whose sessions to end: {\"person\": \"alice\"}");
        var caller = callers.of(ctx);
        boolean own = caller.filter(Callers.Caller::isPerson).map(c -> c.actor().id().equals(person)).orElse(false);
        boolean operator = caller.isEmpty() && access.tokenOn() && access.signedIn(ctx);
        if (!own && !operator) {
            ctx.status(HttpStatus.FORBIDDEN).json(new ApiError("Only you can end your own sessions, or whoever holds "
                    + "DASHBOARD_TOKEN anyone's (Authorization: Bearer <DASHBOARD_TOKEN>)"));
            return;
        }
        int ended = store.revokeAll(person);
        if (own) ctx.cookie(cookie(ctx, "", 0));
        ctx.json(Map.of("person", person, "revoked", ended));
    }

    private String randomId() {
        var bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
