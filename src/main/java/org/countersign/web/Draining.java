package org.countersign.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A rolling deploy's first step on this instance: once {@link #begin begun}, {@code /readyz} says 503 (the load balancer
 * sends new work elsewhere), and a request that changes something is refused with a 503 that says to try again (a slash
 * command gets the same words as an ephemeral reply), while the ones already in flight finish ({@link #awaitIdle}).
 * Reads still answer: they change nothing, and a browser's page is better served than refused.
 */
public final class Draining implements Consumer<RoutesConfig> {
    public static final String MESSAGE = "Countersign is restarting on this server; try again in a few seconds";
    private static final String COUNTED = "countersign.draining.counted";

    private volatile boolean on;
    private final AtomicInteger inFlight = new AtomicInteger();

    /** From now on: not ready, new changes refused. */
    public void begin() { on = true; }

    public boolean on() { return on; }

    /** Why the instance is not ready, while draining. */
    public Optional<String> problem() { return on ? Optional.of("shutting down: " + MESSAGE) : Optional.empty(); }

    /** Waits until every change in flight was answered, at most {@code within}; whether they all were. */
    public boolean awaitIdle(Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (inFlight.get() > 0) {
            if (System.nanoTime() > end) return false;
            Thread.sleep(10);
        }
        return true;
    }

    /** Changes answered neither yet. */
    public int inFlight() { return inFlight.get(); }

    @Override
    public void accept(RoutesConfig routes) {
        routes.before(this::before);
        routes.after(this::after);
    }

    private void before(Context ctx) {
        if (isRead(ctx)) return;
        if (!on) {
            // Counted before looking at the flag again, so begin() then awaitIdle() cannot miss one that got in.
            inFlight.incrementAndGet();
            ctx.attribute(COUNTED, Boolean.TRUE);
            if (!on) return;
            inFlight.decrementAndGet();
            ctx.attribute(COUNTED, null);
        }
        ctx.skipRemainingHandlers();
        ctx.header("Retry-After", "5").header("Connection", "close");
        if (isSlashCommand(ctx)) {
            // Slack shows a 503 as "dispatch failed"; an answer in words is shown to the person who typed it.
            ctx.status(HttpStatus.OK).json(Map.of("response_type", "ephemeral", "text", MESSAGE));
            return;
        }
        ErrorAnswers.refusing(ctx);
        ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(new ApiError(MESSAGE));
    }

    private void after(Context ctx) {
        if (Boolean.TRUE.equals(ctx.attribute(COUNTED))) {
            ctx.attribute(COUNTED, null);
            inFlight.decrementAndGet();
        }
    }

    private static boolean isRead(Context ctx) {
        var method = ctx.method().name();
        return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
    }

    private static boolean isSlashCommand(Context ctx) {
        if (!"/slack/events".equals(ctx.path())) return false;
        var type = ctx.contentType();
        return type != null && type.startsWith("application/x-www-form-urlencoded") && ctx.formParam("command") != null;
    }
}
