package org.countersign.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.faults.SlackWorkspace.DEV;
import static org.countersign.faults.SlackWorkspace.REL1;
import static org.countersign.faults.SlackWorkspace.SRE1;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.countersign.slack.fake.Failure;
import org.countersign.store.RedisRequestStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Countersign, in a process of its own, is killed with SIGKILL after two requests were approved and before their
 * card updates and webhooks went out (Slack and the pipeline were down). Nothing is lost: a new process delivers all.
 */
class KilledInstanceTest {
    static final String CARDS = "slack-cards";
    static final String HOOKS = "webhook:pipeline";
    static final int SIGKILLED = 128 + 9;

    @TempDir
    Path dir;

    private SlackWorkspace slack;
    private ControlledRedis redis;
    private WebhookReceiver pipeline;
    private Path policy;
    private final List<CountersignProcess> processes = new ArrayList<>();

    /** What the killed instance left: two approved requests, the deliveries owed, what it held pending, when it died. */
    record Killed(List<RequestId> requests, Set<String> deliveries, Map<String, Long> pendingCards,
                  Map<String, Long> pendingHooks, long at) {}

    @BeforeEach
    void start() throws Exception {
        slack = new SlackWorkspace();
        redis = ControlledRedis.start(dir.resolve("redis"));
        pipeline = new WebhookReceiver();
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
        pipeline.close();
        redis.close();
        slack.close();
    }

    @Test
    void killed_before_its_cards_and_webhooks_went_out_it_delivers_them_all_when_restarted_under_its_name()
            throws Exception {
        var killed = approveTwoThenKill("web-1");

        long restart = System.nanoTime();
        start("web-1");
        var ready = Duration.ofNanos(System.nanoTime() - restart);
        awaitEverythingDelivered(killed, Duration.ofSeconds(20));

        System.out.printf("SIGKILL with %d card and %d webhook events pending on web-1 and %d deliveries owed: "
                        + "web-1 again ready in %d ms, everything delivered %d ms after the kill; the pipeline got %s%n",
                sum(killed.pendingCards()), sum(killed.pendingHooks()), killed.deliveries().size(), ready.toMillis(),
                Duration.ofNanos(System.nanoTime() - killed.at()).toMillis(), pipeline.arrivals());
    }

    @Test
    void killed_before_its_cards_and_webhooks_went_out_another_instance_takes_over_and_delivers_them_all()
            throws Exception {
        var killed = approveTwoThenKill("web-1");

        start("web-2");
        awaitEverythingDelivered(killed, Duration.ofSeconds(60));

        assertThat(pending(CARDS)).doesNotContainKey("web-1");
        assertThat(pending(HOOKS)).doesNotContainKey("web-1");
        System.out.printf("SIGKILL with %d card and %d webhook events pending on web-1: web-2 took them over and "
                        + "delivered everything %d ms after the kill; the pipeline got %s%n", sum(killed.pendingCards()),
                sum(killed.pendingHooks()), Duration.ofNanos(System.nanoTime() - killed.at()).toMillis(),
                pipeline.arrivals());
    }

    /** Opens two requests, then with Slack and the pipeline down has both approved by signed clicks, and kills. */
    private Killed approveTwoThenKill(String instance) throws Exception {
        var first = start(instance);
        var endpoint = SlackWorkspace.endpoint(first.port());
        pipeline.down();
        var requests = List.of(slack.open(endpoint, DEV, "availability"), slack.open(endpoint, DEV, "data-loss"));
        slack.fake.failNext("chat.update", 10_000, Failure.down());
        slack.fake.failNext("chat.postMessage", 10_000, Failure.down());
        int updatesBefore = slack.fake.calls("chat.update").size();

        for (var id : requests) {
            assertThat(slack.press(endpoint, id, "approve:sre", SRE1).reply().status()).isEqualTo(200);
            assertThat(slack.press(endpoint, id, "approve:releng", REL1).reply().status()).isEqualTo(200);
        }
        try (var client = redis.client()) {
            var store = new RedisRequestStore(client);
            for (var id : requests) {
                var request = store.find(id).orElseThrow();
                assertThat(request.state()).as("recorded before the ack").isEqualTo(State.APPROVED);
                assertThat(request.approvals()).hasSize(2);
            }
        }
        // It tried: Slack said 503 to a card update, the pipeline to a delivery; nothing went out.
        await().atMost(SlackWorkspace.WAIT).until(() -> slack.fake.calls("chat.update").size() > updatesBefore
                && !pipeline.turnedAway().isEmpty());
        for (var id : requests) assertThat(slack.cardText(id)).doesNotContain("approved by");
        assertThat(pipeline.taken()).isEmpty();

        var deliveries = deliveriesOwed();
        var pendingCards = pending(CARDS);
        var pendingHooks = pending(HOOKS);
        assertThat(pendingCards).as("card events web-1 received and had not done").containsKey(instance);
        assertThat(pendingHooks).as("webhook events web-1 received and had not delivered").containsKey(instance);
        assertThat(first.kill()).as("exit status of a SIGKILLed JVM").isEqualTo(SIGKILLED);
        long at = System.nanoTime();

        slack.fake.heal();
        pipeline.up();
        return new Killed(requests, deliveries, pendingCards, pendingHooks, at);
    }

    /** Every event delivered to the pipeline, and both cards up to date with every thread reply, each once. */
    private void awaitEverythingDelivered(Killed killed, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() ->
                pipeline.taken().containsAll(killed.deliveries())
                        && killed.requests().stream().allMatch(id -> slack.replies(id).size() >= 3
                        && slack.cardText(id).contains("approved by <@U0REL1>")));

        assertThat(pipeline.taken()).containsAll(killed.deliveries());
        assertThat(pipeline.forged()).isEmpty();
        for (var id : killed.requests()) {
            assertThat(slack.cardText(id)).contains("approved by <@U0SRE1>").contains("approved by <@U0REL1>")
                    .contains("deploy_started");
            assertThat(slack.cardPosts(id)).as("the card is updated, never posted again").hasSize(1);
            assertThat(slack.replies(id)).extracting(m -> m.text().split(" ")[0])
                    .containsExactlyInAnyOrder("✅", "✅", "🟢");
        }
        await().atMost(SlackWorkspace.WAIT).until(() -> pending(CARDS).isEmpty() && pending(HOOKS).isEmpty());
        try (var client = redis.client()) {
            assertThat(client.keys("{cs}:deadletter:*")).as("nothing given up on").isEmpty();
        }
    }

    private CountersignProcess start(String instance) throws Exception {
        var env = new HashMap<>(slack.env());
        env.put("REDIS_URL", redis.url());
        env.put("PORT", String.valueOf(Http.freePort()));
        env.put("DATA_DIR", dir.resolve("unused").toString());
        env.put("COUNTERSIGN_INSTANCE", instance);
        env.put("POLICY_FILE", policy.toString());
        env.put(WebhookReceiver.SECRET_ENV, WebhookReceiver.SECRET);
        var process = CountersignProcess.start(env, dir.resolve(instance + "-" + processes.size() + ".log"));
        processes.add(process);
        return process;
    }

    /** The id of every event on the stream: the pipeline wants them all. */
    private Set<String> deliveriesOwed() {
        try (var client = redis.client()) {
            var events = new RedisRequestStore(client).readEvents("0-0", 1000);
            assertThat(events).hasSize(8); // per request: opened, two approvals, approved
            return Set.copyOf(events.stream().map(e -> e.event().id()).toList());
        }
    }

    /** Events received and not acknowledged, per consumer of {@code group}. */
    private Map<String, Long> pending(String group) {
        try (var client = redis.client()) {
            var counts = client.xpending("{cs}:events", group).getConsumerMessageCount();
            return counts == null ? Map.of() : Map.copyOf(counts);
        }
    }

    private static long sum(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
