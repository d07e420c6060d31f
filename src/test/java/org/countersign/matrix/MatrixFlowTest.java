package org.countersign.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.matrix.MatrixFixture.DEV;
import static org.countersign.matrix.MatrixFixture.OPS;
import static org.countersign.matrix.MatrixFixture.OUTSIDER;
import static org.countersign.matrix.MatrixFixture.REL1;
import static org.countersign.matrix.MatrixFixture.SEC1;
import static org.countersign.matrix.MatrixFixture.SECURITY;
import static org.countersign.matrix.MatrixFixture.SRE1;
import static org.countersign.matrix.MatrixFixture.WAIT;
import static org.countersign.matrix.MatrixFixture.newest;
import static org.countersign.matrix.MatrixFixture.request;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import org.countersign.Main;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.countersign.matrix.fake.Failure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Matrix end to end: room messages and reactions in, the Workflow and Redis, cards and notices out. */
class MatrixFlowTest {
    private static final String OPEN = "!emergency availability \"API returns 500s since the cache deploy\" "
            + "--change https://gerrit.example.org/r/c/operations/+/123456 --rollback";

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

    private RequestId open(String text, String cardRoom) {
        int before = matrix.cards(cardRoom).size();
        matrix.homeserver.postText(OPS, DEV, text);
        await().atMost(WAIT).until(() -> matrix.cards(cardRoom).size() > before);
        return newest(service);
    }

    @Test
    void the_full_flow_by_commands_edits_one_card_in_place() {
        var id = open(OPEN, OPS);
        assertThat(matrix.cardNow(OPS, id)).contains("API returns 500s since the cache deploy")
                .contains("!approve " + id);

        matrix.homeserver.postText(OPS, SRE1, "!approve " + id + " sre");
        matrix.awaitCardShows(OPS, id, "approved by @sre1:example.org");
        matrix.homeserver.postText(OPS, REL1, "!approve " + id);
        matrix.awaitCardShows(OPS, id, "!deploy " + id + " started");
        assertThat(request(service, id).state()).isEqualTo(State.APPROVED);

        matrix.homeserver.postText(OPS, SRE1, "!deploy " + id + " started");
        await().atMost(WAIT).until(() -> request(service, id).state() == State.DEPLOYING);
        matrix.homeserver.postText(OPS, SRE1, "!deploy " + id + " succeeded");
        await().atMost(WAIT).until(() -> request(service, id).state() == State.DEPLOYED);
        matrix.homeserver.postText(OPS, DEV, "!close " + id + " Proper fix in T12346");
        matrix.awaitCardShows(OPS, id, "Proper fix in T12346");

        assertThat(request(service, id).state()).isEqualTo(State.CLOSED);
        assertThat(matrix.cards(OPS)).hasSize(1);
        assertThat(matrix.homeserver.edits(OPS, matrix.card(OPS, id).eventId())).hasSizeGreaterThanOrEqualTo(5);
        await().atMost(WAIT).until(() -> matrix.replies(OPS).stream().filter(r -> r.startsWith("🔒")).count() == 1);
    }

    @Test
    void reactions_approve_for_the_one_team_the_reacting_person_is_in() {
        var id = open(OPEN, OPS);
        var card = matrix.card(OPS, id).eventId();

        matrix.homeserver.react(OPS, SRE1, card, "✅");
        matrix.awaitCardShows(OPS, id, "approved by @sre1:example.org");
        matrix.homeserver.react(OPS, REL1, card, "✅");

        await().atMost(WAIT).until(() -> request(service, id).state() == State.APPROVED);
        assertThat(request(service, id).approvals()).extracting(a -> a.team()).containsExactly("sre", "releng");
    }

    @Test
    void a_cross_reaction_points_to_reject_with_a_reason() {
        var id = open(OPEN, OPS);

        matrix.homeserver.react(OPS, SRE1, matrix.card(OPS, id).eventId(), "❌");

        assertThat(matrix.awaitReply(OPS, "!reject " + id)).contains("say why");
        assertThat(request(service, id).state()).isEqualTo(State.PENDING);
    }

    @Test
    void approving_your_own_request_is_refused_in_a_reply_and_changes_nothing() {
        var id = open(OPEN, OPS);

        matrix.homeserver.react(OPS, DEV, matrix.card(OPS, id).eventId(), "✅");
        matrix.homeserver.postText(OPS, OUTSIDER, "!approve " + id + " sre");

        assertThat(matrix.awaitReply(OPS, "You opened " + id)).contains("someone else must approve it");
        assertThat(matrix.awaitReply(OPS, "You are not a member of SRE")).isNotEmpty();
        assertThat(request(service, id).version()).isEqualTo(1);
    }

    @Test
    void wrong_syntax_gets_the_right_usage() {
        matrix.homeserver.postText(OPS, SRE1, "!deploy EMG-1 exploded");

        assertThat(matrix.awaitReply(OPS, "Usage")).contains("!deploy EMG-n started|succeeded|failed|rolled-back");
    }

    @Test
    void an_incomplete_request_is_refused_with_what_to_fix() {
        matrix.homeserver.postText(OPS, DEV, "!emergency availability \"API down\" --no-rollback \"the revert conflicts\"");

        var reply = matrix.awaitReply(OPS, "not complete");
        assertThat(reply).contains("change");
        assertThat(service.service().recent(java.util.Set.of(), 10)).isEmpty();
    }

    @Test
    void notices_are_never_answered_even_when_they_look_like_commands() throws Exception {
        var notice = JsonNodeFactory.instance.objectNode().put("msgtype", "m.notice").put("body", OPEN);
        matrix.homeserver.post(OPS, DEV, "m.room.message", notice);
        matrix.homeserver.postText(OPS, DEV, "!help");

        matrix.awaitReply(OPS, "!emergency");
        assertThat(service.service().recent(java.util.Set.of(), 10)).isEmpty();
    }

    @Test
    void a_security_request_goes_to_the_security_room_only_and_its_public_command_is_redacted() {
        var id = open(OPEN.replace("availability", "security"), SECURITY);
        var typed = matrix.homeserver.events(OPS).stream().filter(e -> e.sender().equals(DEV)).reduce((a, b) -> b)
                .orElseThrow();

        matrix.homeserver.postText(SECURITY, SRE1, "!approve " + id + " sre");
        matrix.homeserver.postText(SECURITY, REL1, "!approve " + id + " releng");
        matrix.homeserver.postText(SECURITY, SEC1, "!approve " + id + " security");

        await().atMost(WAIT).until(() -> request(service, id).state() == State.APPROVED);
        assertThat(matrix.cards(OPS)).isEmpty();
        assertThat(matrix.homeserver.events(OPS).stream().filter(e -> e.eventId().equals(typed.eventId()))
                .findFirst().orElseThrow().redacted()).isTrue();
        assertThat(matrix.replies(OPS).toString()).doesNotContain("API returns 500s");
    }

    @Test
    void a_card_post_the_homeserver_rate_limits_is_retried_and_arrives() {
        matrix.homeserver.failNext("/_matrix/client/v3/rooms/" + OPS.replace("!", "%21").replace(":", "%3A") + "/send",
                2, Failure.rateLimited(300));

        var id = open(OPEN, OPS);

        assertThat(matrix.cardNow(OPS, id)).contains(id.toString());
    }

    @Test
    void status_and_list_in_the_public_room_hide_a_confidential_summary() {
        var id = open(OPEN.replace("availability", "security"), SECURITY);

        matrix.homeserver.postText(OPS, SRE1, "!status " + id);

        var reply = matrix.awaitReply(OPS, id + " · Confidential");
        assertThat(reply).contains("confidential").doesNotContain("API returns 500s");
    }

    @Test
    void in_the_public_room_nothing_answers_with_a_confidential_requests_rejection_reason() {
        var id = open(OPEN.replace("availability", "security"), SECURITY);
        matrix.homeserver.postText(SECURITY, SEC1, "!reject " + id + " SECRET-REASON the token check is still bypassable");
        await().atMost(WAIT).until(() -> request(service, id).state() == State.REJECTED);

        matrix.homeserver.postText(OPS, OUTSIDER, "!approve " + id);
        var approve = matrix.awaitReply(OPS, "Nothing was recorded. " + id + " is confidential");
        matrix.homeserver.postText(OPS, SRE1, "!status " + id);
        var status = matrix.awaitReply(OPS, id + " · Confidential");
        matrix.homeserver.postText(OPS, SRE1, "!cancel " + id);
        var cancel = matrix.awaitReply(OPS, "Nothing was recorded. " + id + " is confidential, so Countersign speaks of it only");

        assertThat(approve).contains("only in the private security room");
        assertThat(status).contains("rejected").contains("confidential");
        assertThat(cancel).isNotEmpty();
        assertThat(matrix.replies(OPS).toString()).doesNotContain("SECRET-REASON").doesNotContain("API returns 500s");
    }

    @Test
    void a_reason_or_note_typed_in_the_public_room_about_a_confidential_request_is_refused_and_taken_down() {
        var id = open(OPEN.replace("availability", "security"), SECURITY);

        matrix.homeserver.postText(OPS, SEC1, "!reject " + id + " SECRET-REASON the fix leaks the key");

        var refused = matrix.awaitReply(OPS, id + " is confidential: say that in the security room, not here");
        assertThat(refused).contains("Nothing was recorded");
        assertThat(request(service, id).state()).isEqualTo(State.PENDING);
        await().atMost(WAIT).until(() -> matrix.homeserver.events(OPS).stream()
                .filter(e -> e.sender().equals(SEC1)).reduce((a, b) -> b).orElseThrow().redacted());
        assertThat(matrix.replies(OPS).toString()).doesNotContain("SECRET-REASON");
    }

    @Test
    void in_the_security_room_a_refusal_still_says_why() {
        var id = open(OPEN.replace("availability", "security"), SECURITY);
        matrix.homeserver.postText(SECURITY, SEC1, "!reject " + id + " the token check is still bypassable");
        await().atMost(WAIT).until(() -> request(service, id).state() == State.REJECTED);

        matrix.homeserver.postText(SECURITY, SRE1, "!approve " + id + " sre");

        assertThat(matrix.awaitReply(SECURITY, id + " was rejected by")).contains("the token check is still bypassable");
    }
}
