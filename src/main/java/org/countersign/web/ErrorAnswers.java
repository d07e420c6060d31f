package org.countersign.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.util.UUID;
import org.countersign.app.StoreUnavailable;
import org.eclipse.jetty.io.EofException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error the web app answers, in one JSON shape ({@link ApiError}) with a message a person can act on: input to
 * fix (400), too much (413, 429), the store away (503), Javalin's and Jetty's own refusals, and the unexpected (500,
 * with a reference into the log, never a stack trace). Every handler here returns whatever state the exchange is in:
 * a handler that throws is handed its own exception again, without end.
 */
final class ErrorAnswers {
    private static final Logger log = LoggerFactory.getLogger(ErrorAnswers.class);

    /** How much of a value the sender gave is quoted back in a message. */
    static final int ECHO_MAX = 40;

    private ErrorAnswers() {}

    /** A value the sender gave, quoted and cut short, so a long one is not sent back whole. */
    static String echo(String value) {
        return "\"" + org.countersign.chat.Texts.shorten(value == null ? "" : value.strip(), ECHO_MAX) + "\"";
    }

    /** Maps the exceptions and the unmatched routes to their answers. */
    static void register(RoutesConfig routes) {
        routes.exception(WebApp.BadRequest.class, (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST, e.getMessage()));
        routes.exception(WebApp.TooManyRequests.class,
                (e, ctx) -> error(ctx, HttpStatus.TOO_MANY_REQUESTS, e.getMessage()));
        routes.exception(WebApp.TooLarge.class, (e, ctx) -> error(ctx, HttpStatus.CONTENT_TOO_LARGE, e.getMessage()));
        // Javalin's own answers (a body over maxRequestSize, ...) in our JSON shape.
        routes.exception(HttpResponseException.class, (e, ctx) -> {
            if (e.getStatus() == 413) drain(ctx);
            error(ctx, HttpStatus.forStatus(e.getStatus()), e.getStatus() == 413
                    ? "The request body is larger than " + WebApp.MAX_REQUEST_SIZE / 1000 + " kB" : e.getMessage());
        });
        routes.exception(StoreUnavailable.class, (e, ctx) -> {
            log.warn("state store unavailable: {}", e.getMessage());
            error(ctx, HttpStatus.SERVICE_UNAVAILABLE, e.mayBeRecorded()
                    ? "State store unavailable: the change may or may not have been recorded; read the request before "
                    + "trying again" : "State store unavailable; nothing was recorded, try again");
        });
        // The client sent fewer bytes than it announced (Content-Length, a broken chunk) and closed: its fault.
        routes.exception(EofException.class, (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST,
                "The request body ended early (fewer bytes than announced, or a broken chunk); nothing was recorded"));
        // A path parameter with a % not followed by two hex digits fails Javalin's decoding: the sender's mistake.
        routes.exception(IllegalArgumentException.class, (e, ctx) -> {
            if (String.valueOf(e.getMessage()).startsWith("URLDecoder:")) error(ctx, HttpStatus.BAD_REQUEST,
                    "The path has a % that is not followed by two hex digits; encode % as %25");
            else unexpected(e, ctx);
        });
        routes.exception(Exception.class, ErrorAnswers::unexpected);
        // Javalin answers unmatched routes in plain text; ours are JSON and already say what is missing.
        routes.error(404, ctx -> {
            if (!isJson(ctx) && !isHtml(ctx)) error(ctx, HttpStatus.NOT_FOUND, "No such page: " + where(ctx));
        });
        routes.error(405, ctx -> {
            if (!isJson(ctx)) error(ctx, HttpStatus.METHOD_NOT_ALLOWED, "That method is not allowed: " + where(ctx));
        });
    }

    /** {@code GET /api/requests}; never throws, for an exchange that is over has no method or path any more. */
    private static String where(Context ctx) {
        try {
            return ctx.method() + " " + ctx.path();
        } catch (RuntimeException gone) {
            return "an exchange that is already over"; // its request recycled by Jetty
        }
    }

    /** Never throws: an exception handler that throws is handed its own exception again, without end. */
    static void unexpected(Exception e, Context ctx) {
        var ref = UUID.randomUUID().toString().substring(0, 8);
        log.error("unexpected error on {} (ref {})", where(ctx), ref, e);
        error(ctx, HttpStatus.INTERNAL_SERVER_ERROR, "Something broke on our side (ref " + ref
                + "); nothing was recorded. The server log has the details");
    }

    /** One spelling per path, before routing: what is checked is what is served (see {@link RoutePolicy}). */
    static void refuseOtherSpellings(Context ctx) {
        var problem = RoutePolicy.problem(ctx.path());
        if (problem.isEmpty()) return;
        ctx.skipRemainingHandlers();
        error(ctx, HttpStatus.forStatus(problem.get().status()), problem.get().message());
    }

    private static boolean isJson(Context ctx) { return contentType(ctx).startsWith("application/json"); }

    /** A page that already says what is missing, in its own words. */
    private static boolean isHtml(Context ctx) { return contentType(ctx).startsWith("text/html"); }

    /** The answer's content type so far; for an exchange already over, as if answered (nothing more to write). */
    private static String contentType(Context ctx) {
        try {
            var type = ctx.res().getContentType();
            return type == null ? "" : type;
        } catch (RuntimeException gone) {
            return "application/json";
        }
    }

    /**
     * Reads and drops what is left of a body too large to take, up to a bound: answered while the client still sends,
     * the connection is reset under it and it hears no answer at all.
     */
    private static void drain(Context ctx) { drain(ctx, WebApp.DRAIN_MAX); }

    /** Reads and drops up to {@code max} bytes of the body a refusal answers without reading it. */
    static void drain(Context ctx, long max) {
        try {
            var in = ctx.req().getInputStream();
            var buffer = new byte[64 * 1024];
            long left = max;
            for (int n; left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0; ) left -= n;
        } catch (java.io.IOException | RuntimeException ignored) {
            // the client went away: nobody is left to answer
        }
    }

    static void error(Context ctx, HttpStatus status, String message) {
        refusing(ctx);
        try {
            ctx.status(status).json(new ApiError(message));
        } catch (RuntimeException e) {
            // The exchange is over (a live stream the client left, a response already sent): nobody is left to answer.
            // Thrown from an exception handler, this would be handled again, and again, without end.
            log.debug("could not answer {}: {}", status.getCode(), e.toString());
        }
    }

    /**
     * Before answering a refusal: reads and drops what is left of the body (up to {@link WebApp#MAX_REQUEST_SIZE}), for a
     * refusal answered while the client still sends its body has the connection reset under it, and it hears nothing.
     * A body already read costs nothing here.
     */
    static void refusing(Context ctx) {
        try {
            var method = ctx.method().name();
            if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) return;
            drain(ctx, WebApp.MAX_REQUEST_SIZE);
        } catch (RuntimeException e) {
            // the exchange is already over (its request recycled): there is nothing left to read
        }
    }
}
