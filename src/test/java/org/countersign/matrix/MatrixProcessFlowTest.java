package org.countersign.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.matrix.MatrixFixture.DEV;
import static org.countersign.matrix.MatrixFixture.OPS;
import static org.countersign.matrix.MatrixFixture.OUTSIDER;
import static org.countersign.matrix.MatrixFixture.REL1;
import static org.countersign.matrix.MatrixFixture.SEC1;
import static org.countersign.matrix.MatrixFixture.SRE1;
import static org.countersign.matrix.MatrixFixture.WAIT;
import static org.countersign.matrix.MatrixFixture.newest;
import static org.countersign.matrix.MatrixFixture.request;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.countersign.Main;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 in Matrix, end to end: a freeze on the card that makes Security sign too, {@code !windows}, an informed
 * team, who may open and how often.
 */
class MatrixProcessFlowTest {
    private static final String OPEN = "!emergency availability \"API returns 500s since the cache deploy\" "
            + "--change https://gerrit.example.org/r/c/operations/+/123456 --rollback";
    /** A freeze on whenever the test runs, which Security must sign for too. */
    static final String POLICY = """
            teams:
              sre:      { label: SRE, matrix-users: ["@sre1:example.org"] }
              releng:   { label: Release Engineering, matrix-users: ["@rel1:example.org"] }
              security: { label: Security, matrix-users: ["@sec1:example.org"] }
            reasons:
              availability: { label: Availability, teams: [sre], informed: [releng] }
            windows:
              time-zone: Europe/Berlin
              weekly:
                - { days: [mon, tue, wed, thu], from: "07:00", to: "08:00", label: morning backport window }
            freezes:
              - { from: 2020-01-01, to: 2099-12-31, label: Test freeze, teams: [security] }
            people:
              dev: { matrix: "@dev:example.org" }
            may-open: { teams: [sre, releng, security], people: [dev] }
            open-limit: 2/1h
            """;

    @TempDir Path dataDir;
    private final MatrixFixture matrix = new MatrixFixture();
    private Main.Running service;

    @BeforeEach
    void start() throws Exception {
        var env = matrix.env(dataDir.toString(), true);
        env.put("POLICY_FILE", Files.writeString(dataDir.resolve("policy.yml"), POLICY).toString());
        service = MatrixFixture.start(env);
        matrix.awaitListening();
    }

    @AfterEach
    void stop() {
        service.close();
        matrix.close();
    }

    private RequestId open() {
        int before = matrix.cards(OPS).size();
        matrix.homeserver.postText(OPS, DEV, OPEN);
        await().atMost(WAIT).until(() -> matrix.cards(OPS).size() > before);
        return newest(service);
    }

    @Test
    void a_request_opened_in_a_freeze_says_so_on_its_card_and_needs_security_too() {
        var id = open();

        assertThat(matrix.cardNow(OPS, id)).contains("Deployment freeze: Test freeze (until 2099-12-31)")
                .contains("Release Engineering (told, not asked to approve)");
        assertThat(request(service, id).requiredTeams()).containsExactly("sre", "security");

        matrix.homeserver.postText(OPS, SRE1, "!approve " + id);
        matrix.awaitCardShows(OPS, id, "approved by @sre1:example.org");
        assertThat(request(service, id).state()).isEqualTo(State.PENDING);
        matrix.homeserver.postText(OPS, SEC1, "!approve " + id);
        await().atMost(WAIT).until(() -> request(service, id).state() == State.APPROVED);
    }

    @Test
    void an_informed_team_member_is_told_their_approval_does_not_count() {
        var id = open();

        matrix.homeserver.postText(OPS, REL1, "!approve " + id);

        assertThat(matrix.awaitReply(OPS, "is informed of " + id)).contains("not asked to approve it");
        assertThat(request(service, id).approvals()).isEmpty();
    }

    @Test
    void bang_windows_answers_with_the_freeze_and_the_windows() {
        matrix.homeserver.postText(OPS, OUTSIDER, "!windows");

        var reply = matrix.awaitReply(OPS, "Deployment windows (Europe/Berlin)");
        assertThat(reply).contains("Deployment freeze: Test freeze (until 2099-12-31)").contains("Today, ")
                .contains("Next: none").contains("Freezes: Test freeze, 2020-01-01 to 2099-12-31 (Security must approve too)");
    }

    @Test
    void someone_the_policy_does_not_let_open_is_told_who_may() {
        matrix.homeserver.postText(OPS, OUTSIDER, OPEN);

        assertThat(matrix.awaitReply(OPS, "may open emergency requests"))
                .contains("Only members of SRE, Release Engineering or Security (and dev)");
        assertThat(service.service().recent(Set.of(), 10)).isEmpty();
    }

    @Test
    void past_the_open_limit_a_request_is_refused_with_when_to_try_again() {
        open();
        open();

        matrix.homeserver.postText(OPS, DEV, OPEN);

        assertThat(matrix.awaitReply(OPS, "You opened 2 request(s) within 1h")).contains("Try again after ");
        assertThat(service.service().recent(Set.of(), 10)).hasSize(2);
        assertThat(matrix.cards(OPS)).hasSize(2);
    }
}
