package org.countersign.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.matrix.MatrixFixture.BOT;
import static org.countersign.matrix.MatrixFixture.DEV;
import static org.countersign.matrix.MatrixFixture.OPS;
import static org.countersign.matrix.MatrixFixture.SECURITY;
import static org.countersign.matrix.MatrixFixture.SRE1;
import static org.countersign.matrix.MatrixFixture.WAIT;
import static org.countersign.matrix.MatrixFixture.newest;
import static org.countersign.matrix.MatrixFixture.request;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.countersign.Main;
import org.countersign.domain.RequestId;
import org.countersign.matrix.fake.FakeHomeserver;
import org.countersign.matrix.fake.RoomEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The security room is checked to be private (join rules invite or knock, history not world_readable) at start and
 * every PRIVACY_CHECK_INTERVAL; while it is not, no confidential card or text goes there and security requests are
 * refused.
 */
class SecurityRoomPrivacyTest {
    private static final String OPEN_SECRET = "!emergency security \"SECRET-VULN token forgery in login\" "
            + "--change https://gerrit.example.org/r/c/operations/+/123456 --rollback";

    @TempDir
    Path dataDir;

    private final MatrixFixture matrix = new MatrixFixture();
    private Main.Running service;

    @AfterEach
    void stop() {
        if (service != null) service.close();
        matrix.close();
    }

    private void start(Consumer<FakeHomeserver> rooms) throws Exception {
        rooms.accept(matrix.homeserver);
        var env = matrix.env(dataDir.toString(), true);
        env.put("PRIVACY_CHECK_INTERVAL", "1s");
        service = MatrixFixture.start(env);
        matrix.awaitListening();
    }

    /** The bot's own notices in the ops room that are neither cards of requests nor replies. */
    private List<String> opsNotices() {
        return matrix.homeserver.notices(OPS).stream()
                .filter(e -> e.sender().equals(BOT) && e.relatesTo().isMissingNode() && !e.body().contains("EMG-"))
                .map(RoomEvent::body).toList();
    }

    private RequestId open() {
        int before = matrix.cards(SECURITY).size();
        matrix.homeserver.postText(OPS, DEV, OPEN_SECRET);
        await().atMost(WAIT).until(() -> matrix.cards(SECURITY).size() > before);
        return newest(service);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"m.room.join_rules, join_rule, public, its join rule is public",
            "m.room.join_rules, join_rule, restricted, its join rule is restricted",
            "m.room.history_visibility, history_visibility, world_readable, its history is world_readable"})
    void a_security_request_is_refused_while_the_security_room_is_not_private_and_nothing_of_it_is_sent(
            String type, String field, String value, String why) throws Exception {
        start(hs -> hs.withState(SECURITY, type, "", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                .objectNode().put(field, value)));

        matrix.homeserver.postText(OPS, DEV, OPEN_SECRET);

        var reply = matrix.awaitReply(OPS, "is not private");
        assertThat(reply).contains("the security room " + SECURITY + " is not private (" + why)
                .contains("Nothing was recorded").contains("set MATRIX_SECURITY_ROOM_ID to a private room");
        await().atMost(WAIT).until(() -> matrix.homeserver.events(OPS).stream()
                .filter(e -> e.sender().equals(DEV)).reduce((a, b) -> b).orElseThrow().redacted());
        assertThat(service.service().recent(Set.of(), 10)).isEmpty();
        assertThat(matrix.homeserver.calls()).allSatisfy(call ->
                assertThat(call.body() + call.path()).as(call.method() + " " + call.path()).doesNotContain("SECRET-VULN"));
        assertThat(matrix.homeserver.notices(SECURITY)).isEmpty();
        assertThat(opsNotices()).singleElement().asString().contains("is not private (" + why)
                .contains("MATRIX_SECURITY_ROOM_ID");
    }

    @Test
    void once_the_room_is_invite_only_again_security_requests_work_and_the_ops_room_hears_it() throws Exception {
        start(hs -> hs.setJoinRule(SECURITY, "public"));
        matrix.homeserver.postText(OPS, DEV, OPEN_SECRET);
        matrix.awaitReply(OPS, "is not private");

        matrix.homeserver.setJoinRule(SECURITY, "invite");
        await().atMost(WAIT).until(() -> opsNotices().stream().anyMatch(t -> t.contains("is private again")));
        var id = open();

        assertThat(matrix.cardNow(SECURITY, id)).contains("SECRET-VULN token forgery in login");
    }

    @Test
    void a_room_turned_public_holds_back_confidential_cards_from_the_next_check_and_shows_them_once_private()
            throws Exception {
        start(hs -> {});
        var id = open();
        var card = matrix.card(SECURITY, id);

        matrix.homeserver.setJoinRule(SECURITY, "public");
        await().atMost(WAIT).until(() -> opsNotices().stream().anyMatch(t -> t.contains("is not private")));
        matrix.homeserver.postText(SECURITY, SRE1, "!approve " + id + " sre");
        matrix.homeserver.postText(SECURITY, SRE1, "!status " + id);
        var status = matrix.awaitReply(SECURITY, id + " · Confidential");
        await().atMost(WAIT).until(() -> request(service, id).approvals().size() == 1);
        matrix.homeserver.postText(OPS, DEV, OPEN_SECRET.replace("SECRET-VULN", "SECOND-VULN"));
        var refused = matrix.awaitReply(OPS, "is not private");

        // The room is answered as an open one now: what happened, never what the request is about.
        assertThat(status).contains("confidential").doesNotContain("SECRET-VULN");
        assertThat(refused).contains("Nothing was recorded");
        assertThat(service.service().recent(Set.of(), 10)).hasSize(1);
        Thread.sleep(1_500); // the card publisher has had the approval's event by now
        assertThat(matrix.homeserver.edits(SECURITY, card.eventId())).isEmpty();
        assertThat(matrix.replies(SECURITY)).singleElement().asString().doesNotContain("SECRET-VULN");

        matrix.homeserver.setJoinRule(SECURITY, "invite");
        matrix.awaitCardShows(SECURITY, id, "approved by @sre1:example.org");
        await().atMost(WAIT).until(() -> opsNotices().stream().anyMatch(t -> t.contains("is private again")));
        assertThat(matrix.homeserver.calls()).allSatisfy(call ->
                assertThat(call.body() + call.path()).doesNotContain("SECOND-VULN"));
    }
}
