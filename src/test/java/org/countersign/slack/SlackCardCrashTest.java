package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.slack.SlackFixture.DEV;
import static org.countersign.slack.SlackFixture.OPS;
import static org.countersign.slack.SlackFixture.SRE1;

import java.nio.file.Path;
import java.time.Duration;
import org.countersign.slack.fake.Failure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A card Slack took whose answer never came back (the connection cut after the post) is found again, not reposted. */
class SlackCardCrashTest {
    @TempDir
    Path dataDir;

    private SlackFixture slack;

    @BeforeEach
    void start() throws Exception {
        slack = new SlackFixture(dataDir, true);
    }

    @AfterEach
    void stop() {
        slack.close();
    }

    @Test
    void a_card_posted_before_the_answer_was_lost_is_found_in_the_history_and_updated_not_posted_twice() {
        slack.fake.failNext("chat.postMessage", 1, Failure.disconnectAfter());
        var form = slack.openForm(DEV, "");

        slack.submit(SlackFixture.filled(form, DEV, "availability", "API returns 500s since the cache deploy"));

        await().atMost(Duration.ofSeconds(20)).until(() -> !slack.fake.calls("conversations.history").isEmpty());
        var id = slack.newest();
        slack.press(SRE1, OPS, id, "approve:sre");
        slack.awaitCardShows(OPS, id, "approved by <@U0SRE1>");
        assertThat(slack.cards(OPS)).hasSize(1);
        var posted = slack.fake.calls("chat.postMessage").stream().filter(c -> c.params().containsKey("metadata"))
                .toList();
        assertThat(posted).hasSize(1);
    }
}
