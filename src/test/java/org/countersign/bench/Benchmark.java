package org.countersign.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.countersign.domain.RequestId;
import org.countersign.slack.SlackCards;
import org.countersign.slack.fake.FakeSlack;
import org.countersign.slack.fake.PostedMessage;
import org.countersign.slack.fake.RecordedCall;
import org.countersign.store.CommandLog;
import org.countersign.store.EmbeddedRedis;
import org.countersign.store.RedisConnector;
import redis.clients.jedis.UnifiedJedis;

/**
 * The benchmark behind bench/RESULTS.md: {@code mvn -B -Pbench verify}. It starts Redis (embedded, or
 * REDIS_URL), a fake Slack in this JVM, a bare Javalin server and Countersign (each in a JVM of its own), then
 * drives them with one closed-loop load client: (a) bare GETs, (b) signed {@code /emergency list}, (c) signed
 * approve clicks on real requests, (d) request forms submitted. It checks every approval, event and card
 * update, writes RESULTS.md, prints PASS/FAIL lines and exits non-zero on any FAIL.
 */
public final class Benchmark {
    static final int HEADLINE_CONCURRENCY = 64;
    /** Operations counted exactly under MONITOR, per kind. */
    static final int COUNTED = 200;
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(180);
    private static final Pattern CARD_ID = Pattern.compile("^EMG-([0-9]+) ");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Settings settings;
    private final List<Check> checks = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final List<Row> concurrencyRows = new ArrayList<>();
    private final List<Row> sizeRows = new ArrayList<>();
    /** Each start of the service: its label and the seconds from launching the JVM to /readyz answering 200. */
    private final Map<String, Double> readySeconds = new java.util.LinkedHashMap<>();
    private final Map<String, Long> headlineCommands = new java.util.TreeMap<>();
    private final List<Counted> counted = new ArrayList<>();
    private URI redisUri;
    private FakeSlack fake;
    private BenchPolicy people;
    private UnifiedJedis client;
    private double bareThroughput;
    private int viewCounter;

    private Benchmark(Settings settings) { this.settings = settings; }

    public static void main(String[] args) throws Exception {
        var settings = Settings.fromSystemProperties();
        int failures;
        try {
            failures = new Benchmark(settings).run();
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.out.println("FAIL benchmark: " + e);
            failures = 1;
        }
        System.out.flush();
        System.exit(failures == 0 ? 0 : 1);
    }

    /** Settings from -Dbench.* (the pom passes its defaults). */
    record Settings(Duration phase, Duration warmup, List<Integer> concurrency, List<Integer> sizes, int targets,
                    boolean jfr, Path results, Path work) {
        static Settings fromSystemProperties() {
            return new Settings(Duration.ofSeconds(Long.getLong("bench.seconds", 10)),
                    Duration.ofSeconds(Long.getLong("bench.warmup", 3)),
                    ints(System.getProperty("bench.concurrency", "1,4,16,64,256")),
                    ints(System.getProperty("bench.sizes", "10,1000,10000,100000,1000000")),
                    Integer.getInteger("bench.targets", 4000),
                    Boolean.getBoolean("bench.jfr"),
                    Path.of(System.getProperty("bench.results", "bench/RESULTS.md")),
                    Path.of(System.getProperty("bench.work", "target/bench")));
        }

        private static List<Integer> ints(String text) {
            return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(Integer::valueOf).toList();
        }
    }

    /** One measured phase. {@code cardLatency} is null where no click was made. */
    record Row(String scenario, int concurrency, long stored, ClosedLoop.Result load, double ratioToBare,
               double commandsPerOp, double clientCommandsPerOp, double peakRssMib, double redisMib,
               Histogram cardLatency, double drainSeconds, long slackCallsOnAckPath, Map<String, Double> cpuPerOp) {}

    record Check(String name, boolean pass, String detail) {}

    private int run() throws Exception {
        Files.createDirectories(settings.work());
        var machine = Machine.describe();
        var loadAtStart = Machine.loadAverage();
        System.out.println("Countersign benchmark on " + machine.oneLine() + "; load average " + loadAtStart);
        EmbeddedRedis embedded = null;
        var redisUrl = Optional.ofNullable(System.getenv("REDIS_URL")).filter(s -> !s.isBlank());
        if (redisUrl.isPresent()) {
            redisUri = URI.create(redisUrl.get());
        } else {
            var dir = settings.work().resolve("redis");
            deleteTree(dir);
            embedded = EmbeddedRedis.start(dir);
            redisUri = embedded.uri();
        }
        client = RedisConnector.pooled(redisUri.toString());
        people = BenchPolicy.write(settings.work());
        fake = new FakeSlack(SlackTraffic.TOKEN).withChannel(SlackTraffic.OPS, "emergencies")
                .withUsergroup(people.sreGroup(), people.sreGroupMembers());
        String redisVersion;
        try (var probe = new RedisProbe(redisUri, "none:")) {
            redisVersion = probe.version();
        }
        var runId = Long.toString(System.currentTimeMillis(), 36);
        try {
            measureBare();
            measureService("csb:" + runId + ":main:");
            measureSizes("csb:" + runId + ":size:");
        } finally {
            fake.close();
            client.close();
            if (embedded != null) embedded.close();
        }
        int failures = (int) checks.stream().filter(c -> !c.pass()).count();
        System.out.println();
        checks.forEach(c -> System.out.println((c.pass() ? "PASS " : "FAIL ") + c.name() + ": " + c.detail()));
        new Report(settings, machine, redisVersion, redisUrl.isPresent(), loadAtStart).write(rows, concurrencyRows, sizeRows,
                headlineCommands, counted, checks, readySeconds);
        System.out.println("Results written to " + settings.results());
        System.out.println(failures == 0 ? "PASS all " + checks.size() + " checks" : "FAIL " + failures + " of "
                + checks.size() + " checks");
        return failures;
    }

    // ---- (a) the bare endpoint -----------------------------------------------------------------------------

    private void measureBare() {
        try (var bare = ServerProcess.start("bare Javalin", BareServer.class.getName(), serverJvmArgs("bare"),
                Map.of(), "/", settings.work().resolve("bare.log"))) {
            var get = HttpConnection.request("GET", "/", bare.port(), new String[0], new byte[0]);
            var requests = Collections.nCopies(5_000_000, get);
            ClosedLoop.run("bare-warmup", bare.port(), HEADLINE_CONCURRENCY, settings.warmup(), requests,
                    ClosedLoop.STATUS_200);
            bare.resetPeak();
            var cpu = new CpuMeter(bare.pid(), null);
            var cpuBefore = cpu.read();
            var load = ClosedLoop.run("bare", bare.port(), HEADLINE_CONCURRENCY, settings.phase(), requests,
                    ClosedLoop.STATUS_200);
            var cpuPerOp = CpuMeter.perOp(cpuBefore, cpu.read(), load);
            bareThroughput = load.throughput();
            var row = new Row("(a) bare GET → 200", HEADLINE_CONCURRENCY, 0, load, 1.0, 0, 0, bare.peakRssMib(),
                    Double.NaN, null, 0, 0, cpuPerOp);
            rows.add(row);
            print(row);
            check("(a) bare GET answered", load.errors() == 0, load.ok() + " of " + load.sent() + " were 200"
                    + error(load));
        }
    }

    // ---- (b), (d) and (c) over concurrency, on one service ---------------------------------------------------

    private void measureService(String prefix) throws Exception {
        var requests = new Requests(client, prefix, people);
        requests.open(1000, 4); // something for /emergency list to list
        try (var service = startService(prefix, "main"); var probe = new RedisProbe(redisUri, prefix)) {
            var traffic = new SlackTraffic(fake, service.port());
            var form = openRealForm(traffic);
            warmUp(service, traffic, requests, probe, form);

            // (b) /emergency list
            var lists = new ArrayList<byte[]>();
            // Enough for a whole phase at 15,000 lists a second: a phase that runs out of them ends early.
            int listCount = (int) Math.max(60_000, 15_000 * settings.phase().toSeconds());
            for (int i = 0; i < listCount; i++) lists.add(traffic.command(people.developer(i), "list"));
            rows.add(measure("(b) signed /emergency list", service, probe, HEADLINE_CONCURRENCY, lists,
                    (status, reply) -> status == 200 && reply.body().contains("Open emergency requests"), null));
            countList(service, traffic, lists, probe);

            // (d) request forms submitted
            fake.reset();
            long storedBefore = probe.storedRequests();
            var lastEvent = probe.lastEventId();
            var submissions = new ArrayList<byte[]>();
            for (int i = 0; i < 25_000; i++)
                submissions.add(traffic.submitRequest(form, "V1BENCH" + (viewCounter++), people.developer(i), i));
            var created = measure("(d) signed request form submissions", service, probe, HEADLINE_CONCURRENCY,
                    submissions, ClosedLoop.EMPTY_200, null);
            rows.add(created);
            awaitCalls("chat.postEphemeral", created.load().ok());
            long opened = probe.storedRequests() - storedBefore;
            var events = probe.eventsAfter(lastEvent);
            check("(d) every submission opened one request", created.load().errors() == 0
                    && opened == created.load().ok(), created.load().ok() + " acked, " + opened + " stored"
                    + error(created.load()));
            check("(d) one request.opened event per request", events.getOrDefault("request.opened", 0L) == opened
                    && events.size() == 1, "events on the stream: " + events);
            check("(d) one card per request", cards().size() == opened, cards().size() + " cards posted for "
                    + opened + " requests");

            countClicks(service, traffic, requests, probe);

            // (c) approve clicks at each concurrency
            for (int concurrency : settings.concurrency()) {
                var row = clicks("(c) signed approve clicks", service, probe, requests, concurrency, settings.targets(),
                        settings.phase());
                concurrencyRows.add(row);
                if (concurrency == HEADLINE_CONCURRENCY) rows.add(2, row);
            }
        }
    }

    // ---- (c) over the number of stored requests --------------------------------------------------------------

    private void measureSizes(String prefix) throws Exception {
        var requests = new Requests(client, prefix, people);
        long filled = 0;
        try (var probe = new RedisProbe(redisUri, prefix)) {
            for (int size : settings.sizes()) {
                long stored = probe.storedRequests();
                if (size > stored) {
                    long start = System.nanoTime();
                    requests.open((int) (size - stored), 8);
                    filled += size - stored;
                    System.out.printf("  filled %,d requests (now %,d) in %.1f s%n", size - stored,
                            probe.storedRequests(), (System.nanoTime() - start) / 1e9);
                }
                // Filler requests are history: their cards were posted long ago, so the publisher skips them.
                probe.skipToEnd(SlackCards.GROUP);
                try (var service = startService(prefix, "size-" + size)) {
                    var traffic = new SlackTraffic(fake, service.port());
                    fake.reset();
                    warmUpClicks(service, traffic, requests, probe);
                    var row = clicks("(c) clicks with " + String.format("%,d", size) + " stored", service, probe,
                            requests, HEADLINE_CONCURRENCY, settings.targets(), settings.phase());
                    sizeRows.add(row);
                }
            }
        }
        System.out.printf("  %,d filler requests written in all%n", filled);
    }

    // ---- one click phase -------------------------------------------------------------------------------------

    private Row clicks(String scenario, ServerProcess service, RedisProbe probe, Requests requests, int concurrency,
                       int targetCount, Duration duration) throws Exception {
        var traffic = new SlackTraffic(fake, service.port());
        fake.reset();
        var targets = openWithCards(requests, probe, targetCount);
        var cards = cardsById();
        // Every SRE click first, then every Release Engineering click: two clicks on one request are far apart.
        var plan = new ArrayList<Click>();
        for (int i = 0; i < targets.size(); i++) plan.add(new Click(targets.get(i), "sre", people.member("sre", i)));
        for (int i = 0; i < targets.size(); i++) plan.add(new Click(targets.get(i), "releng", people.member("releng", i)));
        var bodies = new ArrayList<byte[]>(plan.size());
        for (var click : plan) bodies.add(traffic.press(cards.get(click.request()), "approve:" + click.team(), click.user()));

        var lastEvent = probe.lastEventId();
        long transitionsBefore = transitions(service);
        var row = measure(scenario, service, probe, concurrency, bodies, ClosedLoop.EMPTY_200, plan);
        long transitionsAfter = transitions(service);
        var load = row.load();

        // Exactly once: an acked click is one approval in Redis, or a refusal told to the person; nothing else.
        var approved = new boolean[plan.size()];
        var byKey = new HashMap<String, Integer>();
        for (int i = 0; i < plan.size(); i++) byKey.put(plan.get(i).request() + "|" + plan.get(i).team(), i);
        long approvals = 0;
        long fullyApproved = 0;
        int unexpected = 0;
        for (var id : targets) {
            var stored = requests.store().find(id).orElseThrow();
            approvals += stored.approvals().size();
            if (stored.state() == org.countersign.domain.State.APPROVED) fullyApproved++;
            for (var approval : stored.approvals()) {
                var i = byKey.get(id + "|" + approval.team());
                if (i == null || !load.okFlags()[i] || !approval.by().id().equals(plan.get(i).user())) unexpected++;
                else approved[i] = true;
            }
        }
        int refused = 0;
        for (int i = 0; i < plan.size(); i++) if (load.okFlags()[i] && !approved[i]) refused++;
        var told = fake.responseUrlPosts();
        var tag = scenario + " c=" + concurrency + ": ";
        check(tag + "every click acked", load.errors() == 0,
                load.ok() + " of " + load.sent() + " acked with 200 and no body" + error(load));
        check(tag + "each approval counted once", unexpected == 0 && approvals == load.ok() - refused
                && told.size() == refused, approvals + " approvals in Redis for " + load.ok() + " acked clicks, "
                + refused + " refused and told so (" + told.size() + " told); " + unexpected + " unexpected");
        check(tag + "no click refused under load", refused == 0, refused == 0 ? "none"
                : refused + " people told: " + told.get(0).text());
        var events = probe.eventsAfter(lastEvent);
        long expected = approvals + fullyApproved;
        long onStream = events.values().stream().mapToLong(Long::longValue).sum();
        check(tag + "no event lost", onStream == expected
                && events.getOrDefault("approval.added", 0L) == approvals
                && events.getOrDefault("request.approved", 0L) == fullyApproved
                && transitionsAfter - transitionsBefore == expected,
                onStream + " events on the stream " + events + " for " + expected + " transitions in Redis; the service"
                        + " counted " + (transitionsAfter - transitionsBefore));
        long missing = 0;
        var updates = updatesByTs();
        for (int i = 0; i < plan.size(); i++) {
            if (!approved[i]) continue;
            var click = plan.get(i);
            if (firstUpdateShowing(updates.get(cards.get(click.request()).ts()), click.user()) == null) missing++;
        }
        check(tag + "every approval reached its card", missing == 0
                && probe.deadLetters(SlackCards.GROUP) == 0 && probe.pending(SlackCards.GROUP) == 0,
                missing + " approvals never shown by a chat.update; dead letters " + probe.deadLetters(SlackCards.GROUP));
        return row;
    }

    record Click(RequestId request, String team, String user) {}

    // ---- Redis commands counted exactly ------------------------------------------------------------------------

    /**
     * What {@code ops} operations sent Redis, counted exactly with MONITOR ({@link CommandLog}): INFO's counters cannot
     * tell a command a script ran from one a client sent, so the phases' "sent" column is an estimate.
     */
    record Counted(String what, int ops, Map<String, Long> sent, Map<String, Long> inScripts, double budget,
                   long roundTrips) {
        double sentPerOp() { return CommandLog.total(sent) / (double) ops; }

        double roundTripsPerOp() { return roundTrips / (double) ops; }
    }

    /**
     * The service's round trips to Redis while {@code commands} were logged: the reads Redis processed over that time
     * ({@code total_reads_processed}: a pipeline is one read), less one per command of the benchmark's own that MONITOR
     * showed (its INFO and XINFO, each sent alone), and the two it did not: the end mark and the INFO read after it. The
     * INFO read before is in the log but not in the difference (its own read is counted in what it answers).
     */
    private static long serviceRoundTrips(long readsBefore, long readsAfter, List<CommandLog.Command> commands) {
        long own = CommandLog.total(CommandLog.sent(commands)) - CommandLog.total(byService(commands, false));
        return Math.max(0, readsAfter - readsBefore - (own - 1) - 2);
    }

    /** {@value #COUNTED} lists, one at a time, under MONITOR. */
    private void countList(ServerProcess service, SlackTraffic traffic, List<byte[]> lists, RedisProbe probe) {
        List<CommandLog.Command> commands;
        long readsBefore;
        try (var log = CommandLog.of(redisUri)) {
            readsBefore = probe.readsProcessed();
            var load = ClosedLoop.run("count-list", service.port(), 1, Duration.ofMinutes(1), lists.subList(0, COUNTED),
                    (status, reply) -> status == 200 && reply.body().contains("Open emergency requests"));
            if (load.errors() > 0) throw new IllegalStateException("a counted list failed" + error(load));
            commands = log.stop();
        }
        long trips = serviceRoundTrips(readsBefore, probe.readsProcessed(), commands);
        record(new Counted("signed /emergency list", COUNTED, byService(commands, false), byService(commands, true), 3,
                trips));
    }

    /** {@value #COUNTED} approve clicks on fresh requests, one at a time, and the card work they set off, under MONITOR. */
    private void countClicks(ServerProcess service, SlackTraffic traffic, Requests requests, RedisProbe probe) {
        fake.reset();
        var bodies = freshPresses(traffic, requests, probe, COUNTED / 2);
        List<CommandLog.Command> commands;
        long readsBefore;
        try (var log = CommandLog.of(redisUri)) {
            readsBefore = probe.readsProcessed();
            var load = ClosedLoop.run("count-clicks", service.port(), 1, Duration.ofMinutes(1), bodies, ClosedLoop.EMPTY_200);
            if (load.errors() > 0) throw new IllegalStateException("a counted click failed" + error(load));
            drain(probe);
            commands = log.stop();
        }
        fake.reset();
        long trips = serviceRoundTrips(readsBefore, probe.readsProcessed(), commands);
        record(new Counted("signed approve click, with its card update and thread reply", bodies.size(),
                byService(commands, false), byService(commands, true), 12,
                trips));
    }

    /** The service's commands sent (or run inside its scripts), by name: the benchmark's own XINFO and INFO left out. */
    private static Map<String, Long> byService(List<CommandLog.Command> commands, boolean inScripts) {
        var counts = inScripts ? CommandLog.inScripts(commands) : CommandLog.sent(commands);
        counts.keySet().removeIf(name -> name.equals("info") || name.startsWith("xinfo"));
        return counts;
    }

    private void record(Counted c) {
        counted.add(c);
        System.out.printf("%s: %.2f Redis commands sent per op in %.2f round trips, counted with MONITOR over %d: %s; "
                + "inside scripts %s%n", c.what(), c.sentPerOp(), c.roundTripsPerOp(), c.ops(), c.sent(), c.inScripts());
        check("Redis commands sent per " + c.what() + " (issue 19's budget, counted exactly)", c.sentPerOp() <= c.budget(),
                String.format("%.2f sent per op over %d, budget %.0f", c.sentPerOp(), c.ops(), c.budget()));
    }

    // ---- measuring ------------------------------------------------------------------------------------------

    /** Runs one phase and everything it set off (cards, replies), then reads what it cost. */
    private Row measure(String scenario, ServerProcess service, RedisProbe probe, int concurrency, List<byte[]> bodies,
                        ClosedLoop.Check check, List<Click> clicks) {
        long stored = probe.storedRequests();
        long slackBefore = ackPathSlackCalls();
        var before = probe.commandCalls();
        var cpu = new CpuMeter(service.pid(), probe);
        var cpuBefore = cpu.read();
        service.resetPeak();
        // A mark to attach a profiler by (pid and phase), for the notes in bench/RESULTS.md.
        System.out.printf("phase %s c=%d starts, service pid %d%n", scenario, concurrency, service.pid());
        System.out.flush();
        var load = ClosedLoop.run(scenario, service.port(), concurrency, settings.phase(), bodies, check);
        double peak = service.peakRssMib();
        long drainStart = System.nanoTime();
        drain(probe);
        double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
        var cpuPerOp = CpuMeter.perOp(cpuBefore, cpu.read(), load);
        peak = Math.max(peak, service.peakRssMib());
        var diff = RedisProbe.minus(probe.commandCalls(), before);
        Histogram cardLatency = null;
        if (clicks != null) {
            cardLatency = new Histogram(1, Duration.ofMinutes(10).toNanos() / 1000, 3);
            var cards = cardsById();
            var updates = updatesByTs();
            for (int i = 0; i < clicks.size(); i++) {
                if (!load.okFlags()[i]) continue;
                var click = clicks.get(i);
                var shown = firstUpdateShowing(updates.get(cards.get(click.request()).ts()), click.user());
                if (shown != null) {
                    long at = shown.at().getEpochSecond() * 1_000_000 + shown.at().getNano() / 1_000;
                    cardLatency.recordValue(Math.max(1, at - load.sentAtMicros()[i]));
                }
            }
            if (concurrency == HEADLINE_CONCURRENCY && headlineCommands.isEmpty()) {
                diff.forEach((name, n) -> headlineCommands.put(name, n));
                headlineCommands.put("(ops)", (long) load.ok());
            }
        }
        int ops = Math.max(1, load.ok());
        var row = new Row(scenario, concurrency, stored, load, load.throughput() / bareThroughput,
                RedisProbe.total(diff) / (double) ops, RedisProbe.clientCommands(diff) / (double) ops, peak,
                probe.usedMemoryMib(), cardLatency, drainSeconds, ackPathSlackCalls() - slackBefore, cpuPerOp);
        print(row);
        return row;
    }

    /** Slack calls a listener may make before its ack: auth.test (Bolt) and user-group members (the directory). */
    private long ackPathSlackCalls() {
        return fake.calls("auth.test").size() + fake.calls("usergroups.users.list").size();
    }

    /** Waits until the card publisher has handled every event on the stream. */
    private void drain(RedisProbe probe) {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (probe.pending(SlackCards.GROUP) == 0 && probe.lastDelivered(SlackCards.GROUP).equals(probe.lastEventId()))
                return;
            ServerProcess.sleep(50);
        }
        throw new IllegalStateException("the card publisher did not catch up within " + DRAIN_TIMEOUT);
    }

    private void awaitCalls(String method, int n) {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (fake.calls(method).size() < n && System.nanoTime() < deadline) ServerProcess.sleep(50);
    }

    // ---- warming up ------------------------------------------------------------------------------------------

    private void warmUp(ServerProcess service, SlackTraffic traffic, Requests requests, RedisProbe probe, JsonNode form) {
        var lists = new ArrayList<byte[]>();
        for (int i = 0; i < 20_000; i++) lists.add(traffic.command(people.developer(i), "list"));
        ClosedLoop.run("warmup-list", service.port(), HEADLINE_CONCURRENCY, settings.warmup(), lists, ClosedLoop.STATUS_200);
        var submissions = new ArrayList<byte[]>();
        for (int i = 0; i < 3000; i++)
            submissions.add(traffic.submitRequest(form, "V1BENCH" + (viewCounter++), people.developer(i), i));
        ClosedLoop.run("warmup-submit", service.port(), HEADLINE_CONCURRENCY, settings.warmup(), submissions,
                ClosedLoop.EMPTY_200);
        drain(probe);
        fake.reset();
        warmUpClicks(service, traffic, requests, probe);
    }

    private void warmUpClicks(ServerProcess service, SlackTraffic traffic, Requests requests, RedisProbe probe) {
        // A fresh JVM needs a few thousand clicks before its JIT has compiled the ack path.
        var bodies = freshPresses(traffic, requests, probe, 2000);
        ClosedLoop.run("warmup-clicks", service.port(), HEADLINE_CONCURRENCY, settings.warmup().multipliedBy(2), bodies,
                ClosedLoop.EMPTY_200);
        drain(probe);
        fake.reset();
    }

    /** {@code n} fresh requests with their cards, and the presses that approve them: every SRE one, then every RelEng one. */
    private List<byte[]> freshPresses(SlackTraffic traffic, Requests requests, RedisProbe probe, int n) {
        var targets = openWithCards(requests, probe, n);
        var cards = cardsById();
        var bodies = new ArrayList<byte[]>();
        for (int i = 0; i < targets.size(); i++)
            bodies.add(traffic.press(cards.get(targets.get(i)), "approve:sre", people.member("sre", i)));
        for (int i = 0; i < targets.size(); i++)
            bodies.add(traffic.press(cards.get(targets.get(i)), "approve:releng", people.member("releng", i)));
        return bodies;
    }

    /** Runs {@code /emergency} once, as a person would, and returns the request form the service opened. */
    private JsonNode openRealForm(SlackTraffic traffic) throws IOException {
        try (var connection = new HttpConnection("127.0.0.1", traffic.port())) {
            int status = connection.exchange(traffic.command(people.developer(0), ""));
            if (status != 200) throw new IllegalStateException("/emergency answered " + status + ": " + connection.body());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fake.openedViews().isEmpty() && System.nanoTime() < deadline) ServerProcess.sleep(20);
        if (fake.openedViews().isEmpty()) throw new IllegalStateException("/emergency did not open the request form");
        return fake.openedViews().get(0).view();
    }

    // ---- requests and their cards ----------------------------------------------------------------------------

    /** Opens {@code n} requests and waits until the service has posted each one's card. */
    private List<RequestId> openWithCards(Requests requests, RedisProbe probe, int n) {
        int before = cards().size();
        var ids = requests.open(n, 4);
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (cards().size() < before + n && System.nanoTime() < deadline) ServerProcess.sleep(50);
        drain(probe);
        var byId = cardsById();
        var missing = ids.stream().filter(id -> !byId.containsKey(id)).count();
        if (missing > 0) throw new IllegalStateException(missing + " of " + n + " new requests got no card");
        return ids;
    }

    private List<PostedMessage> cards() {
        return fake.messages(SlackTraffic.OPS).stream().filter(m -> m.threadTs() == null).toList();
    }

    /** Each card by the request it shows, read from the card's text ("EMG-12 · Availability: …"). */
    private Map<RequestId, PostedMessage> cardsById() {
        var byId = new HashMap<RequestId, PostedMessage>();
        for (var card : cards()) {
            var m = CARD_ID.matcher(card.text());
            if (m.find()) byId.put(new RequestId(Long.parseLong(m.group(1))), card);
        }
        return byId;
    }

    private Map<String, List<RecordedCall>> updatesByTs() {
        var byTs = new HashMap<String, List<RecordedCall>>();
        for (var call : fake.calls("chat.update")) byTs.computeIfAbsent(call.param("ts"), t -> new ArrayList<>()).add(call);
        return byTs;
    }

    /** The first card update that shows {@code user} (as a mention), or null. */
    private static RecordedCall firstUpdateShowing(List<RecordedCall> updates, String user) {
        if (updates == null) return null;
        for (var update : updates) {
            var blocks = update.param("blocks");
            if (blocks != null && blocks.contains(user)) return update;
        }
        return null;
    }

    // ---- the service -----------------------------------------------------------------------------------------

    private ServerProcess startService(String prefix, String label) {
        var env = new HashMap<String, String>();
        env.put("REDIS_URL", redisUri.toString());
        env.put("REDIS_PREFIX", prefix);
        env.put("DATA_DIR", settings.work().resolve("service-data").toString());
        env.put("POLICY_FILE", people.file().toString());
        env.put("SLACK_SIGNING_SECRET", SlackTraffic.SECRET);
        env.put("SLACK_BOT_TOKEN", SlackTraffic.TOKEN);
        env.put("SLACK_API_URL", fake.baseUrl());
        env.put("SLACK_CHANNEL", SlackTraffic.OPS);
        // The benchmark measures how fast clicks are recorded, not how a flood is held back: limits out of the way.
        env.put("RATE_LIMIT_PER_USER", "100000000/1m");
        env.put("RATE_LIMIT_PER_ADDRESS", "100000000/1m");
        env.putAll(procfileEnv());
        var jvm = new ArrayList<>(serverJvmArgs(label));
        long start = System.nanoTime();
        var service = ServerProcess.start("Countersign", "org.countersign.Main", jvm, env, "/readyz",
                settings.work().resolve("service-" + label + ".log"));
        double ready = (System.nanoTime() - start) / 1e9;
        readySeconds.put(label, ready);
        System.out.printf("Countersign (%s) ready in %.1f s, pid %d%n", label, ready, service.pid());
        return service;
    }

    private List<String> serverJvmArgs(String label) {
        var args = new ArrayList<>(procfileJvmFlags());
        // Extra flags for a look inside (-Dbench.jvm="-XX:NativeMemoryTracking=summary"), after the Procfile's, as $JAVA_OPTS is.
        for (var flag : System.getProperty("bench.jvm", "").trim().split("\\s+")) if (!flag.isEmpty()) args.add(flag);
        if (settings.jfr())
            args.add("-XX:StartFlightRecording=filename=" + settings.work().resolve(label + ".jfr")
                    + ",settings=profile,dumponexit=true");
        return args;
    }

    /** The JVM flags the Procfile starts the service with (what ships is what is measured). */
    static List<String> procfileJvmFlags() { return procfileWords().subList(procfileWords().indexOf("java") + 1,
            procfileWords().indexOf("$JAVA_OPTS")); }

    /** The environment the Procfile sets before {@code java} ({@code MALLOC_ARENA_MAX=2}). */
    static Map<String, String> procfileEnv() {
        var env = new HashMap<String, String>();
        for (var word : procfileWords().subList(0, procfileWords().indexOf("java")))
            env.put(word.substring(0, word.indexOf('=')), word.substring(word.indexOf('=') + 1));
        return env;
    }

    private static List<String> procfileWords() {
        try {
            for (var line : Files.readAllLines(Path.of("Procfile")))
                if (line.startsWith("web:")) return List.of(line.substring(4).trim().split("\\s+"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Procfile's JVM flags", e);
        }
        throw new IllegalStateException("the Procfile has no web: line");
    }

    /** The service's own count of transitions it recorded ({@code countersign_transitions_total}). */
    private static long transitions(ServerProcess service) {
        try {
            var text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            for (var line : text.split("\n"))
                if (line.startsWith("countersign_transitions_total{"))
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            return Math.round(sum);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the service's metrics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // ---- output ----------------------------------------------------------------------------------------------

    private void check(String name, boolean pass, String detail) {
        checks.add(new Check(name, pass, detail));
        System.out.println("  " + (pass ? "PASS " : "FAIL ") + name + ": " + detail);
    }

    private static String error(ClosedLoop.Result load) {
        return load.firstError() == null ? "" : "; first error: " + load.firstError();
    }

    private static void print(Row row) {
        var load = row.load();
        System.out.printf("%-40s c=%-3d %,8d ops %,9.0f/s  p50 %7.2f  p99 %7.2f  p99.9 %7.2f ms  x%.2f  redis %.1f/op"
                        + "  rss %.0f MiB%s%n", row.scenario(), row.concurrency(), load.sent(), load.throughput(),
                load.millis(50), load.millis(99), load.millis(99.9), row.ratioToBare(), row.commandsPerOp(),
                row.peakRssMib(), row.cardLatency() == null ? "" : String.format("  card p50 %.1f p99 %.1f ms (drain %.1f s)",
                        row.cardLatency().getValueAtPercentile(50) / 1000.0,
                        row.cardLatency().getValueAtPercentile(99) / 1000.0, row.drainSeconds()));
        if (row.cpuPerOp() != null) {
            var parts = new StringBuilder("    CPU µs/op:");
            row.cpuPerOp().forEach((part, us) -> parts.append(String.format(" %s %.0f;", part, us)));
            System.out.println(parts);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (var p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
