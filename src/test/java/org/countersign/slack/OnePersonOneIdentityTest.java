package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.slack.SlackFixture.DEV;
import static org.countersign.slack.SlackFixture.OPS;
import static org.countersign.slack.SlackFixture.WAIT;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.countersign.domain.State;
import org.countersign.matrix.fake.FakeHomeserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slack and Matrix on together: nobody approves their own request or fills two team slots by using two accounts.
 * Accounts are tied to people by the policy's links, by the email Slack has confirmed, and by a Matrix server mapped
 * to a mail domain; an account tied to nobody may neither open nor approve.
 */
class OnePersonOneIdentityTest {
    private static final String BOT = "@countersign:example.org";
    private static final String ROOM = "!ops:example.org";
    private static final String GROUP_MEMBER = "U0GRP1";        // in SRE only through the Slack user group
    private static final String GROUP_MEMBER_MATRIX = "@xavier:example.org"; // the same person, listed in releng
    private static final String BOB = "U0SRE2";
    private static final String BOB_ELSEWHERE = "@bob:elsewhere.org";   // an account of bob's nobody can tie to him
    private static final String BOB_MATRIX = "@bob:example.org";      // bob, by the mapped server and his email
    private static final String CAROL_MATRIX = "@rel1:example.org";
    private static final String POLICY = """
            teams:
              sre: { label: SRE, slack-users: [U0SRE2], slack-usergroup: S0SRE }
              releng: { label: Release Engineering, slack-users: [U0REL1], matrix-users: ["@xavier:example.org", "@rel1:example.org"] }
            reasons:
              availability: { label: Availability, teams: [sre, releng] }
            people:
              bob: { slack: U0SRE2, email: bob@example.org }
              carol: { slack: U0REL1, matrix: "@rel1:example.org" }
              dev: { slack: U0DEV1 }
            identity:
              matrix-mail-domains: { example.org: example.org }
            """;

    @TempDir
    Path dataDir;

    private final FakeHomeserver homeserver = new FakeHomeserver().withUser(BOT, "syt_bot")
            .withRoom(ROOM, BOT, GROUP_MEMBER_MATRIX, BOB_ELSEWHERE, CAROL_MATRIX, BOB_MATRIX);
    private SlackFixture slack;

    @BeforeEach
    void start() throws Exception {
        var policy = dataDir.resolve("policy.yml");
        Files.writeString(policy, POLICY);
        slack = new SlackFixture(dataDir, true, Map.of("MATRIX_HOMESERVER_URL", homeserver.baseUrl(),
                "MATRIX_ACCESS_TOKEN", "syt_bot", "MATRIX_ROOM_ID", ROOM, "POLICY_FILE", policy.toString()),
                workspace -> workspace.withUser(GROUP_MEMBER, "xavier", "xavier@example.org")
                        .withUsergroup("S0SRE", List.of(GROUP_MEMBER)));
        await().atMost(WAIT).until(() -> homeserver.calls("/_matrix/client/v3/sync").stream()
                .anyMatch(c -> c.query().containsKey("since")));
    }

    @AfterEach
    void stop() {
        slack.close();
        homeserver.close();
    }

    private String awaitMatrixReply(String containing) {
        await().atMost(WAIT).until(() -> homeserver.notices(ROOM).stream()
                .anyMatch(e -> e.sender().equals(BOT) && e.body().contains(containing)));
        return homeserver.notices(ROOM).stream().filter(e -> e.body().contains(containing)).findFirst().orElseThrow()
                .body();
    }

    @Test
    void one_person_in_sre_through_slack_and_in_releng_on_matrix_fills_one_slot() {
        var id = slack.open(DEV, "availability", OPS);

        slack.press(GROUP_MEMBER, OPS, id, "approve:sre");
        await().atMost(WAIT).until(() -> slack.request(id).approvals().size() == 1);
        homeserver.postText(ROOM, GROUP_MEMBER_MATRIX, "!approve " + id + " releng");

        assertThat(awaitMatrixReply("one person fills one team slot")).contains("You already approved " + id + " for SRE");
        assertThat(slack.request(id).state()).isEqualTo(State.PENDING);
        assertThat(slack.request(id).approvals().get(0).person()).isEqualTo("email:xavier@example.org");
        homeserver.postText(ROOM, CAROL_MATRIX, "!approve " + id + " releng");
        await().atMost(WAIT).until(() -> slack.request(id).state() == State.APPROVED);
    }

    @Test
    void an_account_nobody_can_tie_to_a_person_can_neither_open_nor_approve() {
        homeserver.postText(ROOM, BOB_ELSEWHERE, "!emergency availability \"API returns 500s\" --change 123456 --rollback");

        assertThat(awaitMatrixReply("cannot tie your account matrix:" + BOB_ELSEWHERE)).contains("open a request")
                .contains("people:");
        assertThat(slack.service.service().recent(java.util.Set.of(), 10)).isEmpty();

        var id = slack.open(DEV, "availability", OPS);
        homeserver.postText(ROOM, BOB_ELSEWHERE, "!approve " + id);
        assertThat(awaitMatrixReply("cannot let you approve " + id)).contains("matrix:" + BOB_ELSEWHERE);
        assertThat(slack.request(id).approvals()).isEmpty();
    }

    @Test
    void a_matrix_id_on_a_mapped_server_is_the_person_with_that_email_so_bob_cannot_approve_his_own_request() {
        homeserver.postText(ROOM, BOB_MATRIX,
                "!emergency availability \"API returns 500s\" --change 123456 --rollback");
        await().atMost(WAIT).until(() -> !slack.service.service().recent(java.util.Set.of(), 1).isEmpty());
        var id = slack.newest();
        // The card is posted from the events stream, after the request is stored: wait for it, as people do.
        await().atMost(WAIT).until(() -> slack.cards(OPS).stream().anyMatch(m -> m.text().contains(id.toString())
                && !m.blocks().isEmpty()));

        slack.press(BOB, OPS, id, "approve:sre");

        await().atMost(WAIT).until(() -> slack.fake.responseUrlPosts().stream()
                .anyMatch(p -> p.body().toString().contains("You opened " + id)));
        assertThat(slack.request(id).requesterPerson()).isEqualTo("bob");
        assertThat(slack.request(id).approvals()).isEmpty();
    }
}
