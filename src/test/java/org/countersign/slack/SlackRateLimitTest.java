package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.slack.SlackFixture.DEV;
import static org.countersign.slack.SlackFixture.OPS;
import static org.countersign.slack.SlackFixture.SRE1;
import static org.countersign.slack.SlackFixture.SRE2;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Slack user who acts too often is held back, told once per window, and nothing is recorded. */
class SlackRateLimitTest {
    @TempDir
    Path dataDir;

    private SlackFixture slack;

    @BeforeEach
    void start() throws Exception {
        slack = new SlackFixture(dataDir, true, Map.of("RATE_LIMIT_PER_USER", "3/1m"));
    }

    @AfterEach
    void stop() {
        slack.close();
    }

    @Test
    void the_fourth_command_in_a_minute_is_told_to_slow_down_and_the_fifth_hears_nothing() {
        for (int i = 0; i < 3; i++) assertThat(slack.command(SRE1, "list").body()).contains("emergency requests");

        var fourth = slack.command(SRE1, "list");
        var fifth = slack.command(SRE1, "list");

        assertThat(fourth.status()).isEqualTo(200);
        assertThat(fourth.body()).contains("Slow down").contains("\"response_type\":\"ephemeral\"");
        assertThat(fifth.status()).isEqualTo(200);
        assertThat(fifth.body()).doesNotContain("Slow down").doesNotContain("emergency requests");
        assertThat(slack.command(SRE2, "list").body()).as("others are not held back").contains("emergency requests");
    }

    @Test
    void a_held_back_click_records_nothing() {
        var id = slack.open(DEV, "availability", OPS); // DEV: 2 actions (command, form)
        for (int i = 0; i < 3; i++) slack.command(SRE1, "help");
        int before = slack.fake.responseUrlPosts().size();

        slack.press(SRE1, OPS, id, "approve:sre");

        assertThat(slack.awaitEphemeral(before)).contains("Slow down");
        assertThat(slack.request(id).approvals()).isEmpty();
    }
}
