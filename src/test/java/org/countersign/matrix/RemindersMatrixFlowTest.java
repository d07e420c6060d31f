package org.countersign.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.matrix.MatrixFixture.BOT;
import static org.countersign.matrix.MatrixFixture.DEV;
import static org.countersign.matrix.MatrixFixture.OPS;
import static org.countersign.matrix.MatrixFixture.SRE1;
import static org.countersign.matrix.MatrixFixture.newest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.countersign.Main;
import org.countersign.domain.RequestId;
import org.countersign.matrix.fake.RoomEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reminders and the expiry warning in the card's thread, through the fake homeserver. */
class RemindersMatrixFlowTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final String OPEN = "!emergency availability \"API returns 500s since the cache deploy\" "
            + "--change https://gerrit.example.org/r/c/operations/+/123456 --rollback";

    @TempDir
    Path dataDir;

    private final MatrixFixture matrix = new MatrixFixture();
    private Main.Running service;

    @BeforeEach
    void start() throws Exception {
        var policy = dataDir.resolve("policy.yml");
        Files.writeString(policy, Files.readString(Path.of("infra/policy.example.yml"))
                .replace("expire-after: 60m", "expire-after: 60s")
                .replace("# remind-after: 15m", "remind-after: 4s")
                .replace("# warn-before-expiry: 10m", "warn-before-expiry: 52s"));
        var env = matrix.env(dataDir.toString(), true);
        env.put("POLICY_FILE", policy.toString());
        env.put("EXPIRY_SWEEP_INTERVAL", "1s");
        service = MatrixFixture.start(env);
        matrix.awaitListening();
    }

    @AfterEach
    void stop() {
        service.close();
        matrix.close();
    }

    @Test
    void a_reminder_in_the_cards_thread_names_and_mentions_the_listed_users_of_the_teams_still_needed() {
        var id = open();
        matrix.homeserver.postText(OPS, SRE1, "!approve " + id + " sre");
        var card = matrix.card(OPS, id);

        await().atMost(WAIT).until(() -> thread(card).stream().anyMatch(e -> e.body().startsWith("⏰")));

        var reminder = thread(card).stream().filter(e -> e.body().startsWith("⏰")).findFirst().orElseThrow();
        assertThat(reminder.body()).matches("⏰ " + id + " is waiting for Release Engineering \\(@rel1:example.org\\) "
                + "to approve \\(open [0-9]+ s\\)\\.");
        assertThat(reminder.content().path("formatted_body").asText())
                .contains("<a href=\"https://matrix.to/#/@rel1:example.org\">@rel1:example.org</a>");
        assertThat(reminder.content().path("m.mentions").path("user_ids")).extracting(n -> n.asText())
                .containsExactly("@rel1:example.org");
        assertThat(reminder.content().path("m.relates_to").path("rel_type").asText()).isEqualTo("m.thread");
    }

    @Test
    void the_requester_is_warned_once_before_the_request_expires_and_mentioned() throws Exception {
        var id = open();
        var card = matrix.card(OPS, id);

        await().atMost(WAIT).until(() -> thread(card).stream().anyMatch(e -> e.body().startsWith("⏳")));
        Thread.sleep(3000); // more sweeps, every second

        assertThat(thread(card)).filteredOn(e -> e.body().startsWith("⏳")).singleElement()
                .satisfies(e -> {
                    assertThat(e.body()).startsWith("⏳ " + DEV + " " + id + " expires at ");
                    assertThat(e.content().path("m.mentions").path("user_ids")).extracting(n -> n.asText())
                            .containsExactly(DEV);
                });
        assertThat(thread(card)).filteredOn(e -> e.body().startsWith("⏰")).first()
                .satisfies(e -> assertThat(e.content().path("m.mentions").path("user_ids")).extracting(n -> n.asText())
                        .containsExactly("@sre1:example.org", "@rel1:example.org"));
    }

    private RequestId open() {
        int before = matrix.cards(OPS).size();
        matrix.homeserver.postText(OPS, DEV, OPEN);
        await().atMost(WAIT).until(() -> matrix.cards(OPS).size() > before);
        return newest(service);
    }

    /** The bot's notices in the card's thread, oldest first. */
    private List<RoomEvent> thread(RoomEvent card) {
        return matrix.homeserver.notices(OPS).stream().filter(e -> e.sender().equals(BOT)
                && card.eventId().equals(e.content().path("m.relates_to").path("event_id").asText())
                && "m.thread".equals(e.content().path("m.relates_to").path("rel_type").asText())).toList();
    }
}
