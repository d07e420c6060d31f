package org.countersign.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.faults.SlackWorkspace.DEV;
import static org.countersign.faults.SlackWorkspace.REL1;
import static org.countersign.faults.SlackWorkspace.SRE1;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.countersign.matrix.fake.FakeHomeserver;
import org.countersign.store.RedisRequestStore;
import org.countersign.web.Draining;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling deploy: two instances in processes of their own on one Redis, Slack, Matrix and a pipeline; people approve
 * requests through the first while it gets SIGTERM. It exits 0 within seconds; the other takes the Matrix sync at once;
 * every approval that was answered is stored, every card is posted once and updated at most once per version, every
 * webhook arrives once, and a dashboard on the other instance sees every change.
 */
class RollingDeployTest {
    static final String TOKEN = "rolling-deploy-dashboard-token-0123456789";
    static final String BOT = "@countersign:example.org";
    static final String BOT_TOKEN = "syt_Y291bnRlcnNpZ24_bot_token";
    static final String ROOM = "!ops:example.org";
    static final String LEASE = "{cs}:lease:matrix-sync";
    static final int REQUESTS = 6;

    @TempDir
    Path dir;

    private SlackWorkspace slack;
    private ControlledRedis redis;
    private WebhookReceiver pipeline;
    private FakeHomeserver homeserver;
    private Path policy;
    private final List<CountersignProcess> processes = new ArrayList<>();

    /** A press and how it was answered: by which instance, with what status, or not at all (refused connection). */
    record Press(RequestId id, String team, String instance, int status, String body) {}

    @BeforeEach
    void start() throws Exception {
        slack = new SlackWorkspace();
        redis = ControlledRedis.start(dir.resolve("redis"));
        pipeline = new WebhookReceiver();
        homeserver = new FakeHomeserver().withUser(BOT, BOT_TOKEN)
                .withRoom(ROOM, BOT, "@dev:example.org", "@sre1:example.org", "@rel1:example.org");
        policy = dir.resolve("policy.yml");
        Files.writeString(policy, Files.readString(Path.of("infra/policy.example.yml")) + """

                integrations:
                  - name: pipeline
                    url: %s
                    format: countersign
                    secret-env: %s
                    confidential: true
                """.formatted(pipeline.url(), WebhookReceiver.SECRET_ENV));
    }

    @AfterEach
    void stop() {
        processes.forEach(CountersignProcess::close);
        homeserver.close();
        pipeline.close();
        redis.close();
        slack.close();
    }

    @Test
    void a_sigterm_in_the_middle_of_approvals_loses_nothing_doubles_nothing_and_the_other_instance_serves_on()
            throws Exception {
        var a = start("web-a");
        await().atMost(Duration.ofSeconds(10)).until(() -> "web-a".equals(leaseHolder()));
        var b = start("web-b");
        var atA = SlackWorkspace.endpoint(a.port());
        var atB = SlackWorkspace.endpoint(b.port());
        var onB = live(b.port());
        var onA = live(a.port());
        var requests = new ArrayList<RequestId>();
        for (int i = 0; i < REQUESTS; i++) requests.add(slack.open(i % 2 == 0 ? atA : atB, DEV, "availability"));

        // People press on web-a; what web-a no longer takes they press again and the load balancer sends to web-b.
        var presses = new CopyOnWriteArrayList<Press>();
        var pressing = CompletableFuture.runAsync(() -> {
            for (var id : requests) {
                for (var team : List.of("sre", "releng")) {
                    var user = team.equals("sre") ? SRE1 : REL1;
                    var first = press(atA, "web-a", id, team, user);
                    presses.add(first);
                    if (first.status() != 200) presses.add(press(atB, "web-b", id, team, user));
                    pause(150);
                }
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> presses.size() >= 5);
        long term = System.nanoTime();
        a.signal("TERM");
        // The signal reaches the JVM a moment after kill(1) returns: not ready within a second, then refused or gone.
        int readyAfterTerm = readyz(a.port());
        for (long end = System.nanoTime() + 1_000_000_000L; readyAfterTerm == 200 && System.nanoTime() < end; )
            readyAfterTerm = readyz(a.port());
        var handedOver = CompletableFuture.supplyAsync(() -> {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> "web-b".equals(leaseHolder()));
            return Duration.ofNanos(System.nanoTime() - term);
        });
        int exit = a.awaitExit(Duration.ofSeconds(30));
        var stopped = Duration.ofNanos(System.nanoTime() - term);
        var takeover = handedOver.get();
        pressing.get();

        assertThat(exit).as("exit status after SIGTERM\n" + a.logTail()).isZero();
        assertThat(stopped).as("SIGTERM to exit").isLessThan(Duration.ofSeconds(15));
        assertThat(takeover).as("SIGTERM to the Matrix sync on web-b").isLessThan(Duration.ofSeconds(3));
        assertThat(readyAfterTerm).as("/readyz on web-a within a second of SIGTERM").isIn(503, -1);
        // web-a refused with words, or had stopped listening; never an error of its own.
        assertThat(presses).filteredOn(p -> p.instance().equals("web-a") && p.status() != 200)
                .allSatisfy(p -> assertThat(p.status() == -1
                        || p.status() == 503 && p.body().contains(Draining.MESSAGE)).as(p.toString()).isTrue());
        assertThat(presses).filteredOn(p -> p.instance().equals("web-b")).allMatch(p -> p.status() == 200);

        // Nothing lost: every request approved, by both of the presses answered 200.
        try (var client = redis.client()) {
            var store = new RedisRequestStore(client);
            await().atMost(SlackWorkspace.WAIT).until(() -> requests.stream()
                    .allMatch(id -> store.find(id).orElseThrow().state() == State.APPROVED));
            for (var id : requests)
                assertThat(store.find(id).orElseThrow().approvals()).extracting(x -> x.team())
                        .containsExactlyInAnyOrder("sre", "releng");
        }
        // Nothing doubled: each webhook once, each card posted once, updated at most once per version, one reply each.
        var owed = eventIds();
        await().atMost(Duration.ofSeconds(20)).until(() -> pipeline.taken().containsAll(owed)
                && requests.stream().allMatch(id -> slack.replies(id).size() >= 3
                && slack.cardText(id).contains("approved by <@U0REL1>")));
        assertThat(pipeline.arrivals()).as("webhook deliveries").hasSameSizeAs(owed).doesNotHaveDuplicates();
        for (var id : requests) {
            assertThat(slack.cardPosts(id)).as("posts of the card of " + id).hasSize(1);
            assertThat(slack.cardUpdates(id)).as("updates of the card of " + id).hasSizeLessThanOrEqualTo(3);
            assertThat(slack.replies(id)).as("thread replies of " + id).hasSize(3);
        }
        // The dashboard: web-a's stream ended (the browser reconnects elsewhere), web-b's saw every approval.
        assertThat(onA.ended()).as("web-a's live stream ended when it stopped").isTrue();
        await().atMost(SlackWorkspace.WAIT).until(() -> requests.stream()
                .allMatch(id -> onB.lines().stream().anyMatch(l -> l.contains("request.approved")
                        && l.contains("\"" + id + "\""))));
        // Matrix is answered by web-b, once.
        homeserver.postText(ROOM, "@dev:example.org", "!help");
        await().atMost(SlackWorkspace.WAIT).until(() -> helpAnswers() > 0);
        Thread.sleep(1_000);
        assertThat(helpAnswers()).as("answers to !help").isEqualTo(1);
        try (var client = redis.client()) {
            assertThat(client.keys("{cs}:deadletter:*")).as("nothing given up on").isEmpty();
        }

        System.out.printf("SIGTERM to web-a in the middle of %d approvals (%d answered by web-a, %d refused or unheard "
                        + "and pressed again on web-b): web-a exited 0 after %d ms; web-b held the Matrix sync lease "
                        + "%d ms after the SIGTERM; %d webhooks, each once%n", presses.stream()
                        .filter(p -> p.status() == 200).count(),
                presses.stream().filter(p -> p.instance().equals("web-a") && p.status() == 200).count(),
                presses.stream().filter(p -> p.instance().equals("web-a") && p.status() != 200).count(),
                stopped.toMillis(), takeover.toMillis(), owed.size());
    }

    private Press press(String endpoint, String instance, RequestId id, String team, String user) {
        try {
            var reply = slack.press(endpoint, id, "approve:" + team, user).reply();
            return new Press(id, team, instance, reply.status(), String.valueOf(reply.body()));
        } catch (RuntimeException e) {
            if (!(rootCause(e) instanceof IOException)) throw e;
            return new Press(id, team, instance, -1, e.toString());
        }
    }

    private static Throwable rootCause(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) e = e.getCause();
        return e;
    }

    private static int readyz(int port) {
        try {
            return Http.get(port, "/readyz").statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A browser's live stream of one instance: the lines it got, and whether the server ended it. */
    record Live(List<String> lines, CompletableFuture<?> done) {
        boolean ended() {
            try {
                done.get(1, java.util.concurrent.TimeUnit.SECONDS);
                return true;
            } catch (Exception e) {
                return done.isDone();
            }
        }
    }

    private static Live live(int port) {
        var lines = new CopyOnWriteArrayList<String>();
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + TOKEN).build();
        var done = HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                .thenAccept(response -> response.body().forEach(lines::add));
        await().atMost(Duration.ofSeconds(5)).until(() -> lines.stream().anyMatch(l -> l.contains("connected")));
        return new Live(lines, done);
    }

    private long helpAnswers() {
        return homeserver.notices(ROOM).stream().filter(e -> e.body().startsWith("Countersign: emergency deploys")).count();
    }

    private String leaseHolder() {
        try (var client = redis.client()) {
            return client.get(LEASE);
        }
    }

    private List<String> eventIds() {
        try (var client = redis.client()) {
            return new RedisRequestStore(client).readEvents("0-0", 1000).stream().map(e -> e.event().id()).toList();
        }
    }

    private CountersignProcess start(String instance) throws Exception {
        var env = new HashMap<>(slack.env());
        env.put("REDIS_URL", redis.url());
        env.put("PORT", String.valueOf(Http.freePort()));
        env.put("DATA_DIR", dir.resolve("unused").toString());
        env.put("COUNTERSIGN_INSTANCE", instance);
        env.put("POLICY_FILE", policy.toString());
        env.put("DASHBOARD_TOKEN", TOKEN);
        env.put("MATRIX_HOMESERVER_URL", homeserver.baseUrl());
        env.put("MATRIX_ACCESS_TOKEN", BOT_TOKEN);
        env.put("MATRIX_ROOM_ID", ROOM);
        env.put(WebhookReceiver.SECRET_ENV, WebhookReceiver.SECRET);
        var process = CountersignProcess.start(env, dir.resolve(instance + ".log"));
        processes.add(process);
        return process;
    }
}
