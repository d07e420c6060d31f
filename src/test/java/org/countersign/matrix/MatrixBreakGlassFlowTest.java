package org.countersign.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.matrix.MatrixFixture.DEV;
import static org.countersign.matrix.MatrixFixture.OPS;
import static org.countersign.matrix.MatrixFixture.OUTSIDER;
import static org.countersign.matrix.MatrixFixture.REL1;
import static org.countersign.matrix.MatrixFixture.SECURITY;
import static org.countersign.matrix.MatrixFixture.SRE1;
import static org.countersign.matrix.MatrixFixture.WAIT;
import static org.countersign.matrix.MatrixFixture.newest;
import static org.countersign.matrix.MatrixFixture.request;

import java.nio.file.Files;
import java.nio.file.Path;
import org.countersign.Main;
import org.countersign.domain.EventType;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Break-glass and the review afterwards, end to end through the fake homeserver: the example policy (alice, @sre1,
 * may break the glass; SRE reviews; break-glass requests wait for their review), with bob on Matrix as @sre2 so a
 * second SRE can review.
 */
class MatrixBreakGlassFlowTest {
    static final String SRE2 = "@sre2:example.org";
    static final String WHY = "The API is down for every reader and nobody in Release Engineering answers the page";
    static final String OPEN = "!emergency availability API returns 500s since the cache deploy "
            + "--change https://gerrit.example.org/r/c/operations/+/123456 --rollback";

    @TempDir
    Path dataDir;

    private final MatrixFixture matrix = new MatrixFixture();
    private Main.Running service;

    @BeforeEach
    void start() throws Exception {
        matrix.homeserver.addMember(OPS, SRE2);
        var policy = dataDir.resolve("policy.yml");
        Files.writeString(policy, Files.readString(Path.of("infra/policy.example.yml"))
                .replace("matrix-users: [\"@sre1:example.org\"]", "matrix-users: [\"@sre1:example.org\", \"@sre2:example.org\"]")
                .replace("bob:   { slack: U0SRE2, console: bob }", "bob:   { slack: U0SRE2, console: bob, matrix: \"@sre2:example.org\" }"));
        var env = matrix.env(dataDir.resolve("data").toString(), true);
        env.put("POLICY_FILE", policy.toString());
        service = MatrixFixture.start(env);
        matrix.awaitListening();
    }

    @AfterEach
    void stop() {
        service.close();
        matrix.close();
    }

    private RequestId open(String text) {
        int before = matrix.cards(OPS).size();
        matrix.homeserver.postText(OPS, DEV, text);
        await().atMost(WAIT).until(() -> matrix.cards(OPS).size() > before);
        return newest(service);
    }

    @Test
    void break_glass_is_refused_for_an_unlisted_person_a_short_reason_and_an_unlisted_reason() {
        var id = open(OPEN);
        var abuse = open(OPEN.replace("availability", "abuse"));

        matrix.homeserver.postText(OPS, SRE2, "!break-glass " + id + " " + WHY);
        matrix.homeserver.postText(OPS, SRE1, "!break-glass " + id + " too short");
        matrix.homeserver.postText(OPS, SRE1, "!break-glass " + abuse + " " + WHY);

        assertThat(matrix.awaitReply(OPS, "not one of the people the policy lets break the glass")).contains(id.toString());
        assertThat(matrix.awaitReply(OPS, "at least 40 characters")).contains("you wrote 9");
        assertThat(matrix.awaitReply(OPS, "cannot be broken for Abuse requests")).contains(abuse.toString());
        assertThat(request(service, id).state()).isEqualTo(State.PENDING);
        assertThat(request(service, abuse).state()).isEqualTo(State.PENDING);
        assertThat(matrix.announcements(OPS)).isEmpty();
    }

    @Test
    void break_glass_marks_the_card_and_tells_the_ops_and_the_security_room() {
        var id = open(OPEN);

        matrix.homeserver.postText(OPS, SRE1, "!break-glass " + id + " " + WHY);

        matrix.awaitCardShows(OPS, id, "Break-glass reason");
        assertThat(matrix.cardNow(OPS, id)).contains("BREAK-GLASS").contains(WHY);
        await().atMost(WAIT).until(() -> matrix.announcements(OPS).size() == 1 && matrix.announcements(SECURITY).size() == 1);
        assertThat(matrix.announcements(OPS).get(0)).contains(id.toString()).contains(WHY).contains("reviewed afterwards");
        assertThat(matrix.announcements(SECURITY).get(0)).contains(WHY);
        assertThat(request(service, id).state()).isEqualTo(State.APPROVED);
        assertThat(request(service, id).breakGlass().person()).isEqualTo("alice");
        assertThat(service.service().timeline(id)).extracting(e -> e.type()).contains(EventType.REQUEST_BREAK_GLASS);
    }

    @Test
    void a_confidential_break_glass_tells_the_ops_room_that_it_happened_but_not_why() {
        int before = matrix.cards(SECURITY).size();
        matrix.homeserver.postText(SECURITY, SRE1, OPEN.replace("availability", "security"));
        await().atMost(WAIT).until(() -> matrix.cards(SECURITY).size() > before);
        var id = newest(service);

        matrix.homeserver.postText(SECURITY, SRE1, "!break-glass " + id + " " + WHY);

        await().atMost(WAIT).until(() -> matrix.announcements(OPS).size() == 1 && matrix.announcements(SECURITY).size() == 1);
        assertThat(matrix.announcements(OPS).get(0)).contains("BREAK-GLASS on " + id).doesNotContain(WHY)
                .doesNotContain("API returns 500s");
        assertThat(matrix.announcements(SECURITY).get(0)).contains(WHY);
    }

    @Test
    void the_review_is_refused_for_the_deployer_accepted_for_another_sre_and_closing_waits_for_it() {
        var id = open(OPEN + " --deployer " + SRE1);
        matrix.homeserver.postText(OPS, SRE1, "!break-glass " + id + " " + WHY);
        await().atMost(WAIT).until(() -> request(service, id).state() == State.APPROVED);
        matrix.homeserver.postText(OPS, SRE1, "!deploy " + id + " rolled-back the fix made it worse");
        await().atMost(WAIT).until(() -> request(service, id).state() == State.ROLLED_BACK);

        matrix.homeserver.postText(OPS, DEV, "!close " + id + " proper fix in T999");
        assertThat(matrix.awaitReply(OPS, "must be reviewed before it is closed")).contains(id.toString());
        matrix.homeserver.postText(OPS, SRE1, "!review " + id + " T999");
        assertThat(matrix.awaitReply(OPS, "You deployed " + id)).contains("someone else in SRE must review it");
        matrix.homeserver.postText(OPS, OUTSIDER, "!reviews");
        assertThat(matrix.awaitReply(OPS, "Awaiting their review")).contains(id.toString()).contains("due ");
        matrix.homeserver.postText(OPS, REL1, "!review " + id + " T999");
        assertThat(matrix.awaitReply(OPS, "Only members of SRE review requests")).isNotEmpty();
        matrix.homeserver.postText(OPS, SRE2, "!review " + id + " T999");
        await().atMost(WAIT).until(() -> request(service, id).review() != null);
        matrix.homeserver.postText(OPS, DEV, "!close " + id + " proper fix in T999");

        await().atMost(WAIT).until(() -> request(service, id).state() == State.CLOSED);
        assertThat(request(service, id).review().person()).isEqualTo("bob");
        matrix.awaitCardShows(OPS, id, "Reviewed by");
    }
}
