package org.countersign.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.matrix.MatrixFixture.DEV;
import static org.countersign.matrix.MatrixFixture.OPS;
import static org.countersign.matrix.MatrixFixture.REL1;
import static org.countersign.matrix.MatrixFixture.SECURITY;
import static org.countersign.matrix.MatrixFixture.SRE1;
import static org.countersign.matrix.MatrixFixture.WAIT;
import static org.countersign.matrix.MatrixFixture.newest;
import static org.countersign.matrix.MatrixFixture.request;

import java.nio.file.Path;
import java.util.List;
import org.countersign.Main;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Editing the changes with {@code !edit}, and withdrawing an approval with {@code !withdraw} or by removing the ✅. */
class MatrixEditWithdrawFlowTest {
    private static final String OPEN = "!emergency availability \"API returns 500s since the cache deploy\" "
            + "--change https://gerrit.example.org/r/c/operations/+/123456 --rollback";
    private static final String NEW_CHANGE = "https://gerrit.example.org/r/c/operations/+/123457";

    @TempDir
    Path dataDir;

    private final MatrixFixture matrix = new MatrixFixture();
    private Main.Running service;

    @BeforeEach
    void start() throws Exception {
        service = MatrixFixture.start(matrix.env(dataDir.toString(), true));
        matrix.awaitListening();
    }

    @AfterEach
    void stop() {
        service.close();
        matrix.close();
    }

    @Test
    void edit_replaces_the_changes_clears_the_approvals_and_the_card_and_thread_say_so() {
        var id = open(OPEN, OPS);
        matrix.homeserver.postText(OPS, SRE1, "!approve " + id + " sre");
        matrix.awaitCardShows(OPS, id, "approved by @sre1:example.org");

        matrix.homeserver.postText(OPS, DEV, "!edit " + id + " --change " + NEW_CHANGE + " --change 987654");

        await().atMost(WAIT).until(() -> request(service, id).changes().equals(List.of(NEW_CHANGE, "987654")));
        assertThat(request(service, id).approvals()).isEmpty();
        matrix.awaitCardShows(OPS, id, "operations/+/123457");
        assertThat(matrix.cardNow(OPS, id)).contains("⏳ SRE — waiting (0 of 1)").contains("!approve " + id + " sre")
                .doesNotContain("operations/+/123456");
        matrix.awaitReply(OPS, "⚠️ The changes of " + id + " were edited, so its approvals were cleared");
    }

    @Test
    void edit_by_someone_else_or_without_changes_is_answered_and_changes_nothing() {
        var id = open(OPEN, OPS);

        matrix.homeserver.postText(OPS, SRE1, "!edit " + id + " --change " + NEW_CHANGE);
        var refused = matrix.awaitReply(OPS, "Only the requester or the deployer can edit the changes of " + id);
        matrix.homeserver.postText(OPS, DEV, "!edit " + id);
        var usage = matrix.awaitReply(OPS, "give the new changes with --change");

        assertThat(refused).isNotEmpty();
        assertThat(usage).contains("Usage: !edit EMG-n --change REF [--change REF]…");
        assertThat(request(service, id).version()).isEqualTo(1);
    }

    @Test
    void removing_the_check_mark_that_approved_withdraws_the_approval() {
        var id = open(OPEN, OPS);
        var card = matrix.card(OPS, id).eventId();
        var reaction = matrix.homeserver.react(OPS, SRE1, card, "✅");
        await().atMost(WAIT).until(() -> request(service, id).approvals().size() == 1);

        matrix.homeserver.redact(OPS, SRE1, reaction);

        await().atMost(WAIT).until(() -> request(service, id).approvals().isEmpty());
        assertThat(request(service, id).state()).isEqualTo(State.PENDING);
        matrix.awaitCardShows(OPS, id, "⏳ SRE — waiting (0 of 1)");
        matrix.awaitReply(OPS, "↩️ @sre1:example.org withdrew their approval of " + id + " for SRE.");
    }

    @Test
    void removing_a_check_mark_after_every_team_signed_is_answered_and_the_approval_stays() {
        var id = open(OPEN, OPS);
        var card = matrix.card(OPS, id).eventId();
        var reaction = matrix.homeserver.react(OPS, SRE1, card, "✅");
        await().atMost(WAIT).until(() -> request(service, id).approvals().size() == 1);
        matrix.homeserver.react(OPS, REL1, card, "✅");
        await().atMost(WAIT).until(() -> request(service, id).state() == State.APPROVED);

        matrix.homeserver.redact(OPS, SRE1, reaction);

        matrix.awaitReply(OPS, id + " is already approved: every team has signed, so approvals can no longer be withdrawn");
        assertThat(request(service, id).approvals()).hasSize(2);
    }

    @Test
    void removing_some_other_reaction_withdraws_nothing() {
        var id = open(OPEN, OPS);
        var card = matrix.card(OPS, id).eventId();
        matrix.homeserver.react(OPS, SRE1, card, "✅");
        await().atMost(WAIT).until(() -> request(service, id).approvals().size() == 1);
        var thumbs = matrix.homeserver.react(OPS, SRE1, card, "👍");
        var typed = matrix.homeserver.postText(OPS, SRE1, "looks good");

        matrix.homeserver.redact(OPS, SRE1, thumbs);
        matrix.homeserver.redact(OPS, SRE1, typed);
        // Then something the bot answers, so the redactions before it were read.
        matrix.homeserver.postText(OPS, SRE1, "!status " + id);
        matrix.awaitReply(OPS, id + " · Availability");

        assertThat(request(service, id).approvals()).hasSize(1);
    }

    @Test
    void withdraw_takes_back_ones_own_approval_and_nobody_elses() {
        var id = open(OPEN, OPS);
        matrix.homeserver.postText(OPS, SRE1, "!approve " + id + " sre");
        matrix.awaitCardShows(OPS, id, "!withdraw " + id);

        matrix.homeserver.postText(OPS, REL1, "!withdraw " + id);
        var refused = matrix.awaitReply(OPS, "You have no approval on " + id + " to withdraw");
        assertThat(request(service, id).approvals()).hasSize(1);
        matrix.homeserver.postText(OPS, SRE1, "!withdraw " + id);

        await().atMost(WAIT).until(() -> request(service, id).approvals().isEmpty());
        assertThat(refused).isNotEmpty();
        matrix.awaitCardShows(OPS, id, "⏳ SRE — waiting (0 of 1)");
    }

    @Test
    void new_changes_for_a_confidential_request_typed_in_the_ops_room_are_refused_and_taken_down() {
        var id = open(OPEN.replace("availability", "security"), SECURITY);

        var typed = matrix.homeserver.postText(OPS, DEV, "!edit " + id + " --change " + NEW_CHANGE);

        matrix.awaitReply(OPS, id + " is confidential: say that in the security room, not here");
        await().atMost(WAIT).until(() -> matrix.homeserver.event(OPS, typed).redacted());
        assertThat(request(service, id).changes()).doesNotContain(NEW_CHANGE);
    }

    private RequestId open(String text, String cardRoom) {
        int before = matrix.cards(cardRoom).size();
        matrix.homeserver.postText(OPS, DEV, text);
        await().atMost(WAIT).until(() -> matrix.cards(cardRoom).size() > before);
        return newest(service);
    }
}
