package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.slack.SlackFixture.DEV;
import static org.countersign.slack.SlackFixture.OPS;
import static org.countersign.slack.SlackFixture.REL1;
import static org.countersign.slack.SlackFixture.SRE1;
import static org.countersign.slack.SlackFixture.WAIT;
import static org.countersign.slack.SlackFixture.actionIds;
import static org.countersign.slack.SlackFixture.blocksText;

import io.javalin.Javalin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.countersign.domain.EventType;
import org.countersign.domain.State;
import org.countersign.slack.fake.BlockAction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approvals that go stale, end to end: the example policy with approvals valid for 5 seconds, the sweeper every
 * second, the Slack fake, and an admin-log webhook.
 */
class StaleApprovalFlowTest {
    @TempDir
    Path dir;

    private final List<String> adminLog = new CopyOnWriteArrayList<>();
    private Javalin receiver;
    private SlackFixture slack;

    @BeforeEach
    void start() throws Exception {
        receiver = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.post("/admin-log", ctx -> adminLog.add(ctx.body()));
        }).start("127.0.0.1", 0);
        var policy = dir.resolve("policy.yml");
        Files.writeString(policy, Files.readString(Path.of("infra/policy.example.yml"))
                .replace("approval-valid-for: 2h", "approval-valid-for: 5s") + """
                integrations:
                  - name: admin-log
                    url: http://127.0.0.1:%d/admin-log
                    format: slack-incoming
                """.formatted(receiver.port()));
        slack = new SlackFixture(dir.resolve("data"), true,
                Map.of("POLICY_FILE", policy.toString(), "EXPIRY_SWEEP_INTERVAL", "1s"));
    }

    @AfterEach
    void stop() {
        if (slack != null) slack.close();
        receiver.stop();
    }

    @Test
    void an_approval_not_deployed_in_time_expires_and_its_card_says_so_and_a_deploy_press_is_refused() {
        var id = slack.open(DEV, "availability", OPS);
        slack.press(SRE1, OPS, id, "approve:sre");
        slack.press(REL1, OPS, id, "approve:releng");
        var approvedCard = slack.awaitCardShows(OPS, id, "Deploy before");
        assertThat(actionIds(approvedCard)).contains("deploy_started");

        var card = slack.awaitCardShows(OPS, id, "the approvals went stale");

        assertThat(slack.request(id).state()).isEqualTo(State.EXPIRED);
        assertThat(blocksText(card)).contains("Approvals expired");
        assertThat(actionIds(card)).isEmpty();
        var last = slack.service.service().timeline(id).get(slack.service.service().timeline(id).size() - 1);
        assertThat(last.type()).isEqualTo(EventType.REQUEST_EXPIRED);
        assertThat(last.detail()).startsWith("the approvals went stale: the deploy had not started by ");
        await().atMost(WAIT).until(() -> slack.replies(OPS, slack.card(OPS, id)).stream()
                .anyMatch(m -> m.text().startsWith("⌛ The approvals of " + id + " expired before its deploy started")));
        await().atMost(WAIT).until(() -> adminLog.stream()
                .anyMatch(body -> body.contains(id + " expired; the approvals went stale")));

        // Someone presses Deploy started on a copy of the card from before the expiry.
        int before = slack.fake.responseUrlPosts().size();
        slack.signer.blockAction(BlockAction.press(approvedCard, "deploy_started", REL1).via(slack.fake)).sendTo(slack.url);

        assertThat(slack.awaitEphemeral(before)).contains("The approvals of " + id + " expired at")
                .contains("open a new request");
        assertThat(slack.request(id).state()).isEqualTo(State.EXPIRED);
    }
}
