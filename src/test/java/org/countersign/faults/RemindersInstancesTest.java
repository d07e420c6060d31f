package org.countersign.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.javalin.Javalin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.domain.EventType;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.slack.fake.PostedMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Countersign instances on one Redis and one Slack workspace, both sweeping every second, then both stopped and a
 * third started: each reminder is one thread reply, the escalation one reply and one page, the warning one reply.
 */
class RemindersInstancesTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String ROUTING_KEY = "R0UT1NGKEY0123456789";

    @TempDir
    Path dir;

    private final List<String> pages = new CopyOnWriteArrayList<>();
    private SlackWorkspace slack;
    private ControlledRedis redis;
    private Javalin pagerDuty;
    private final List<Main.Running> running = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        slack = new SlackWorkspace();
        redis = ControlledRedis.start(dir.resolve("redis"));
        pagerDuty = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.post("/v2/enqueue", ctx -> { pages.add(ctx.body()); ctx.status(202).result("{}"); });
        }).start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        running.forEach(Main.Running::close);
        pagerDuty.stop();
        redis.close();
        slack.close();
    }

    @Test
    void two_instances_then_a_restart_send_each_reminder_and_page_exactly_once() throws Exception {
        var policy = dir.resolve("policy.yml");
        Files.writeString(policy, Files.readString(Path.of("infra/policy.example.yml"))
                .replace("expire-after: 60m", "expire-after: 90s")
                .replace("# remind-after: 15m", "remind-after: 3s")
                .replace("# escalate-after: 30m", "escalate-after: 4s")
                .replace("# warn-before-expiry: 10m", "warn-before-expiry: 84s") + """
                integrations:
                  - name: pager
                    url: http://127.0.0.1:%d/v2/enqueue
                    format: pagerduty
                    secret-env: PAGERDUTY_ROUTING_KEY
                """.formatted(pagerDuty.port()));
        var a = instance("web-a", policy);
        var b = instance("web-b", policy);
        var id = ((Outcome.Applied) a.service().open(TestPolicies.DEV, TestPolicies.draft("availability")))
                .request().id();

        await().atMost(WAIT).until(() -> count(id, EventType.REQUEST_EXPIRY_WARNED) == 1
                && count(id, EventType.REQUEST_REMINDED) >= 2);
        a.close();
        b.close();
        running.clear();
        int remindedBefore = (int) count(id, EventType.REQUEST_REMINDED);
        var c = instance("web-c", policy);
        await().atMost(WAIT).until(() -> count(id, EventType.REQUEST_REMINDED) > remindedBefore);
        // A notice the stopped instances had taken but not sent is taken over by the one left once it has been
        // abandoned for 30 s; until then the request stays pending, so the reminder is still worth sending.
        await().atMost(Duration.ofSeconds(70)).until(() -> replies(id).stream().filter(t -> t.startsWith("⏰")).count()
                == count(id, EventType.REQUEST_REMINDED));
        c.service().cancel(id, TestPolicies.DEV, "fixed by a config change");
        await().atMost(WAIT).until(() -> pages.stream().anyMatch(p -> p.contains("\"resolve\"")
                && p.contains("\"" + id + "/escalation\"")));
        await().atMost(WAIT).until(() -> replies(id).stream().anyMatch(t -> t.startsWith("🚫")));
        Thread.sleep(1500); // a few more sweeps of the instance still running

        var reminded = count(id, EventType.REQUEST_REMINDED);
        assertThat(c.service().find(id).orElseThrow().reminded().reminders()).as("reminder slots sent")
                .isGreaterThanOrEqualTo((int) reminded);
        // Every reminder before the cancel was replied (awaited above); one recorded as the cancel came is not sent.
        assertThat(replies(id)).filteredOn(t -> t.startsWith("⏰")).doesNotHaveDuplicates()
                .hasSizeBetween((int) reminded - 1, (int) reminded);
        assertThat(replies(id)).filteredOn(t -> t.startsWith("📟")).hasSize(1);
        assertThat(replies(id)).filteredOn(t -> t.startsWith("⏳")).hasSize(1);
        assertThat(count(id, EventType.REQUEST_ESCALATED)).isEqualTo(1);
        assertThat(pages).filteredOn(p -> p.contains("\"" + id + "/escalation\"")).extracting(
                p -> p.contains("\"trigger\"") ? "trigger" : "resolve").containsExactly("trigger", "resolve");
        var times = c.service().timeline(id).stream().filter(e -> e.type() == EventType.REQUEST_REMINDED)
                .map(e -> e.at()).toList();
        for (int i = 1; i < times.size(); i++)
            assertThat(Duration.between(times.get(i - 1), times.get(i))).as("reminders a slot apart")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    private long count(RequestId id, EventType type) {
        try (var client = redis.client()) {
            return client.lrange("{cs}:req:" + id.number() + ":timeline", 0, -1).stream()
                    .filter(e -> e.contains("\"" + type.name() + "\"")).count();
        }
    }

    private List<String> replies(RequestId id) {
        return slack.replies(id).stream().map(PostedMessage::text).toList();
    }

    private Main.Running instance(String name, Path policy) throws Exception {
        var env = new HashMap<>(slack.env());
        env.put("REDIS_URL", redis.url());
        env.put("PORT", String.valueOf(Http.freePort()));
        env.put("DATA_DIR", dir.resolve("unused").toString());
        env.put("COUNTERSIGN_INSTANCE", name);
        env.put("POLICY_FILE", policy.toString());
        env.put("EXPIRY_SWEEP_INTERVAL", "1s");
        var policyEnv = new HashMap<>(System.getenv());
        policyEnv.putAll(env);
        policyEnv.put("PAGERDUTY_ROUTING_KEY", ROUTING_KEY);
        var started = Main.start(Config.fromEnv(env), policyEnv);
        running.add(started);
        return started;
    }
}
