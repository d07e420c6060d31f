package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.slack.SlackFixture.DEV;
import static org.countersign.slack.SlackFixture.OPS;
import static org.countersign.slack.SlackFixture.REL1;
import static org.countersign.slack.SlackFixture.SRE1;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import org.countersign.domain.RequestId;
import org.countersign.slack.fake.RateLimits;
import org.countersign.slack.fake.RateLimits.Limit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The card path against a Slack that enforces its rate limits (429 with Retry-After, as the fake's {@link RateLimits}
 * answers past them): every card still ends up true and every reply is sent once, and after Slack says wait, nothing
 * under the same limit is sent before the wait is over.
 */
class SlackRateLimitsFlowTest {
    /** A call already on its way when Slack's 429 came back may still arrive just after it. */
    static final Duration IN_FLIGHT = Duration.ofMillis(300);
    static final Duration LONG_WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    private final RateLimits limits = new RateLimits().perChannel("chat.postMessage", new Limit(60, 2))
            .perWorkspace("chat.update", new Limit(60, 2));
    private SlackFixture slack;

    @BeforeEach
    void start() throws Exception {
        slack = new SlackFixture(dataDir, false, Map.of(), fake -> fake.withRateLimits(limits));
    }

    @AfterEach
    void stop() {
        slack.close();
    }

    @Test
    void under_slacks_rate_limits_every_card_shows_every_approval_and_nothing_goes_before_slacks_retry_after() {
        var ids = new ArrayList<RequestId>();
        for (int i = 0; i < 3; i++) ids.add(slack.open(DEV, "availability", OPS));
        for (var id : ids) {
            assertThat(slack.press(SRE1, OPS, id, "approve:sre").status()).isEqualTo(200);
            assertThat(slack.press(REL1, OPS, id, "approve:releng").status()).isEqualTo(200);
        }

        await().atMost(LONG_WAIT).until(() -> ids.stream().allMatch(id ->
                SlackFixture.blocksText(slack.card(OPS, id)).contains("Deploy started")
                        && slack.replies(OPS, slack.card(OPS, id)).size() == 3));

        assertThat(slack.cards(OPS)).hasSize(3);
        assertThat(limits.refused()).as("Slack had to refuse some calls, or this test shows nothing").isNotEmpty();
        var taken = limits.taken();
        for (int i = 0; i < taken.size(); i++) {
            var refusal = taken.get(i);
            if (refusal.retryAfterSeconds() == 0) continue;
            long from = refusal.atNanos() + IN_FLIGHT.toNanos();
            long until = refusal.atNanos() + Duration.ofSeconds(refusal.retryAfterSeconds()).toNanos();
            for (var later : taken.subList(i + 1, taken.size()))
                if (later.limit().equals(refusal.limit()))
                    assertThat(later.atNanos() < from || later.atNanos() >= until)
                            .as("a %s call %d ms after Slack said wait %d s", later.limit(),
                                    (later.atNanos() - refusal.atNanos()) / 1_000_000, refusal.retryAfterSeconds())
                            .isTrue();
        }
    }
}
