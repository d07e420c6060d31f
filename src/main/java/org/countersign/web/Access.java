package org.countersign.web;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may see the dashboard, the API and the console: every path but the few {@link RoutePolicy} lists as public
 * needs the token. With a dashboard token, a person signs in once and gets an HttpOnly, SameSite=Strict cookie (a
 * keyed hash of the token, never the token itself); scripts send {@code Authorization: Bearer <token>}. Without
 * one, the token is made at start and printed in the start-up link ({@code /console?token=…}), which sets the same
 * cookie, as notebook servers do: loopback is not authentication. Health, metrics and the chat platforms'
 * endpoints (which check their own signatures) are never behind the token. People signed in through the identity
 * provider and scripts with a named API token ({@link Callers}) are let through too. {@link Limits} counts what
 * follows: failures per client address, successes per credential.
 */
final class Access {
    static final String SESSION_COOKIE = "countersign_session";
    static final int SESSION_DAYS = 30;

    /** The query parameter of the start-up link that carries the token. */
    static final String LINK_TOKEN = "token";

    private final byte[] token;
    private final byte[] session;
    private final boolean tokenKnown;
    private final boolean startup;
    private final Limits limits;
    private final Callers callers;

    Access(String dashboardToken) {
        this(dashboardToken, false, Limits.NONE, Callers.NONE);
    }

    Access(String dashboardToken, Callers callers) {
        this(dashboardToken, false, Limits.NONE, callers);
    }

    /**
     * @param token   the token that opens the pages (DASHBOARD_TOKEN or this run's start-up token), or null when none
     *                does: then only people signed in and API tokens get in (deny by default, never open)
     * @param startup the token was made at start (and printed in the start-up link), not set as DASHBOARD_TOKEN
     */
    Access(String token, boolean startup, Limits limits, Callers callers) {
        this.tokenKnown = token != null;
        // With no token, one nobody holds: every protected path still asks for a credential.
        this.token = (token != null ? token : randomToken()).getBytes(StandardCharsets.UTF_8);
        this.session = sessionValue(this.token).getBytes(StandardCharsets.UTF_8);
        this.startup = startup;
        this.limits = limits;
        this.callers = callers;
    }

    /** Every protected path asks for a credential: loopback is not authentication. */
    boolean required() { return true; }

    /** Whether a token (DASHBOARD_TOKEN or the start-up one) opens the pages, else only sign-in and API tokens do. */
    boolean tokenOn() { return tokenKnown; }

    /** Whether people sign in through the identity provider. */
    boolean signInOn() { return callers.signInOn(); }

    /** Whether the token is this run's start-up token rather than DASHBOARD_TOKEN. */
    boolean startup() { return startup; }

    /** Every path is behind the token unless it is public, however it is spelled. */
    static boolean guards(String path) {
        return !RoutePolicy.isPublic(path);
    }

    /** The before-handler: lets a signed-in person through; sends anyone else to sign in (pages) or answers 401. */
    void check(Context ctx) {
        if (!guards(ctx.path())) return;
        var caller = callers.of(ctx);
        if (caller.isPresent()) {
            limits.admitted(ctx, caller.get().actor().toString());
            return;
        }
        if (signedIn(ctx)) {
            limits.admitted(ctx, "dashboard-token");
            return;
        }
        if (openedByLink(ctx)) return;
        limits.failed(ctx);
        ctx.skipRemainingHandlers();
        ErrorAnswers.refusing(ctx);
        if ("GET".equals(ctx.method().name()) && acceptsHtml(ctx) && !ctx.path().startsWith("/api")
                && !ctx.path().equals("/events")) {
            var next = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
            ctx.redirect("/signin?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
            return;
        }
        ctx.header("WWW-Authenticate", "Bearer realm=\"countersign\"");
        ctx.status(HttpStatus.UNAUTHORIZED).json(new ApiError(startup
                ? "Sign in at /signin with the token in the link Countersign printed when it started "
                        + "(http://127.0.0.1:<port>/console?token=…; opening that link signs this browser in), or send "
                        + "Authorization: Bearer <that token>"
                : tokenKnown ? "Sign in at /signin with the dashboard token, or send Authorization: Bearer <DASHBOARD_TOKEN>"
                : "Sign in at /signin, or send Authorization: Bearer <a named API token>"));
    }

    /**
     * The start-up link: a GET with the token in the query sets the session cookie and is sent to the same page
     * without it, so the token leaves the address bar and the history at once.
     */
    private boolean openedByLink(Context ctx) {
        var candidate = ctx.queryParam(LINK_TOKEN);
        if (candidate == null || !startup || !"GET".equals(ctx.method().name()) || !matches(candidate)) return false;
        signIn(ctx);
        var rest = new StringBuilder();
        var query = ctx.queryString();
        for (var pair : query == null ? new String[0] : query.split("&"))
            if (!pair.isEmpty() && !pair.equals(LINK_TOKEN) && !pair.startsWith(LINK_TOKEN + "="))
                rest.append(rest.isEmpty() ? "?" : "&").append(pair);
        ctx.skipRemainingHandlers();
        ctx.header("Cache-Control", "no-store").header("Referrer-Policy", "no-referrer");
        ctx.redirect(ctx.path() + rest, HttpStatus.SEE_OTHER);
        return true;
    }

    /** Whether the request carries the token, or its session cookie (people signed in are {@link Callers}). */
    boolean signedIn(Context ctx) {
        if (!tokenKnown) return false;
        var cookie = ctx.cookie(SESSION_COOKIE);
        if (cookie != null && MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8), session)) return true;
        var auth = ctx.header("Authorization");
        return auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                && matches(auth.substring(7).strip());
    }

    /** Compares in constant time, so the answer's timing says nothing about how much of a guess was right. */
    boolean matches(String candidate) {
        return candidate != null && tokenKnown
                && MessageDigest.isEqual(candidate.getBytes(StandardCharsets.UTF_8), token);
    }

    void signIn(Context ctx) {
        var cookie = new Cookie(SESSION_COOKIE, new String(session, StandardCharsets.UTF_8), "/",
                SESSION_DAYS * 86_400, isHttps(ctx), true, null, SameSite.STRICT);
        ctx.cookie(cookie);
    }

    void signOut(Context ctx) {
        ctx.cookie(new Cookie(SESSION_COOKIE, "", "/", 0, isHttps(ctx), true, null, SameSite.STRICT));
    }

    /** The client is this machine: a loopback address, and no proxy in between that says it forwarded someone. */
    static boolean isLocal(Context ctx) {
        return isLocal(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"), ctx.header("Forwarded"));
    }

    static boolean isLocal(String remoteAddress, String forwardedFor, String forwarded) {
        if (forwardedFor != null || forwarded != null || remoteAddress == null) return false;
        var literal = remoteAddress.startsWith("[") ? remoteAddress.substring(1, remoteAddress.length() - 1)
                : remoteAddress;
        if (!literal.matches("[0-9a-fA-F:.%a-zA-Z]+") || !(literal.contains(".") || literal.contains(":")))
            return false;
        try {
            return InetAddress.getByName(literal).isLoopbackAddress(); // a literal: no DNS look-up
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static boolean isHttps(Context ctx) {
        return "https".equalsIgnoreCase(ctx.scheme()) || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    }

    /** Only a path on this site: {@code /requests/EMG-1}, never {@code //evil.example} or a full URL. */
    static String localPath(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")
                || next.chars().anyMatch(c -> c < 0x20)) return "/";
        return next;
    }

    private static boolean acceptsHtml(Context ctx) {
        var accept = ctx.header("Accept");
        return accept == null || accept.contains("text/html") || accept.contains("*/*");
    }

    /** A token for one run: 32 random bytes, hex. */
    static String randomToken() {
        var bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String sessionValue(byte[] token) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(token, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal("countersign dashboard session v1".getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
