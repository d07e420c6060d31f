package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.slack.SlackFixture.DEV;
import static org.countersign.slack.SlackFixture.OPS;
import static org.countersign.slack.SlackFixture.REL2;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Slack user groups end to end: membership is read in the background, never while Slack waits for an ack. */
class SlackUsergroupsFlowTest {
    @TempDir
    Path dataDir;

    private SlackFixture slack;

    @AfterEach
    void stop() {
        if (slack != null) slack.close();
    }

    @Test
    void neither_a_form_nor_a_click_waits_for_a_slow_usergroups_users_list() throws Exception {
        slack = new SlackFixture(dataDir, true, Map.of(),
                fake -> fake.delay("usergroups.users.list", Duration.ofSeconds(8)));
        var form = slack.openForm(DEV, "");

        long start = System.nanoTime();
        var submitted = slack.submit(SlackFixture.filled(form, DEV, "availability", "API returns 500s"));
        long submitMillis = (System.nanoTime() - start) / 1_000_000;
        await().atMost(SlackFixture.WAIT).until(() -> slack.cards(OPS).size() == 1);
        var id = slack.newest();
        int before = slack.fake.responseUrlPosts().size();
        start = System.nanoTime();
        var pressed = slack.press(REL2, OPS, id, "approve:sre"); // REL2 is in SRE only through the S0SRE user group
        long pressMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(submitted.status()).isEqualTo(200);
        assertThat(pressed.status()).isEqualTo(200);
        assertThat(submitMillis).as("form ack while usergroups.users.list takes 8 s").isLessThan(2_000);
        assertThat(pressMillis).as("click ack while usergroups.users.list takes 8 s").isLessThan(2_000);
        assertThat(slack.awaitEphemeral(before)).contains("Slack has not answered yet about the SRE user group");
        assertThat(slack.request(id).approvals()).isEmpty();

        // Once Slack has answered in the background, the same press counts.
        slack.awaitUsergroupsRead();
        slack.press(REL2, OPS, id, "approve:sre");
        slack.awaitCardShows(OPS, id, "approved by <@U0REL2>");
    }
}
