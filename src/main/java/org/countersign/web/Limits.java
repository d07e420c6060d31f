package org.countersign.web;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Duration;
import java.time.Instant;
import org.countersign.app.KeyValues;
import org.countersign.app.Throttle;

/**
 * Who is held back, decided after authentication: a request without a valid credential counts against its client's
 * address (which is answered 429 once it has failed too often); a request with one counts against that credential
 * alone. So junk sent from one address (or through one load balancer) never holds back a caller that proves who it
 * is: Alertmanager, the pipeline, a signed-in person.
 *
 * <p>Slack, the webhooks and the sign-in form check their own credentials, so they are counted after they answer: a
 * 401 of theirs is a failure of the address; any other answer is a use of the endpoint's credential, and a credential
 * used too often is held back (429, before any work) until its window ends.
 */
final class Limits {
    static final Limits NONE = new Limits(Throttle.none(), Throttle.none(), null, ClientAddress.NONE);

    private final Throttle failures;
    private final Throttle perCredential;
    private final KeyValues kv;
    private final ClientAddress clients;

    /** {@code kv} remembers the endpoint credentials held back; null: they are counted but never held. */
    Limits(Throttle failuresPerAddress, Throttle perCredential, KeyValues kv, ClientAddress clients) {
        this.failures = failuresPerAddress;
        this.perCredential = perCredential;
        this.kv = kv;
        this.clients = clients;
    }

    /** The client's address, through trusted proxies only. */
    String client(Context ctx) { return clients.of(ctx); }

    /** No credential, or a wrong one: counts against the address; 429 once it has failed too often. */
    void failed(Context ctx) {
        if (failures.check("auth-failed:" + client(ctx)) instanceof Throttle.Refused held)
            throw refuse(ctx, held.retryAfter(), lockedOut(ctx, held.retryAfter()));
    }

    /** A valid credential, by name (never the secret itself), on a limited route: counts against it alone. */
    void admitted(Context ctx, String credential) {
        if (!limited(ctx.path())) return;
        if (perCredential.check("credential:" + credential) instanceof Throttle.Refused held)
            throw refuse(ctx, held.retryAfter(), held.message());
    }

    /** Before an endpoint that checks its own signature: 429 while its credential is held back. */
    void beforeSigned(Context ctx) {
        var credential = signedCredential(ctx);
        if (kv == null || credential == null) return;
        var until = kv.get("held:" + credential).map(Limits::instant).orElse(null);
        var wait = until == null ? Duration.ZERO : Duration.between(Instant.now(), until);
        if (wait.compareTo(Duration.ZERO) > 0)
            throw refuse(ctx, wait, "Slow down: " + ctx.path() + " was called too often with a valid signature. "
                    + "Nothing was recorded; try again in " + seconds(wait) + " s.");
    }

    /** After every request: what Slack, the webhooks and the sign-in form answered themselves is counted. */
    void afterSigned(Context ctx) {
        if (!selfChecking(ctx) || matched(ctx) == null) return;
        int status = ctx.statusCode();
        if (status == HttpStatus.UNAUTHORIZED.getCode()) {
            if (failures.check("auth-failed:" + client(ctx)) instanceof Throttle.Refused held)
                ctx.header("Retry-After", seconds(held.retryAfter())).status(HttpStatus.TOO_MANY_REQUESTS)
                        .json(new ApiError(lockedOut(ctx, held.retryAfter())));
            return;
        }
        var credential = signedCredential(ctx);
        if (credential == null || status >= 500) return;
        if (perCredential.check("credential:" + credential) instanceof Throttle.Refused held && kv != null)
            kv.put("held:" + credential, Instant.now().plus(held.retryAfter()).toString(), held.retryAfter());
    }

    /** The API, the console and the webhooks; pages and their live updates are not limited. */
    private static boolean limited(String path) {
        return path.startsWith("/api/") || path.equals("/console") || path.startsWith("/console/")
                || path.startsWith("/webhooks/");
    }

    /** POSTs to Slack, the webhooks and the sign-in form: they say themselves whether the caller proved who it is. */
    private static boolean selfChecking(Context ctx) {
        var path = ctx.path();
        return "POST".equals(ctx.method().name()) && RoutePolicy.isPublic(path)
                && (RoutePolicy.isSigned(path) || path.equals("/signin"));
    }

    /** A webhook's credential is its endpoint's secret, one per endpoint; Slack has its own per-person limit. */
    private static String signedCredential(Context ctx) {
        var path = ctx.path();
        return "POST".equals(ctx.method().name()) && path.startsWith("/webhooks/") && RoutePolicy.isSigned(path)
                ? "webhook:" + path : null;
    }

    private static Object matched(Context ctx) {
        try {
            return ctx.endpoints().matchedHttpEndpoint();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private String lockedOut(Context ctx, Duration wait) {
        return "Too many requests without a valid credential from " + client(ctx) + " (no token, a wrong one, or a bad "
                + "signature). Nothing was recorded; try again in " + seconds(wait) + " s with a valid credential";
    }

    private static WebApp.TooManyRequests refuse(Context ctx, Duration wait, String message) {
        ctx.header("Retry-After", seconds(wait));
        return new WebApp.TooManyRequests(message);
    }

    private static String seconds(Duration wait) {
        return Long.toString(Math.max(1, (wait.toMillis() + 999) / 1000));
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
