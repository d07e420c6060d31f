package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.slack.SlackFixture.DEV;
import static org.countersign.slack.SlackFixture.OPS;
import static org.countersign.slack.SlackFixture.SRE1;
import static org.countersign.slack.SlackFixture.WAIT;
import static org.countersign.slack.SlackFixture.blocksText;

import java.nio.file.Path;
import java.util.Map;
import org.countersign.domain.State;
import org.countersign.matrix.fake.FakeHomeserver;
import org.countersign.matrix.fake.RoomEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One request, a card in Slack and one in Matrix: votes from either count together and both cards follow. */
class MirrorTest {
    private static final String BOT = "@countersign:example.org";
    private static final String ROOM = "!ops:example.org";
    private static final String REL1_MATRIX = "@rel1:example.org";
    private static final String SRE1_MATRIX = "@sre1:example.org"; // alice, the same person as U0SRE1

    @TempDir
    Path dataDir;

    private final FakeHomeserver homeserver = new FakeHomeserver().withUser(BOT, "syt_bot")
            .withRoom(ROOM, BOT, REL1_MATRIX, SRE1_MATRIX);
    private SlackFixture slack;

    @BeforeEach
    void start() throws Exception {
        slack = new SlackFixture(dataDir, true, Map.of("MATRIX_HOMESERVER_URL", homeserver.baseUrl(),
                "MATRIX_ACCESS_TOKEN", "syt_bot", "MATRIX_ROOM_ID", ROOM));
        await().atMost(WAIT).until(() -> homeserver.calls("/_matrix/client/v3/sync").stream()
                .anyMatch(c -> c.query().containsKey("since")));
    }

    @AfterEach
    void stop() {
        slack.close();
        homeserver.close();
    }

    private RoomEvent matrixCard() {
        return homeserver.notices(ROOM).stream().filter(e -> e.sender().equals(BOT) && e.relatesTo().isMissingNode())
                .findFirst().orElseThrow();
    }

    private String matrixCardNow() {
        return homeserver.latestContentOf(ROOM, matrixCard().eventId()).toString();
    }

    @Test
    void a_slack_approval_and_a_matrix_approval_approve_the_request_and_both_cards_follow() {
        var id = slack.open(DEV, "availability", OPS);
        await().atMost(WAIT).until(() -> homeserver.notices(ROOM).stream().anyMatch(e -> e.body().contains(id.toString())));

        slack.press(SRE1, OPS, id, "approve:sre");
        slack.awaitCardShows(OPS, id, "approved by <@U0SRE1>");
        homeserver.postText(ROOM, REL1_MATRIX, "!approve " + id + " releng");

        await().atMost(WAIT).until(() -> slack.request(id).state() == State.APPROVED);
        slack.awaitCardShows(OPS, id, "Deploy started");
        await().atMost(WAIT).until(() -> matrixCardNow().contains("!deploy " + id + " started"));
        assertThat(blocksText(slack.card(OPS, id))).contains("matrix:@rel1:example.org");
        assertThat(matrixCardNow()).contains("slack:U0SRE1").contains("@rel1:example.org");
    }

    @Test
    void the_same_person_on_both_platforms_fills_one_team_slot() {
        var id = slack.open(DEV, "availability", OPS);
        slack.press(SRE1, OPS, id, "approve:sre"); // alice on Slack
        slack.awaitCardShows(OPS, id, "approved by <@U0SRE1>");

        homeserver.postText(ROOM, SRE1_MATRIX, "!approve " + id + " sre"); // alice again, on Matrix

        await().atMost(WAIT).until(() -> homeserver.notices(ROOM).stream()
                .anyMatch(e -> e.body().contains("You already approved " + id + " for SRE")));
        assertThat(slack.request(id).approvals()).hasSize(1);
    }

    @Test
    void an_approval_made_in_slack_is_withdrawn_by_the_same_person_from_matrix_and_both_cards_follow() {
        var id = slack.open(DEV, "availability", OPS);
        slack.press(SRE1, OPS, id, "approve:sre"); // alice on Slack
        slack.awaitCardShows(OPS, id, "approved by <@U0SRE1>");
        homeserver.postText(ROOM, REL1_MATRIX, "!withdraw " + id); // carol has no approval to withdraw
        await().atMost(WAIT).until(() -> homeserver.notices(ROOM).stream()
                .anyMatch(e -> e.body().contains("You have no approval on " + id + " to withdraw")));
        assertThat(slack.request(id).approvals()).hasSize(1);

        homeserver.postText(ROOM, SRE1_MATRIX, "!withdraw " + id); // alice, on Matrix

        await().atMost(WAIT).until(() -> slack.request(id).approvals().isEmpty());
        slack.awaitCardShows(OPS, id, "SRE — waiting (0 of 1)");
        await().atMost(WAIT).until(() -> matrixCardNow().contains("!approve " + id + " sre"));
        assertThat(slack.service.service().timeline(id).get(slack.service.service().timeline(id).size() - 1).detail())
                .isEqualTo("slack:U0SRE1");
    }
}
