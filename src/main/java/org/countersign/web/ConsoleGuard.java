package org.countersign.web;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Who may use the console, and the proof that a press came from its page: this machine or a signed-in person; for a
 * POST, the page's token in a header matching its SameSite=Strict cookie (double submit) and this site's origin.
 */
final class ConsoleGuard {
    static final String CSRF_COOKIE = "countersign_console";
    static final String CSRF_HEADER = "X-Countersign-Csrf";

    private final Callers callers;
    private final HostCheck hosts;
    private final SecureRandom random = new SecureRandom();

    ConsoleGuard(Callers callers, HostCheck hosts) {
        this.callers = callers;
        this.hosts = hosts;
    }

    /** Before every console route: this machine only; and for POSTs, the page's token and this site's origin. */
    void check(Context ctx) {
        if (!Access.isLocal(ctx) && callers.person(ctx).isEmpty()) {
            ctx.skipRemainingHandlers();
            ErrorAnswers.refusing(ctx);
            ctx.status(HttpStatus.FORBIDDEN).json(new ApiError("The console answers only on this machine "
                    + "(a loopback address, no proxy) and to people signed in at /signin; use Slack or Matrix from elsewhere"));
            return;
        }
        if (!"POST".equals(ctx.method().name())) return;
        var cookie = ctx.cookie(CSRF_COOKIE);
        var header = ctx.header(CSRF_HEADER);
        var origin = ctx.header("Origin");
        // This site's origin as HostCheck knows it, not whatever the request names: a page on a name pointed here
        // (DNS rebinding) would name itself in both Origin and Host.
        boolean sameOrigin = origin == null || hosts.allowsOrigin(origin, ctx.header("Host"), Access.isHttps(ctx));
        if (cookie == null || header == null || !sameOrigin || !MessageDigest.isEqual(
                cookie.getBytes(StandardCharsets.UTF_8), header.getBytes(StandardCharsets.UTF_8))) {
            ctx.skipRemainingHandlers();
            ErrorAnswers.refusing(ctx);
            ctx.status(HttpStatus.FORBIDDEN).json(new ApiError("This did not come from the console page "
                    + "(its token is missing or stale); reload /console and try again"));
        }
    }

    /** The page's token: the browser's, or a new one set as its cookie. */
    String token(Context ctx) {
        var csrf = ctx.cookie(CSRF_COOKIE);
        if (csrf != null && csrf.matches("[0-9a-f]{64}")) return csrf;
        var bytes = new byte[32];
        random.nextBytes(bytes);
        csrf = HexFormat.of().formatHex(bytes);
        ctx.cookie(new Cookie(CSRF_COOKIE, csrf, "/console", -1, Access.isHttps(ctx), true, null, SameSite.STRICT));
        return csrf;
    }
}
