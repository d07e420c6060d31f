package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.slack.SlackFixture.DEV;
import static org.countersign.slack.SlackFixture.OPS;
import static org.countersign.slack.SlackFixture.REL1;
import static org.countersign.slack.SlackFixture.SRE1;
import static org.countersign.slack.SlackFixture.WAIT;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.countersign.domain.RequestId;
import org.countersign.store.CommandLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one approve click and one {@code /emergency list} cost in Redis, counted exactly with MONITOR on the whole
 * service (the ack, the card update, the thread reply, the acknowledgement of the event, and whatever runs in the
 * background meanwhile). A click counts every command a client sent, a script once (what runs inside it is shown but
 * not budgeted: it is one round trip and one command to Redis's event loop).
 */
class RedisCommandBudgetTest {
    static final int REQUESTS = 4;
    /** Per click: rate limit, read, save on the ack; then per event, read and lease, finish, XACK. */
    static final double CLICK_BUDGET = 12;
    static final double LIST_BUDGET = 3;

    @TempDir
    Path dataDir;

    private SlackFixture slack;

    @BeforeEach
    void start() throws Exception {
        slack = new SlackFixture(dataDir, false);
    }

    @AfterEach
    void stop() {
        slack.close();
    }

    @Test
    void an_approve_click_with_its_card_update_and_thread_reply_costs_at_most_twelve_redis_commands() {
        var ids = new ArrayList<RequestId>();
        for (int i = 0; i < REQUESTS; i++) ids.add(slack.open(DEV, "availability", OPS));
        await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> slack.replies(OPS, slack.card(OPS, id)).isEmpty()));

        List<CommandLog.Command> commands;
        try (var log = CommandLog.of(slack.redis.uri())) {
            for (var id : ids) {
                assertThat(slack.press(SRE1, OPS, id, "approve:sre").status()).isEqualTo(200);
                slack.awaitCardShows(OPS, id, "approved by <@U0SRE1>");
                assertThat(slack.press(REL1, OPS, id, "approve:releng").status()).isEqualTo(200);
                slack.awaitCardShows(OPS, id, "Deploy started");
            }
            // approval.added twice and request.approved once per request: three thread replies, three XACKs.
            await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> slack.replies(OPS, slack.card(OPS, id)).size() == 3));
            await().atMost(WAIT).until(() -> log.sentSoFar("xack") >= 3L * REQUESTS);
            commands = log.stop();
        }
        double clicks = 2.0 * REQUESTS;
        var sent = CommandLog.sent(commands);
        System.out.printf("per click: %.2f sent %s, %.2f inside scripts %s%n", CommandLog.total(sent) / clicks, sent,
                CommandLog.total(CommandLog.inScripts(commands)) / clicks, CommandLog.inScripts(commands));
        assertThat(CommandLog.total(sent) / clicks).as("Redis commands sent per click: %s", sent)
                .isLessThanOrEqualTo(CLICK_BUDGET);
    }

    @Test
    void emergency_list_costs_at_most_three_redis_commands() {
        for (int i = 0; i < 3; i++) slack.open(DEV, "availability", OPS);
        int lists = 5;
        List<CommandLog.Command> commands;
        try (var log = CommandLog.of(slack.redis.uri())) {
            for (int i = 0; i < lists; i++) {
                int before = slack.fake.responseUrlPosts().size();
                var reply = slack.command(DEV, "list");
                assertThat(reply.status()).isEqualTo(200);
                if (!reply.body().contains("EMG-"))
                    assertThat(slack.awaitEphemeral(before)).contains("EMG-");
            }
            commands = log.stop();
        }
        var sent = CommandLog.sent(commands);
        System.out.printf("per list: %.2f sent %s, inside scripts %s%n", CommandLog.total(sent) / (double) lists, sent,
                CommandLog.inScripts(commands));
        assertThat(CommandLog.total(sent) / (double) lists).as("Redis commands sent per list: %s", sent)
                .isLessThanOrEqualTo(LIST_BUDGET);
    }
}
