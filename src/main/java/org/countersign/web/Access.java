package org.countersign.web;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may see the dashboard, the API and the console. Every route needs a credential unless {@link Paths} lists it
 * as public, however it is spelled. With a dashboard token, a person signs in once and gets an HttpOnly,
 * SameSite=Strict cookie (a keyed hash of the token, never the token itself); scripts send
 * {@code Authorization: Bearer <token>}. Without one the server listens on loopback only (Config refuses anything
 * else): the dashboard and API are open there, but the console, which acts as people, needs the random token
 * printed at start (its start-up URL sets a cookie, as notebook servers do). Health, metrics, sign-in and the chat
 * platforms' endpoints (which check their own signatures) are public. Failures and successes are counted by
 * {@link Limits}, after the credential is checked.
 */
final class Access {
    static final String SESSION_COOKIE = "countersign_session";
    static final String CONSOLE_COOKIE = "countersign_console_access";
    static final int SESSION_DAYS = 30;

    private final byte[] token;
    private final byte[] session;
    private final byte[] consoleToken;
    private final byte[] consoleSession;
    private final Limits limits;

    Access(String dashboardToken) {
        this(dashboardToken, null, Limits.NONE);
    }

    /** {@code consoleToken}: what opens the console when there is no dashboard token; null keeps it closed. */
    Access(String dashboardToken, String consoleToken, Limits limits) {
        this.token = dashboardToken == null ? null : dashboardToken.getBytes(StandardCharsets.UTF_8);
        this.session = token == null ? null : sessionValue(token).getBytes(StandardCharsets.UTF_8);
        this.consoleToken = consoleToken == null ? null : consoleToken.getBytes(StandardCharsets.UTF_8);
        this.consoleSession = consoleToken == null ? null : sessionValue(this.consoleToken).getBytes(StandardCharsets.UTF_8);
        this.limits = limits;
    }

    boolean required() { return token != null; }

    /** A new console token: 32 random bytes, hex. */
    static String randomToken() {
        var bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The before-handler: lets a caller with a credential through; sends anyone else to sign in (pages) or answers 401. */
    void check(Context ctx) {
        var path = ctx.path();
        if (Paths.isPublic(path)) return;
        boolean console = Paths.isConsole(path);
        if (!required() && !console) {
            limits.anonymous(ctx);
            return;
        }
        var credential = required() ? (signedIn(ctx) ? "dashboard-token" : null) : consoleCredential(ctx);
        if (credential != null) {
            limits.authenticated(ctx, credential);
            return;
        }
        limits.failed(ctx);
        ctx.skipRemainingHandlers();
        if (!required()) {
            ctx.status(HttpStatus.UNAUTHORIZED).json(new ApiError("The console needs the token Countersign printed "
                    + "when it started: open the console URL from its start-up line (http://" + ctx.host()
                    + "/console?token=…) in this browser once, and it keeps a cookie"));
            return;
        }
        var canonical = Paths.canonical(path);
        if ("GET".equals(ctx.method().name()) && acceptsHtml(ctx) && !canonical.startsWith("/api")
                && !Paths.isLiveEvents(path)) {
            ctx.redirect("/signin?next=" + URLEncoder.encode(localPath(path), StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
            return;
        }
        ctx.header("WWW-Authenticate", "Bearer realm=\"countersign\"");
        ctx.status(HttpStatus.UNAUTHORIZED).json(new ApiError(
                "Sign in at /signin with the dashboard token, or send Authorization: Bearer <DASHBOARD_TOKEN>"));
    }

    /** The console's cookie or bearer token; or its start-up URL, which sets the cookie and redirects to the clean URL. */
    private String consoleCredential(Context ctx) {
        if (consoleToken == null) return null;
        var cookie = ctx.cookie(CONSOLE_COOKIE);
        if (cookie != null && MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8), consoleSession))
            return "console-token";
        if (bearer(ctx, consoleToken)) return "console-token";
        var query = ctx.queryParam("token");
        if (query == null || !"GET".equals(ctx.method().name())
                || !MessageDigest.isEqual(query.getBytes(StandardCharsets.UTF_8), consoleToken)) return null;
        ctx.cookie(new Cookie(CONSOLE_COOKIE, new String(consoleSession, StandardCharsets.UTF_8), "/console", -1,
                isHttps(ctx), true, null, SameSite.STRICT));
        var rest = new StringBuilder();
        ctx.queryParamMap().forEach((name, values) -> {
            if (!name.equals("token")) for (var value : values)
                rest.append(rest.isEmpty() ? "?" : "&").append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                        .append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
        ctx.skipRemainingHandlers();
        ctx.redirect(Paths.canonical(ctx.path()) + rest, HttpStatus.SEE_OTHER);
        return "console-token";
    }

    boolean signedIn(Context ctx) {
        if (!required()) return true;
        var cookie = ctx.cookie(SESSION_COOKIE);
        if (cookie != null && MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8), session)) return true;
        return bearer(ctx, token);
    }

    private static boolean bearer(Context ctx, byte[] expected) {
        var auth = ctx.header("Authorization");
        return auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && MessageDigest.isEqual(
                auth.substring(7).strip().getBytes(StandardCharsets.UTF_8), expected);
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
        if (forwardedFor != null || forwarded != null) return false;
        var literal = TrustedProxies.literal(remoteAddress); // a literal: no DNS look-up
        return literal != null && literal.isLoopbackAddress();
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
