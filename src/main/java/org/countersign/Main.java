package org.countersign;

import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.countersign.app.ArchiveSweeper;
import org.countersign.app.Directory;
import org.countersign.app.Emails;
import org.countersign.app.ExpirySweeper;
import org.countersign.app.ReviewReminder;
import org.countersign.app.ReminderSweeper;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.app.RateLimiter;
import org.countersign.app.Throttle;
import org.countersign.chat.Cards;
import org.countersign.receipt.Receipts;
import org.countersign.receipt.SigningKeys;
import org.countersign.domain.Platform;
import org.countersign.domain.Policy;
import org.countersign.domain.Workflow;
import org.countersign.slack.SlackEmails;
import org.countersign.store.DomainJson;
import org.countersign.store.RedisArchive;
import org.countersign.store.KeyMigration;
import org.countersign.store.RedisConnector;
import org.countersign.store.RedisEventFeed;
import org.countersign.store.RedisKeyValues;
import org.countersign.store.RedisCardLedger;
import org.countersign.store.RedisLeases;
import org.countersign.store.RedisRateLimiter;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.RedisSessionStore;
import org.countersign.webhook.DeployWebhook;
import org.countersign.webhook.WebhookDeadLetters;
import org.countersign.webhook.Webhooks;
import org.countersign.web.ConsolePeople;
import org.countersign.web.LiveEvents;
import org.countersign.web.Metrics;
import org.countersign.web.Readiness;
import org.countersign.web.WebApp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds every object from the configuration, wires them by hand and starts them. */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    static final String DEFAULT_BIND_HOST = "127.0.0.1";
    static final Duration MATRIX_LEASE = Duration.ofSeconds(15);
    static final Duration IRC_LEASE = Duration.ofSeconds(15);
    /** How often overdue reviews are looked for; each is reminded once per the policy's review.due-after. */
    static final Duration REVIEW_REMINDER_INTERVAL = Duration.ofMinutes(10);
    /** Cards of this many requests are updated at once (each request's updates stay in order). */
    static final int CARD_LANES = 8;
    static final Duration MATRIX_LONG_POLL = Duration.ofSeconds(5);

    private Main() {}

    /**
     * With no arguments (or {@code serve}) runs the service; with a command ({@code wait}, {@code report},
     * {@code check-policy}, {@code --help}) runs the command line and exits with its code.
     */
    public static void main(String[] args) {
        if (args.length > 0 && !(args.length == 1 && args[0].equals("serve"))) {
            var out = new java.io.PrintWriter(System.out, true, java.nio.charset.Charset.defaultCharset());
            var err = new java.io.PrintWriter(System.err, true, java.nio.charset.Charset.defaultCharset());
            System.exit(org.countersign.cli.Cli.run(args, out, err, System.getenv()));
        }
        Running running;
        try {
            running = start(Config.fromEnv(System.getenv()));
        } catch (Config.Invalid | Policy.InvalidPolicy | SigningKeys.Invalid | RedisConnector.Refused e) {
            System.err.println("Countersign cannot start.\n" + e.getMessage());
            System.exit(2);
            return;
        } catch (io.javalin.util.JavalinBindException e) {
            System.err.println("Countersign cannot start: " + e.getMessage() + " (set PORT to a free port)");
            System.exit(1);
            return;
        } catch (RuntimeException e) {
            log.error("Countersign cannot start", e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "countersign-stop"));
        Shutdown.onSigterm(running);
    }

    /** Starts the service; close the result to stop it (and the embedded Redis, if any) cleanly. */
    public static Running start(Config config) { return start(config, System.getenv()); }

    /**
     * As {@link #start(Config)}, with the environment the policy's {@code secret-env} and {@code url-env} names are
     * read from (the process's own, or a test's).
     */
    public static Running start(Config config, Map<String, String> env) {
        long started = System.nanoTime();
        var loaded = config.policyFileOpt().map(p -> PolicyFile.read(p, env))
                .orElseGet(() -> PolicyFile.readDefault(env));
        Policy policy = loaded.policy();
        var policyWatch = PolicyReload.watchInterval(env);
        var receipts = new Receipts(SigningKeys.load(config.receiptSigningKey(), config.receiptPreviousKeys(),
                config.dataDir()));
        var redis = RedisConnector.connect(config.redisUrlOpt(), config.dataDir(), config.redisOptions());
        var running = new Running(redis);
        try {
            var clock = Clock.systemUTC();
            var client = redis.client();
            KeyMigration.run(client, config.redisPrefix()); // keys written before they had a hash tag
            var store = new RedisRequestStore(client, config.redisPrefix(), RedisRequestStore.DEFAULT_STREAM_MAX_LENGTH,
                    config.redisOptions().minReplicas());
            var feed = new RedisEventFeed(client, config.redisPrefix());
            var kv = new RedisKeyValues(client, config.redisPrefix());
            var metrics = new Metrics(store, feed, clock, config.metricsToken());
            var slack = config.slackOpt().map(s -> new SlackWiring(s, metrics));
            var matrix = config.matrixOpt();
            var irc = config.ircOpt().map(i -> i.withPublicUrl(config.web().publicUrl()));
            var console = config.web().consoleOn(slack.isPresent() || matrix.isPresent() || irc.isPresent());
            var platforms = EnumSet.noneOf(Platform.class);
            if (slack.isPresent()) platforms.add(Platform.SLACK);
            if (matrix.isPresent()) platforms.add(Platform.MATRIX);
            if (irc.isPresent()) platforms.add(Platform.IRC);
            if (console) platforms.add(Platform.CONSOLE);
            if (config.web().signInOn()) platforms.add(Platform.WEB);
            Function<Policy, RequestService.Rules> rulesOf = p -> rules(p, platforms, slack, clock);
            var rules = rulesOf.apply(policy);
            var limiter = new RedisRateLimiter(client, config.redisPrefix());
            var service = new RequestService(store, rules.directory(), rules.workflow(), clock, metrics, limiter);
            if (rules.directory() instanceof AutoCloseable reading) running.add(reading); // Slack user groups, read in the background
            var reload = config.policyFileOpt().map(p -> new PolicyReload(p, env, rulesOf, service, metrics,
                    loaded.integrations()).start(policyWatch));
            reload.ifPresent(running::add);
            running.add(new ExpirySweeper(store, service, clock).start(config.expirySweepInterval()));
            if (policy.review().isOn()) running.add(new ReviewReminder(service).start(REVIEW_REMINDER_INTERVAL));
            running.add(new ReminderSweeper(store, service, clock).start(config.expirySweepInterval()));
            running.add(new ArchiveSweeper(new RedisArchive(client, config.redisPrefix()), () -> service.policy().retainFor(),
                    clock).start(ArchiveSweeper.EVERY));

            var instance = config.instanceNameOpt().orElseGet(Main::instanceName);
            var perUser = new Throttle(limiter, config.perUser(), kv);
            var leases = new RedisLeases(client, config.redisPrefix());
            var ledger = new RedisCardLedger(client, config.redisPrefix(), store);
            var draining = running.draining;
            var adapters = new ArrayList<Consumer<RoutesConfig>>(List.of(draining));
            var watches = new Watches(kv, config.privacyCheckInterval(), clock, metrics, running);
            if (slack.isPresent())
                adapters.add(slack.get().start(service, kv, feed, leases, ledger, running, instance, perUser, watches));
            if (!loaded.integrations().isEmpty())
                running.add(new Webhooks(loaded.integrations(), service, feed, clock, instance, receipts).counting(metrics)
                        .start());
            metrics.integrations(loaded.integrations().stream().map(i -> i.name()).toList());
            adapters.add(new WebhookDeadLetters(loaded.integrations(), feed));
            config.inboundWebhookSecretOpt().ifPresent(s -> adapters.add(new DeployWebhook(service, kv, s, clock)));
            config.githubOpt().ifPresent(g -> adapters.add(InboundWiring.github(g, loaded.github(), service, kv, feed, clock, instance,
                    running)));
            if (matrix.isPresent())
                MatrixWiring.start(matrix.get(), service, kv, feed, leases, ledger, running,
                        instance, perUser, watches, metrics);
            irc.ifPresent(i -> IrcWiring.start(i, service, kv, feed, leases, ledger, running, instance, perUser, watches,
                    loaded.integrations()));
            config.alertmanagerTokenOpt().ifPresent(t -> adapters.add(InboundWiring.alertmanager(t, slack, matrix, kv, clock, running,
                    metrics)));

            var host = config.bindHostOpt().orElse(DEFAULT_BIND_HOST);
            var live = new LiveEvents(feed, DomainJson.mapper());
            var identity = new WebApp.Identity(config.web().oidc(), config.web().apiTokens(),
                    new RedisSessionStore(client, config.redisPrefix()), clock);
            // Loopback is not authentication: with neither DASHBOARD_TOKEN nor sign-in, a token of this run, printed in
            // the start-up link.
            var startupToken = config.web().dashboardTokenOpt().isEmpty() && !config.web().signInOn()
                    ? WebApp.startupToken() : null;
            var edge = new WebApp.Edge(startupToken != null, config.web().publicUrl(), config.web().trustedProxies(),
                    new Throttle(limiter, new RateLimiter.Limit("http-credential", config.perAddress().count(),
                            config.perAddress().window()), null), kv);
            var webOptions = new WebApp.Options(startupToken != null ? startupToken : config.web().dashboardToken(),
                    console ? ConsolePeople.of(policy, config.policyFileOpt()) : null, live,
                    new Throttle(limiter, config.perAddress(), null), perUser, receipts, identity, edge);
            Readiness up = () -> draining.problem().or(store::ping);
            var readiness = Readiness.warning(up, () -> reload.map(r -> java.util.stream.Stream.concat(
                    r.problems().stream(), watches.problems().stream()).toList()).orElseGet(watches::problems));
            metrics.watch(readiness);
            var web = WebApp.create(service, readiness, metrics, DomainJson.mapper(), adapters, webOptions)
                    .start(host, config.port());
            var link = "http://127.0.0.1:" + web.port() + (console ? "/console" : "/")
                    + (startupToken == null ? "" : "?token=" + startupToken);
            running.web(web, service, link, startupToken);
            running.add(live.start()); // stops before the web server, so its browsers are told while it still answers
            log.info("Countersign is ready on http://{}:{} in {} ms (state: {}; policy: {}; {} teams, {}; {})",
                    host, web.port(), Duration.ofNanos(System.nanoTime() - started).toMillis(), redis.description(),
                    config.policyFileOpt().map(Object::toString).orElse("the packaged example"),
                    policy.teams().size(), policy.reasons().size() + " reasons, " + loaded.integrations().size()
                            + " webhook integration(s)",
                    slack.map(s -> "Slack on, cards in " + s.settings().channel()).orElse("Slack off") + "; "
                            + matrix.map(m -> "Matrix on, cards in " + m.roomId()).orElse("Matrix off") + "; "
                            + irc.map(i -> "IRC on, cards in " + i.channel()).orElse("IRC off")
                            + (console ? "; console on " + link : ""));
            log.info("Receipts are signed with key {} ({}); {} public key(s) at {}", receipts.keys().kid(),
                    receipts.keys().source(), receipts.keys().published().size(), WebApp.KEYS_PATH);
            if (config.receiptSigningKey() == null && config.redisUrlOpt().isPresent())
                log.warn("RECEIPT_SIGNING_KEY is not set, so this instance signs receipts with a key of its own under {}; "
                        + "with several instances, give each the same RECEIPT_SIGNING_KEY or their receipts differ",
                        config.dataDir());
            if (DEFAULT_BIND_HOST.equals(host))
                log.info("Listening on loopback only; set BIND_HOST=0.0.0.0, DASHBOARD_TOKEN and PUBLIC_URL to accept "
                        + "connections from elsewhere");
            else if (config.web().publicUrl() == null)
                log.warn("BIND_HOST={} but PUBLIC_URL is not set: requests naming any host but localhost, 127.0.0.1, "
                        + "[::1] or this machine's address get 421; set PUBLIC_URL to the address people use", host);
            log.info("Dashboard: http://{}:{}/ ({})", host, web.port(), startupToken != null
                    ? "open " + link + " to sign this browser in; this machine only"
                    : config.web().signInOn() ? "people sign in at " + config.web().oidc().issuer()
                    + (config.web().dashboardTokenOpt().isPresent() ? ", or with DASHBOARD_TOKEN" : "")
                    : "sign in with DASHBOARD_TOKEN");
            if (!config.web().apiTokens().isEmpty()) log.info("API tokens: {}", config.web().apiTokens());
            if (console)
                log.info("Try it: open {} and act as the policy's people (this machine only{})", link,
                        startupToken == null ? ", after signing in with DASHBOARD_TOKEN"
                                : "; the link holds this run's token and signs the browser in");
            return running;
        } catch (RuntimeException e) {
            running.close();
            throw e;
        }
    }

    /** A policy's workflow and directory, at start and at each reload. */
    private static RequestService.Rules rules(Policy policy, EnumSet<Platform> platforms, Optional<SlackWiring> slack,
                                              Clock clock) {
        // From several platforms one person could act from two accounts: each must be tied to a person.
        boolean severalPlatforms = platforms.size() > 1;
        if (severalPlatforms)
            policy.unlinkedMembers(platforms).forEach(line -> log.warn("Not linked across {}: {}", platforms, line));
        Directory directory = new PolicyDirectory(policy, severalPlatforms && slack.isPresent()
                ? new SlackEmails(slack.get().methods(), clock) : Emails.NONE);
        if (slack.isPresent()) directory = slack.get().directory(directory, policy, clock);
        return new RequestService.Rules(new Workflow(policy, severalPlatforms), directory);
    }

    /** This instance's name among consumers of the events stream and lease holders: host, process, start. */
    static String instanceName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt(0x10000));
    }

    /** A started service; closing it stops everything it started, newest first. */
    public static final class Running implements AutoCloseable {
        private final Deque<AutoCloseable> started = new ArrayDeque<>();
        private final List<AutoCloseable> handOver = new ArrayList<>();
        final org.countersign.web.Draining draining = new org.countersign.web.Draining();
        private Javalin web;
        private RequestService service;
        private String startupLink;
        private String startupToken;

        Running(RedisConnector redis) {
            started.push(redis);
        }

        void add(AutoCloseable part) { started.push(part); }

        /** A part that holds a lease another instance should take at once: stopped first by {@link #stop}. */
        void handOver(AutoCloseable part) {
            handOver.add(part);
            add(part);
        }

        /** Stops as a rolling deploy wants (SIGTERM), as {@link Shutdown} says, then {@link #close closes}. */
        public void stop() { Shutdown.drain(draining, handOver, this); }

        void web(Javalin web, RequestService service, String startupLink, String startupToken) {
            this.web = web;
            this.service = service;
            this.startupLink = startupLink;
            this.startupToken = startupToken;
            started.push(web::stop);
        }

        public int port() { return web.port(); }

        /** The link printed at start: the console (or the dashboard), with this run's token when DASHBOARD_TOKEN is unset. */
        public String startupLink() { return startupLink; }

        /** This run's token, when DASHBOARD_TOKEN is not set (it is in {@link #startupLink()}). */
        public Optional<String> startupToken() { return Optional.ofNullable(startupToken); }

        public RequestService service() { return service; }

        @Override
        public synchronized void close() {
            while (!started.isEmpty()) {
                try {
                    started.pop().close();
                } catch (Exception e) {
                    log.warn("while stopping: {}", e.toString());
                }
            }
            log.info("Countersign stopped");
        }
    }
}
