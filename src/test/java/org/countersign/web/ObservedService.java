package org.countersign.web;

import static org.awaitility.Awaitility.await;

import io.javalin.Javalin;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.domain.Actor;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.matrix.fake.FakeHomeserver;
import org.countersign.slack.fake.FakeSlack;
import org.countersign.slack.fake.Failure;
import org.countersign.store.EmbeddedRedis;

/**
 * The whole service as Main starts it, with Slack (fake Web API), Matrix (fake homeserver), both security places and
 * three webhook integrations on a real HTTP receiver, after one request went all the way from opened to deployed:
 * so its {@code /metrics} has every family, with values. Slack and the homeserver each rate-limit one call; the
 * {@code broken} integration answers 400, so its one delivery is dead-lettered. Started once per test JVM.
 */
final class ObservedService implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final String OPS = "C0EMERG1";
    private static final String SECURITY = "G0SECURE";
    private static final String BOT = "@countersign:example.org";
    private static final String ROOM = "!ops:example.org";
    private static final String SECURITY_ROOM = "!sec:example.org";
    private static ObservedService shared;

    final Path dir;
    final FakeSlack slack = new FakeSlack("xoxb-observed").withChannel(OPS, "emergencies")
            .withPrivateChannel(SECURITY, "security-emergencies").withUsergroup("S0SRE", List.of("U0REL2"));
    final FakeHomeserver homeserver = new FakeHomeserver().withUser(BOT, "syt_observed")
            .withRoom(ROOM, BOT, "@sre1:example.org", "@rel1:example.org")
            .withRoom(SECURITY_ROOM, BOT, "@sre1:example.org");
    /** Every POST the integrations made, as {@code path body}. */
    final List<String> received = new CopyOnWriteArrayList<>();
    private final Javalin receiver;
    private final EmbeddedRedis redis;
    private final Main.Running service;
    final RequestId deployed;

    /** The one instance of this test JVM, started (and its flow run) on first use. */
    static synchronized ObservedService shared() throws Exception {
        if (shared == null) {
            shared = new ObservedService(Files.createTempDirectory("countersign-observed"));
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    private ObservedService(Path dir) throws Exception {
        this.dir = dir;
        receiver = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.routes.post("/{name}", ctx -> {
                received.add(ctx.path() + " " + ctx.body());
                ctx.status(ctx.pathParam("name").equals("broken") ? 400 : 202).result("{}");
            });
        }).start("127.0.0.1", 0);
        var hooks = "http://127.0.0.1:" + receiver.port();
        var policy = Files.readString(Path.of("infra", "policy.example.yml"), StandardCharsets.UTF_8) + """

                integrations:
                  - { name: pipeline, url: %1$s/pipeline, secret-env: OBSERVED_SECRET }
                  - { name: pager, url: %1$s/pager, format: pagerduty, secret-env: OBSERVED_ROUTING_KEY }
                  - { name: broken, url: %1$s/broken, secret-env: OBSERVED_SECRET, events: [request.opened] }
                """.formatted(hooks);
        var policyFile = Files.writeString(dir.resolve("policy.yml"), policy);
        redis = EmbeddedRedis.start(dir.resolve("redis"));
        var env = new HashMap<String, String>();
        env.put("REDIS_URL", redis.uri().toString());
        env.put("DATA_DIR", dir.toString());
        env.put("PORT", String.valueOf(freePort()));
        env.put("POLICY_FILE", policyFile.toString());
        env.put("SLACK_SIGNING_SECRET", "0123456789abcdef0123456789abcdef");
        env.put("SLACK_BOT_TOKEN", "xoxb-observed");
        env.put("SLACK_API_URL", slack.baseUrl());
        env.put("SLACK_CHANNEL", OPS);
        env.put("SLACK_SECURITY_CHANNEL", SECURITY);
        env.put("MATRIX_HOMESERVER_URL", homeserver.baseUrl());
        env.put("MATRIX_ACCESS_TOKEN", "syt_observed");
        env.put("MATRIX_ROOM_ID", ROOM);
        env.put("MATRIX_SECURITY_ROOM_ID", SECURITY_ROOM);
        env.put("DASHBOARD_TOKEN", "observed-dashboard-token-0123456789");
        env.put("OBSERVED_SECRET", "observed-webhook-secret");
        env.put("OBSERVED_ROUTING_KEY", "R0UT1NGKEY0BSERVED");
        // The first card post on each platform is rate-limited, as a busy workspace or homeserver would.
        slack.failNext("chat.postMessage", 1, Failure.rateLimited(1));
        homeserver.failNext("rooms/" + ROOM + "/send", 1, org.countersign.matrix.fake.Failure.rateLimited(200));
        service = Main.start(Config.fromEnv(env), env);
        deployed = flow(service.service());
    }

    /** Opened in Slack, approved by alice in Slack and carol in Matrix, deployed; then everything delivered. */
    private RequestId flow(org.countersign.app.RequestService requests) {
        var opened = requests.open(Actor.slack("U0DEV1"), TestPolicies.draft("availability"));
        var id = ((Outcome.Applied) opened).request().id();
        requests.approve(id, Actor.slack("U0SRE1"), "sre");
        requests.approve(id, Actor.matrix("@rel1:example.org"), "releng");
        requests.startDeploy(id, Actor.slack("U0SRE1"));
        requests.finishDeploy(id, Actor.slack("U0SRE1"), DeployResult.SUCCEEDED, null);
        await().atMost(WAIT).until(() -> received.stream().anyMatch(r -> r.startsWith("/pager ")
                && r.contains("\"resolve\"")) && received.stream().anyMatch(r -> r.startsWith("/broken ")));
        await().atMost(WAIT).until(() -> metrics().contains("countersign_consumer_lag{group=\"matrix-cards\"} 0.0")
                && metrics().contains("countersign_consumer_pending{group=\"slack-cards\"} 0.0")
                && metrics().contains("countersign_consumer_dead_letters{group=\"webhook:broken\"} 1.0"));
        return id;
    }

    /** GET /metrics now. */
    String metrics() throws Exception {
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + service.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) throw new AssertionError("/metrics: " + response.statusCode());
        return response.body();
    }

    private static int freePort() throws Exception {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public synchronized void close() {
        try {
            service.close();
        } finally {
            receiver.stop();
            redis.close();
            slack.close();
            homeserver.close();
        }
    }
}
