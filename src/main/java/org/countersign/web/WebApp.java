package org.countersign.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.compression.Gzip;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import io.javalin.config.RoutesConfig;
import org.countersign.app.KeyValues;
import org.countersign.app.RequestService;
import org.countersign.app.SessionStore;
import org.countersign.app.Throttle;
import org.countersign.domain.RequestId;
import org.countersign.receipt.Receipts;
import org.countersign.receipt.SigningKeys;

/**
 * The HTTP face of Countersign: health, the JSON API, metrics, the live dashboard and the local console. The same
 * app runs in production and tests.
 */
public final class WebApp {
    static final long MAX_REQUEST_SIZE = 1_000_000;
    /**
     * Jetty's request threads at most (Javalin's default is 250). A request is short work on 1-2 cores (a signature, a
     * Redis round trip or two; Slack is called after the ack and live streams are asynchronous), so more threads only
     * add stacks: at 256 concurrent clicks in the benchmark, 324 threads in all held 38 MB of thread memory, against
     * 137 threads and 16 MB with this cap, and clicks per second did not drop. Requests beyond them wait in Jetty's
     * queue.
     */
    static final int REQUEST_THREADS = 64;
    /** How much of a too-large body is read and dropped so its sender hears the 413. */
    static final long DRAIN_MAX = 16_000_000;
    /** Where the receipts' public keys are published, as a JWKS. */
    public static final String KEYS_PATH = "/.well-known/countersign/keys";

    private WebApp() {}

    /** Builds the app with every route; the caller starts it. */
    /**
     * Javalin's gzip for answers of 1,500 bytes and more, asked for by the client, without its list of types never
     * compressed (images, sound, video, archives): Countersign serves none of them, and matching every answer's type
     * against that list, case-insensitively, cost a fortieth of a signed list's CPU.
     */
    static CompressionStrategy compression() {
        var gzip = new CompressionStrategy(null, new Gzip(6));
        gzip.setExcludedMimeTypes(List.of());
        return gzip;
    }

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
        var edge = options.edge();
        var limits = new Limits(options.perAddress(), edge.perCredential(), edge.kv(),
                ClientAddress.parse(String.join(",", edge.trustedProxies()), new java.util.ArrayList<>()));
        var hosts = new HostCheck(edge.publicUrl());
        var identity = options.identity();
        var sessions = identity.oidc() == null ? null
                : new Sessions(identity.sessions(), identity.oidc().sessionTtl(), identity.clock(),
                "https".equals(identity.oidc().redirectUri().getScheme()));
        var callers = new Callers(sessions, identity.apiTokens());
        var web = new ApiReads(service, readiness, metrics, callers);
        var access = new Access(options.dashboardToken(), options.dashboardToken() != null && edge.startupToken(),
                limits, callers);
        var oidc = sessions == null ? null
                : new OidcSignIn(identity.oidc(), identity.sessions(), sessions, service::policy, json);
        var actions = new RequestActions(service, options.perPerson(), access, callers, json);
        var console = options.consolePeople() == null ? null
                : new Console(service, options.consolePeople(), json, options.perPerson(), callers, hosts);
        var dashboard = new Dashboard(service, Clock.systemUTC(), console != null, callers);
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.threadPool = new org.eclipse.jetty.util.thread.QueuedThreadPool(REQUEST_THREADS, 8, 60_000);
            config.jsonMapper(new JavalinJackson(json, false));
            config.http.maxRequestSize = MAX_REQUEST_SIZE;
            config.http.compressionStrategy = compression();
            // What Jetty refuses before the app sees it (a 9 kB address, 20 kB of headers) is answered in JSON too.
            config.jetty.modifyHttpConfiguration(http -> http.setRequestHeaderSize(JettyErrors.REQUEST_HEADER_MAX));
            config.jetty.modifyServer(server -> server.setErrorHandler(new JettyErrors(json)));
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
            config.routes.before(ErrorAnswers::refuseOtherSpellings);
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
            config.routes.get("/favicon.ico", Assets::favicon);
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
            ErrorAnswers.register(config.routes);
        });
    }










    static RequestId requestId(Context ctx) {
        var raw = ctx.pathParam("id");
        return RequestId.parse(raw).orElseThrow(() ->
                new BadRequest(ErrorAnswers.echo(raw) + " is not a request id; use the form EMG-12"));
    }




    /** Answered 429 with Retry-After and the message. */
    static final class TooManyRequests extends RuntimeException {
        TooManyRequests(String message) { super(message); }
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
