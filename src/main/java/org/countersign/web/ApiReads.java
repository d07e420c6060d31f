package org.countersign.web;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.countersign.app.RequestService;
import org.countersign.domain.Disclosure;
import org.countersign.domain.State;

/**
 * What the API answers without changing anything: health and readiness, the metrics, the requests (a list, one with
 * its timeline, those awaiting review) and where the deployment windows stand. Who may read is decided before these
 * run (see {@link Access}); what a confidential request shows is {@link RequestView}'s, by the one disclosure rule.
 */
final class ApiReads {
    static final int LIST_LIMIT_MAX = 500;

    private final RequestService service;
    private final Readiness readiness;
    private final Metrics metrics;
    private final Callers callers;

    ApiReads(RequestService service, Readiness readiness, Metrics metrics, Callers callers) {
        this.service = service;
        this.readiness = readiness;
        this.metrics = metrics;
        this.callers = callers;
    }

    void health(Context ctx) {
        ctx.json(Map.of("status", "alive"));
    }

    void ready(Context ctx) {
        var problem = readiness.problem();
        var warnings = readiness.warnings();
        var policy = String.valueOf(service.policy().sha256());
        if (problem.isPresent()) ErrorAnswers.error(ctx, HttpStatus.SERVICE_UNAVAILABLE, problem.get());
        else if (warnings.isEmpty()) ctx.json(Map.of("status", "ready", "policy", policy));
        else ctx.json(Map.of("status", "ready", "policy", policy, "warnings", warnings));
    }

    void metrics(Context ctx) {
        if (!metrics.admits(ctx.header("Authorization"))) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"metrics\"");
            ErrorAnswers.error(ctx, HttpStatus.UNAUTHORIZED, "Send the metrics token: Authorization: Bearer <METRICS_TOKEN>");
            return;
        }
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }

    /** Where the deployment windows and freezes stand now: {@code GET /api/windows}. */
    void windows(Context ctx) {
        ctx.json(WindowsView.of(service.policy().windows(), service.now(), service.workflow()));
    }

    /** {@code GET /api/requests?state=...&limit=...}: every problem with the query named in one answer. */
    void list(Context ctx) {
        var problems = new ArrayList<String>();
        var states = EnumSet.noneOf(State.class);
        var unknown = new ArrayList<String>();
        for (var param : ctx.queryParams("state"))
            for (var name : param.split(","))
                if (!name.isBlank()) parseState(name).ifPresentOrElse(states::add, () -> unknown.add(ErrorAnswers.echo(name)));
        if (!unknown.isEmpty())
            problems.add("Unknown state" + (unknown.size() == 1 ? " " : "s ") + String.join(", ", unknown)
                    + "; use one or more of " + Arrays.toString(State.values()) + ", comma-separated");
        var limit = parseLimit(ctx.queryParam("limit"));
        if (limit.isEmpty())
            problems.add("limit must be a whole number from 1 to " + LIST_LIMIT_MAX + ", not " + ErrorAnswers.echo(ctx.queryParam("limit")));
        if (!problems.isEmpty()) throw new WebApp.BadRequest(String.join("; and ", problems));
        var audience = callers.audience(ctx, service::member);
        var views = service.recent(states, limit.getAsInt()).stream()
                .map(r -> RequestView.of(r, null, service.workflow(), audience)).toList();
        ctx.json(Map.of("requests", views));
    }

    /** The requests awaiting the review their policy requires, the longest due first, each marked overdue or not. */
    void reviews(Context ctx) {
        var now = service.now();
        var audience = callers.audience(ctx, service::member);
        var awaiting = service.awaitingReview().stream().map(r -> Map.of("overdue", r.reviewOverdue(now),
                "request", RequestView.of(r, null, service.workflow(), audience))).toList();
        ctx.json(Map.of("reviews", awaiting, "dueAfter", service.policy().review().dueAfter().toString()));
    }

    void one(Context ctx) {
        var id = WebApp.requestId(ctx);
        var request = service.find(id);
        if (request.isEmpty()) {
            ErrorAnswers.error(ctx, HttpStatus.NOT_FOUND, "There is no request " + id);
            return;
        }
        var audience = callers.audience(ctx, service::member);
        var hidden = Disclosure.hidesFrom(request.get(), audience);
        ctx.json(RequestView.of(request.get(), hidden ? null : service.timeline(id), service.workflow(), audience));
    }

    private static Optional<State> parseState(String name) {
        try {
            return Optional.of(State.valueOf(name.strip().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static OptionalInt parseLimit(String raw) {
        if (raw == null || raw.isBlank()) return OptionalInt.of(100);
        try {
            int limit = Integer.parseInt(raw.strip());
            if (limit >= 1 && limit <= LIST_LIMIT_MAX) return OptionalInt.of(limit);
        } catch (NumberFormatException e) {
            // not a number: the caller names the problem
        }
        return OptionalInt.empty();
    }
}
