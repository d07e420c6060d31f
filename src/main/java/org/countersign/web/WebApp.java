package org.countersign.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import java.net.URI;
import java.time.Clock;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Consumer;
import io.javalin.config.RoutesConfig;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.countersign.app.KeyValues;
import org.countersign.app.RequestService;
import org.countersign.app.SessionStore;
import org.countersign.app.StoreUnavailable;
import org.countersign.app.Throttle;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.countersign.receipt.Receipts;
import org.countersign.receipt.SigningKeys;
import org.eclipse.jetty.io.EofException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of Countersign: health, the JSON API, metrics, the live dashboard and the local console. The same
 * app runs in production and tests.
 */
public final class WebApp {
    private static final Logger log = LoggerFactory.getLogger(WebApp.class);
    static final int LIST_LIMIT_MAX = 500;
    static final long MAX_REQUEST_SIZE = 1_000_000;
    /** How much of a too-large body is read and dropped so its sender hears the 413. */
    static final long DRAIN_MAX = 16_000_000;
    /** Where the receipts' public keys are published, as a JWKS. */
    public static final String KEYS_PATH = "/.well-known/countersign/keys";

    private final RequestService service;
    private final Readiness readiness;
    private final Metrics metrics;
    private final Receipts receipts;

    private WebApp(RequestService service, Readiness readiness, Metrics metrics, Receipts receipts) {
        this.service = service;
        this.readiness = readiness;
        this.metrics = metrics;
        this.receipts = receipts;
    }

    /** Builds the app with every route; the caller starts it. */
    public static Javalin create(RequestService service, Readiness readiness, Metrics metrics, ObjectMapper json) {
        return create(service, readiness, metrics, json, List.of());
    }

    /** Builds the app with every route, plus the routes of the chat adapters (Slack's Request URL). */
    public static Javalin create(RequestService service, Readiness readiness, Metrics metrics, ObjectMapper json,
                                 List<Consumer<RoutesConfig>> adapters) {
        return create(service, readiness, metrics, json, adapters, Options.NONE);
    }

    /**
     * What the dashboard and the console need beyond the API.
     *
     * @param dashboardToken the sign-in token, or null: then one is made for this app, which nobody knows
     * @param consolePeople  who one may act as in the console; the console is off when null
     * @param live           the live events for Server-Sent Events, or null for pages without live updates
     * @param perAddress     failed authentications per client address
     * @param receipts       what receipts are signed with
     * @param identity       sign-in through an identity provider and the named API tokens
     * @param edge           who reaches the app, by which name, and how often
     */
    public record Options(String dashboardToken, List<String> consolePeople, LiveEvents live, Throttle perAddress,
                          Throttle perPerson, Receipts receipts, Identity identity, Edge edge) {
        static final Options NONE = new Options(null, null, null, Throttle.none(), Throttle.none());

        public Options(String dashboardToken, List<String> consolePeople, LiveEvents live) {
            this(dashboardToken, consolePeople, live, Throttle.none(), Throttle.none());
        }

        /** With receipts signed by a key of this app's own, no sign-in, no proxies (tests; an app built without settings). */
        public Options(String dashboardToken, List<String> consolePeople, LiveEvents live, Throttle perAddress,
                       Throttle perPerson) {
            this(dashboardToken, consolePeople, live, perAddress, perPerson, new Receipts(SigningKeys.ephemeral()),
                    Identity.NONE, Edge.NONE);
        }

        public Options(String dashboardToken, List<String> consolePeople, LiveEvents live, Throttle perAddress,
                       Throttle perPerson, Identity identity) {
            this(dashboardToken, consolePeople, live, perAddress, perPerson, new Receipts(SigningKeys.ephemeral()),
                    identity, Edge.NONE);
        }

        public Options(String dashboardToken, List<String> consolePeople, LiveEvents live, Throttle perAddress,
                       Throttle perPerson, Receipts receipts) {
            this(dashboardToken, consolePeople, live, perAddress, perPerson, receipts, Identity.NONE, Edge.NONE);
        }

        public Options(String dashboardToken, List<String> consolePeople, LiveEvents live, Throttle perAddress,
                       Throttle perPerson, Edge edge) {
            this(dashboardToken, consolePeople, live, perAddress, perPerson, new Receipts(SigningKeys.ephemeral()),
                    Identity.NONE, edge);
        }

        @Override
        public String toString() {
            return "Options[dashboardToken=" + (dashboardToken == null ? null : "****") + ", consolePeople="
                    + consolePeople + ", identity=" + identity + "]";
        }
    }

    /**
     * Who may act on the web besides the console's loopback people.
     *
     * @param oidc      sign-in through an OpenID Connect provider, or null when off
     * @param apiTokens the named API tokens of scripts and pipelines
     * @param sessions  where signed-in sessions and sign-ins in progress are kept (needed with {@code oidc})
     * @param clock     the time sessions start and expire by
     */
    public record Identity(OidcSettings oidc, ApiTokens apiTokens, SessionStore sessions, Clock clock) {
        public static final Identity NONE = new Identity(null, ApiTokens.NONE, null, Clock.systemUTC());

        public Identity {
            if (oidc != null && sessions == null) throw new IllegalArgumentException("sign-in needs a session store");
        }
    }

    /**
     * Who reaches the app and how often, at its edge.
     *
     * @param startupToken   the dashboard token was made at start (and printed in the start-up link), not set
     * @param publicUrl      the address people reach Countersign by (PUBLIC_URL), or null: loopback names only
     * @param trustedProxies load balancers (addresses, CIDRs) whose X-Forwarded-For or Forwarded names the client
     * @param perCredential  requests per valid credential on the API, the console and the webhooks
     * @param kv             where webhook credentials held back are remembered; null: never held back
     */
    public record Edge(boolean startupToken, URI publicUrl, List<String> trustedProxies, Throttle perCredential,
                       KeyValues kv) {
        static final Edge NONE = new Edge(false, null, List.of(), Throttle.none(), null);

        public Edge {
            trustedProxies = List.copyOf(trustedProxies);
        }
    }

    /** A token for one run, for the start-up link when DASHBOARD_TOKEN is not set. */
    public static String startupToken() { return Access.randomToken(); }

    /** Builds the app with every route, the chat adapters' routes, the dashboard and (when on) the console. */
    public static Javalin create(RequestService service, Readiness readiness, Metrics metrics, ObjectMapper json,
                                 List<Consumer<RoutesConfig>> adapters, Options options) {
        var web = new WebApp(service, readiness, metrics, options.receipts());
        var edge = options.edge();
        var limits = new Limits(options.perAddress(), edge.perCredential(), edge.kv(),
                ClientAddress.parse(String.join(",", edge.trustedProxies()), new java.util.ArrayList<>()));
        var hosts = new HostCheck(edge.publicUrl());
        var identity = options.identity();
        var sessions = identity.oidc() == null ? null
                : new Sessions(identity.sessions(), identity.oidc().sessionTtl(), identity.clock(),
                "https".equals(identity.oidc().redirectUri().getScheme()));
        var callers = new Callers(sessions, identity.apiTokens());
        var access = new Access(options.dashboardToken(), options.dashboardToken() != null && edge.startupToken(),
                limits, callers);
        var oidc = sessions == null ? null
                : new OidcSignIn(identity.oidc(), identity.sessions(), sessions, service::policy, json);
        var actions = new RequestActions(service, options.perPerson(), access, callers, json);
        var console = options.consolePeople() == null ? null
                : new Console(service, options.consolePeople(), json, options.perPerson(), callers, hosts);
        var dashboard = new Dashboard(service, Clock.systemUTC(), console != null);
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(json, false));
            config.http.maxRequestSize = MAX_REQUEST_SIZE;
            config.routes.get("/healthz", web::health);
            config.routes.get("/readyz", web::ready);
            config.routes.get("/metrics", web::metrics);
            config.routes.get("/api/requests", web::list);
            config.routes.get("/api/requests/{id}", web::one);
            config.routes.get("/api/reviews", web::reviews);
            var evidence = new Evidence(service, options.receipts());
            config.routes.get("/api/requests/{id}/receipt", evidence::receipt);
            config.routes.get(KEYS_PATH, evidence::keys);
            config.routes.get("/api/audit", evidence::audit);
            config.routes.get("/api/windows", web::windows);
            config.routes.before(ctx -> ctx.header("X-Content-Type-Options", "nosniff")
                    .header("Referrer-Policy", "same-origin")
                    .header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; base-uri 'none'; "
                            + "form-action 'self'; frame-ancestors 'none'"));
            config.routes.before(WebApp::refuseOtherSpellings);
            config.routes.before(hosts::check);
            config.routes.before(limits::beforeSigned);
            config.routes.before(access::check);
            config.routes.after(limits::afterSigned);
            config.routes.get("/signin", ctx -> SignIn.page(ctx, access, null));
            config.routes.post("/signin", ctx -> SignIn.submit(ctx, access));
            config.routes.post("/signout", ctx -> {
                if (sessions != null) sessions.end(ctx);
                SignIn.signOut(ctx, access);
            });
            if (oidc != null) {
                config.routes.get(OidcSignIn.START, oidc::start);
                config.routes.get(OidcSettings.CALLBACK, oidc::callback);
                config.routes.post("/api/sessions/revoke", ctx -> sessions.revoke(ctx, access, callers, json));
            }
            config.routes.post("/api/requests", actions::open);
            config.routes.post("/api/requests/{id}/actions", actions::act);
            config.routes.get("/assets/{name}", Assets::serve);
            config.routes.get("/", dashboard::page);
            config.routes.get("/partials/dashboard", dashboard::partial);
            config.routes.get("/requests/{id}", dashboard::requestPage);
            config.routes.get("/partials/requests/{id}", dashboard::requestPartial);
            if (options.live() != null) config.routes.get("/events", ctx -> options.live().stream(ctx, limits.client(ctx)));
            if (console != null) {
                config.routes.before("/console", console::guard);
                config.routes.before("/console/*", console::guard);
                config.routes.get("/console", console::page);
                config.routes.get("/console/cards", console::channel);
                config.routes.get("/console/cards/{id}", console::card);
                config.routes.post("/console/command", console::command);
                config.routes.post("/console/requests", console::open);
                config.routes.post("/console/requests/{id}/actions", console::press);
            }
            adapters.forEach(adapter -> adapter.accept(config.routes));
            config.routes.exception(BadRequest.class, (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST, e.getMessage()));
            config.routes.exception(TooManyRequests.class,
                    (e, ctx) -> error(ctx, HttpStatus.TOO_MANY_REQUESTS, e.getMessage()));
            config.routes.exception(TooLarge.class, (e, ctx) -> error(ctx, HttpStatus.CONTENT_TOO_LARGE, e.getMessage()));
            // Javalin's own answers (a body over maxRequestSize, ...) in our JSON shape.
            config.routes.exception(HttpResponseException.class, (e, ctx) -> {
                if (e.getStatus() == 413) drain(ctx);
                error(ctx, HttpStatus.forStatus(e.getStatus()), e.getStatus() == 413
                        ? "The request body is larger than " + MAX_REQUEST_SIZE / 1000 + " kB" : e.getMessage());
            });
            config.routes.exception(StoreUnavailable.class, (e, ctx) -> {
                log.warn("state store unavailable: {}", e.getMessage());
                error(ctx, HttpStatus.SERVICE_UNAVAILABLE, "State store unavailable; nothing was recorded, try again");
            });
            // The client sent fewer bytes than it announced (Content-Length, a broken chunk) and closed: its fault.
            config.routes.exception(EofException.class, (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST,
                    "The request body ended early (fewer bytes than announced, or a broken chunk); nothing was recorded"));
            // A path parameter with a % not followed by two hex digits fails Javalin's decoding: the sender's mistake.
            config.routes.exception(IllegalArgumentException.class, (e, ctx) -> {
                if (String.valueOf(e.getMessage()).startsWith("URLDecoder:")) error(ctx, HttpStatus.BAD_REQUEST,
                        "The path has a % that is not followed by two hex digits; encode % as %25");
                else unexpected(e, ctx);
            });
            config.routes.exception(Exception.class, WebApp::unexpected);
            // Javalin answers unmatched routes in plain text; ours are JSON and already say what is missing.
            config.routes.error(404, ctx -> {
                if (!isJson(ctx) && !isHtml(ctx)) error(ctx, HttpStatus.NOT_FOUND, "No such page: " + where(ctx));
            });
            config.routes.error(405, ctx -> {
                if (!isJson(ctx)) error(ctx, HttpStatus.METHOD_NOT_ALLOWED, "That method is not allowed: " + where(ctx));
            });
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

    private void health(Context ctx) {
        ctx.json(Map.of("status", "alive"));
    }

    private void ready(Context ctx) {
        var problem = readiness.problem();
        var warnings = readiness.warnings();
        if (problem.isPresent()) error(ctx, HttpStatus.SERVICE_UNAVAILABLE, problem.get());
        else if (warnings.isEmpty()) ctx.json(Map.of("status", "ready"));
        else ctx.json(Map.of("status", "ready", "warnings", warnings));
    }

    private void metrics(Context ctx) {
        if (!metrics.admits(ctx.header("Authorization"))) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"metrics\"");
            error(ctx, HttpStatus.UNAUTHORIZED, "Send the metrics token: Authorization: Bearer <METRICS_TOKEN>");
            return;
        }
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }

    /** Where the deployment windows and freezes stand now: {@code GET /api/windows}. */
    private void windows(Context ctx) {
        ctx.json(WindowsView.of(service.policy().windows(), service.now(), service.workflow()));
    }

    private void list(Context ctx) {
        var states = EnumSet.noneOf(State.class);
        for (var param : ctx.queryParams("state"))
            for (var name : param.split(","))
                if (!name.isBlank()) states.add(parseState(name));
        int limit = parseLimit(ctx.queryParam("limit"));
        var views = service.recent(states, limit).stream()
                .map(r -> RequestView.of(r, null, service.workflow())).toList();
        ctx.json(Map.of("requests", views));
    }

    /** The requests awaiting the review their policy requires, the longest due first, each marked overdue or not. */
    private void reviews(Context ctx) {
        var now = service.now();
        var awaiting = service.awaitingReview().stream().map(r -> Map.of("overdue", r.reviewOverdue(now),
                "request", RequestView.of(r, null, service.workflow()))).toList();
        ctx.json(Map.of("reviews", awaiting, "dueAfter", service.policy().review().dueAfter().toString()));
    }

    private void one(Context ctx) {
        var id = requestId(ctx);
        var request = service.find(id);
        if (request.isEmpty()) {
            error(ctx, HttpStatus.NOT_FOUND, "There is no request " + id);
            return;
        }
        ctx.json(RequestView.of(request.get(), service.timeline(id), service.workflow()));
    }

    static RequestId requestId(Context ctx) {
        var raw = ctx.pathParam("id");
        return RequestId.parse(raw).orElseThrow(() ->
                new BadRequest("\"" + raw + "\" is not a request id; use the form EMG-12"));
    }

    private static State parseState(String name) {
        try {
            return State.valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("Unknown state \"" + name.strip() + "\"; use one or more of "
                    + Arrays.toString(State.values()) + ", comma-separated");
        }
    }

    private static int parseLimit(String raw) {
        if (raw == null || raw.isBlank()) return 100;
        try {
            int limit = Integer.parseInt(raw.strip());
            if (limit >= 1 && limit <= LIST_LIMIT_MAX) return limit;
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new BadRequest("limit must be a whole number from 1 to " + LIST_LIMIT_MAX + ", not \"" + raw + "\"");
    }

    /** One spelling per path, before routing: what is checked is what is served (see {@link RoutePolicy}). */
    private static void refuseOtherSpellings(Context ctx) {
        var problem = RoutePolicy.problem(ctx.path());
        if (problem.isEmpty()) return;
        ctx.skipRemainingHandlers();
        error(ctx, HttpStatus.forStatus(problem.get().status()), problem.get().message());
    }

    /** Answered 429 with Retry-After and the message. */
    static final class TooManyRequests extends RuntimeException {
        TooManyRequests(String message) { super(message); }
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
    private static void drain(Context ctx) { drain(ctx, DRAIN_MAX); }

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

    private static void error(Context ctx, HttpStatus status, String message) {
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
     * Before answering a refusal: reads and drops what is left of the body (up to {@link #MAX_REQUEST_SIZE}), for a
     * refusal answered while the client still sends its body has the connection reset under it, and it hears nothing.
     * A body already read costs nothing here.
     */
    static void refusing(Context ctx) {
        try {
            var method = ctx.method().name();
            if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) return;
            drain(ctx, MAX_REQUEST_SIZE);
        } catch (RuntimeException e) {
            // the exchange is already over (its request recycled): there is nothing left to read
        }
    }

    /** A body larger than the route takes; answered with 413 and the message. */
    static final class TooLarge extends RuntimeException {
        TooLarge(String message) { super(message); }
    }

    /** Input a person can fix; answered with 400 and the message. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) { super(message); }
    }
}
