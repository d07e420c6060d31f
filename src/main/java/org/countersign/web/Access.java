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
 * Who may see the dashboard, the API and the console. With a dashboard token, a person signs in once and gets
 * an HttpOnly, SameSite=Strict cookie (a keyed hash of the token, never the token itself); scripts send
 * {@code Authorization: Bearer <token>}. Without a token the server listens on loopback only (Config refuses
 * anything else), so everything here is open. Health, metrics and the chat platforms' endpoints (which check
 * their own signatures) are never behind the token. People signed in through the identity provider and scripts with a
 * named API token ({@link Callers}) are let through too.
 */
final class Access {
    static final String SESSION_COOKIE = "countersign_session";
    static final int SESSION_DAYS = 30;

    private final byte[] token;
    private final byte[] session;
    private final Callers callers;

    Access(String dashboardToken) { this(dashboardToken, Callers.NONE); }

    Access(String dashboardToken, Callers callers) {
        this.callers = callers;
        this.token = dashboardToken == null ? null : dashboardToken.getBytes(StandardCharsets.UTF_8);
        this.session = token == null ? null : sessionValue(token).getBytes(StandardCharsets.UTF_8);
    }

    boolean required() { return token != null || callers.signInOn(); }

    /** Whether people sign in through the identity provider. */
    boolean signInOn() { return callers.signInOn(); }

    /** Whether the dashboard token opens the pages (else only the identity provider does). */
    boolean tokenOn() { return token != null; }

    /** The paths behind the token: the dashboard, its live events and partials, the JSON API and the console. */
    static boolean guards(String path) {
        return path.equals("/") || path.startsWith("/requests/") || path.startsWith("/partials/")
                || path.equals("/events") || path.equals("/api") || path.startsWith("/api/")
                || path.equals("/console") || path.startsWith("/console/");
    }

    /** The before-handler: lets a signed-in person through; sends anyone else to sign in (pages) or answers 401. */
    void check(Context ctx) {
        if (!required() || !guards(ctx.path()) || signedIn(ctx)) return;
        ctx.skipRemainingHandlers();
        if ("GET".equals(ctx.method().name()) && acceptsHtml(ctx) && !ctx.path().startsWith("/api")
                && !ctx.path().equals("/events")) {
            ctx.redirect("/signin?next=" + URLEncoder.encode(ctx.path(), StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
            return;
        }
        ctx.header("WWW-Authenticate", "Bearer realm=\"countersign\"");
        ctx.status(HttpStatus.UNAUTHORIZED).json(new ApiError(token == null
                ? "Sign in at /signin, or send Authorization: Bearer <a named API token>"
                : "Sign in at /signin with the dashboard token, or send Authorization: Bearer <DASHBOARD_TOKEN>"));
    }

    boolean signedIn(Context ctx) {
        if (!required() || callers.of(ctx).isPresent()) return true;
        var cookie = ctx.cookie(SESSION_COOKIE);
        if (cookie != null && MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8), session)) return true;
        var auth = ctx.header("Authorization");
        return auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                && matches(auth.substring(7).strip());
    }

    /** Compares in constant time, so the answer's timing says nothing about how much of a guess was right. */
    boolean matches(String candidate) {
        return candidate != null && token != null
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
