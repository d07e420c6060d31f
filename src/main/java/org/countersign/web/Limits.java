package org.countersign.web;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Duration;
import java.time.Instant;
import org.countersign.app.KeyValues;
import org.countersign.app.Throttle;

/**
 * Who is held back on the API, the console, sign-in and the webhooks, after authentication: a request that proves
 * no credential counts against its client's address, which is locked out (429) when it has sent too many; a request
 * with a valid credential counts against that credential only. So junk from one address never holds back a caller
 * that can prove who it is, even from the same address (a load balancer's, without {@code TRUSTED_PROXIES}).
 */
final class Limits {
    /** Set on a request answered by the app's own error mapping: no endpoint checked a credential on it. */
    static final String UNPROVEN = "countersign.unproven";
    static final Limits NONE = new Limits(Throttle.none(), Throttle.none(), null, TrustedProxies.NONE);

    private final Throttle perAddress;
    private final Throttle perCredential;
    private final KeyValues kv;
    private final TrustedProxies proxies;

    /** {@code kv} remembers self-checking endpoints' credentials that are held back; null: never held. */
    Limits(Throttle perAddress, Throttle perCredential, KeyValues kv, TrustedProxies proxies) {
        this.perAddress = perAddress;
        this.perCredential = perCredential;
        this.kv = kv;
        this.proxies = proxies;
    }

    String client(Context ctx) { return proxies.client(ctx); }

    /** A request on a limited route that needs no credential here (the API on loopback without a token). */
    void anonymous(Context ctx) {
        if (Paths.isLimited(ctx.path()) && perAddress.check("ip:" + client(ctx)) instanceof Throttle.Refused held)
            throw refuse(ctx, held.retryAfter(), held.message());
    }

    /** No credential, or a wrong one: counts against the address, and is told 429 once it has failed too often. */
    void failed(Context ctx) {
        if (perAddress.check("ip:" + client(ctx)) instanceof Throttle.Refused held)
            throw refuse(ctx, held.retryAfter(), lockedOut(ctx, held.retryAfter()));
    }

    /** A valid credential, named ({@code dashboard-token}, {@code console-token}): counts against it alone. */
    void authenticated(Context ctx, String credential) {
        if (Paths.isLimited(ctx.path()) && perCredential.check("credential:" + credential) instanceof Throttle.Refused held)
            throw refuse(ctx, held.retryAfter(), held.message());
    }

    // ---- endpoints that check their own credential: the webhooks and sign-in ---------------------------------

    /** Before such an endpoint: its credential may be held back for having been used too often. */
    void beforeSelfChecked(Context ctx) {
        if (kv == null || !selfChecked(ctx)) return;
        var until = kv.get(heldKey(ctx)).map(Limits::instant).orElse(null);
        var wait = until == null ? Duration.ZERO : Duration.between(Instant.now(), until);
        if (!wait.isNegative() && !wait.isZero()) throw refuse(ctx, wait, "Slow down: this endpoint's credential was used too often. "
                + "Nothing was recorded; try again in " + seconds(wait) + " s.");
    }

    /** After it: a 401 counts against the address (429 when locked out); any answer of its own against the credential. */
    void afterSelfChecked(Context ctx) {
        if (!selfChecked(ctx) || ran(ctx) == null || ctx.statusCode() >= 500 || Boolean.TRUE.equals(ctx.attribute(UNPROVEN)))
            return;
        if (ctx.statusCode() == HttpStatus.UNAUTHORIZED.getCode()) {
            if (perAddress.check("ip:" + client(ctx)) instanceof Throttle.Refused held) {
                var message = lockedOut(ctx, held.retryAfter());
                ctx.header("Retry-After", seconds(held.retryAfter())).status(HttpStatus.TOO_MANY_REQUESTS)
                        .json(new ApiError(message));
            }
            return;
        }
        if (kv != null && perCredential.check("credential:" + credentialOf(ctx)) instanceof Throttle.Refused held)
            kv.put(heldKey(ctx), Instant.now().plus(held.retryAfter()).toString(), held.retryAfter());
    }

    /** Sign-in and webhook POSTs: GETs of the sign-in page check nothing, and flooding them must not hold sign-in back. */
    private static boolean selfChecked(Context ctx) {
        var path = ctx.path();
        return Paths.isLimited(path) && Paths.isPublic(path) && !"GET".equals(ctx.method().name())
                && !"HEAD".equals(ctx.method().name());
    }

    private static String credentialOf(Context ctx) {
        return ctx.method().name() + " " + Paths.canonical(ctx.path());
    }

    private static String heldKey(Context ctx) { return "held:" + credentialOf(ctx); }

    private static Object ran(Context ctx) {
        try {
            return ctx.endpoints().lastHttpEndpoint();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private String lockedOut(Context ctx, Duration wait) {
        return "Too many failed authentications from " + client(ctx) + " (no credential, or a wrong one). Nothing "
                + "was recorded; try again in " + seconds(wait) + " s with a valid token or signature";
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
