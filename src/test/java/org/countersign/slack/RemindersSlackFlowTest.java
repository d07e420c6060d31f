package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.slack.SlackFixture.DEV;
import static org.countersign.slack.SlackFixture.OPS;

import io.javalin.Javalin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.countersign.domain.EventType;
import org.countersign.slack.fake.PostedMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reminders, escalation and the expiry warning end to end: the example policy with remind-after 4s,
 * escalate-after 5s and warn-before-expiry 50s of a 60s expiry, the sweeper every second, the Slack fake, and a
 * fake PagerDuty.
 */
class RemindersSlackFlowTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    private final List<String> pages = new CopyOnWriteArrayList<>();
    private Javalin pagerDuty;
    private SlackFixture slack;

    @BeforeEach
    void start(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        pagerDuty = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.post("/v2/enqueue", ctx -> { pages.add(ctx.body()); ctx.status(202).result("{}"); });
        }).start("127.0.0.1", 0);
        var policy = dir.resolve("policy.yml");
        Files.writeString(policy, Files.readString(Path.of("infra/policy.example.yml"))
                .replace("expire-after: 60m", "expire-after: 60s")
                .replace("# remind-after: 15m", "remind-after: 4s")
                .replace("# escalate-after: 30m", "escalate-after: 5s")
                .replace("# warn-before-expiry: 10m", "warn-before-expiry: 50s") + """
                integrations:
                  - name: pager
                    url: http://127.0.0.1:%d/v2/enqueue
                    format: pagerduty
                    secret-env: PAGERDUTY_ROUTING_KEY
                """.formatted(pagerDuty.port()));
        slack = new SlackFixture(dir.resolve("data"), true, Map.of("POLICY_FILE", policy.toString(),
                "EXPIRY_SWEEP_INTERVAL", "1s", "PAGERDUTY_ROUTING_KEY", "R0UT1NGKEY0123456789"));
    }

    @AfterEach
    void stop() {
        if (slack != null) slack.close();
        pagerDuty.stop();
    }

    @Test
    void the_thread_is_reminded_with_the_user_group_the_on_call_is_paged_once_and_the_requester_warned_once() {
        var id = slack.open(DEV, "availability", OPS);
        slack.press(SlackFixture.SRE1, OPS, id, "approve:sre");
        var card = slack.card(OPS, id);

        await().atMost(WAIT).until(() -> texts(card).stream().anyMatch(t -> t.startsWith("⏳")));
        await().atMost(WAIT).until(() -> texts(card).stream().filter(t -> t.startsWith("⏰")).count() >= 2);

        var reminder = texts(card).stream().filter(t -> t.startsWith("⏰")).findFirst().orElseThrow();
        assertThat(reminder).matches("⏰ " + id + " is waiting for Release Engineering \\(<@U0REL1> <@U0REL2>\\) to "
                + "approve \\(open [0-9]+ s\\)\\.");
        assertThat(texts(card)).filteredOn(t -> t.startsWith("📟")).singleElement().asString().matches("📟 " + id
                + " has been escalated: it still needs Release Engineering after [5-9] s, so the on-call is being paged\\.");
        assertThat(texts(card)).filteredOn(t -> t.startsWith("⏳")).singleElement().asString()
                .startsWith("⏳ <@" + DEV + "> " + id + " expires at ")
                .endsWith("unless Release Engineering approve it; cancel it if it is no longer needed.");
        await().atMost(WAIT).until(() -> pages.stream().anyMatch(p -> p.contains("\"" + id + "/escalation\"")));
        assertThat(pages).filteredOn(p -> p.contains("\"" + id + "/escalation\"")).singleElement().asString()
                .contains("\"event_action\":\"trigger\"");
        assertThat(slack.service.service().timeline(id)).filteredOn(e -> e.type() == EventType.REQUEST_ESCALATED)
                .hasSize(1);
    }

    @Test
    void a_team_with_a_slack_user_group_is_reminded_by_mentioning_the_group() {
        var id = slack.open(DEV, "availability", OPS);
        var card = slack.card(OPS, id);

        await().atMost(WAIT).until(() -> texts(card).stream().anyMatch(t -> t.startsWith("⏰")));

        assertThat(texts(card).stream().filter(t -> t.startsWith("⏰")).findFirst().orElseThrow())
                .startsWith("⏰ " + id + " is waiting for SRE (<!subteam^S0SRE>) and Release Engineering "
                        + "(<@U0REL1> <@U0REL2>) to approve (open ");
    }

    @Test
    void once_every_team_approved_nothing_more_is_reminded_and_the_escalation_is_not_sent() throws Exception {
        var id = slack.open(DEV, "availability", OPS);
        slack.press(SlackFixture.SRE1, OPS, id, "approve:sre");
        slack.press(SlackFixture.REL1, OPS, id, "approve:releng");
        slack.awaitCardShows(OPS, id, "Deploy before");
        var card = slack.card(OPS, id);

        Thread.sleep(7000); // past remind-after and escalate-after, with a sweep every second

        assertThat(texts(card)).noneMatch(t -> t.startsWith("⏰") || t.startsWith("📟"));
        assertThat(pages).noneMatch(p -> p.contains("/escalation"));
    }

    private List<String> texts(PostedMessage card) {
        return slack.replies(OPS, card).stream().map(PostedMessage::text).toList();
    }
}
