package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.slack.SlackFixture.OPS;
import static org.countersign.slack.SlackFixture.SRE1;
import static org.countersign.slack.SlackFixture.WAIT;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.countersign.app.CardBacklog;
import org.countersign.domain.Actor;
import org.countersign.domain.Draft;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.countersign.slack.fake.BlockAction;
import org.countersign.slack.fake.HttpReply;
import org.countersign.slack.fake.SignedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst of approve presses against a Slack whose {@code chat.update} is slow: the answers keep pace with the cards
 * ({@link CardBacklog}) instead of all coming back at once while the cards fall behind, and nothing is lost.
 */
class SlackCardBacklogFlowTest {
    static final int PRESSES = 40;
    static final int PEOPLE = 8;

    @Test
    void under_a_burst_of_presses_the_answers_wait_for_the_cards_and_every_press_is_shown(@TempDir Path dataDir)
            throws Exception {
        try (var slack = new SlackFixture(dataDir, false)) {
            burst(slack);
        }
    }

    private static void burst(SlackFixture slack) throws Exception {
        // The cards are told apart by the id in their text: EMG-1 to EMG-9 are opened but not pressed, so that no id
        // pressed is the start of another.
        for (int i = 1; i < 10; i++) open(slack, i);
        var ids = new ArrayList<RequestId>();
        for (int i = 10; i < 10 + PRESSES; i++) ids.add(open(slack, i));
        await().atMost(WAIT).until(() -> slack.cards(OPS).size() == 9 + PRESSES);
        var presses = new ArrayList<SignedRequest>();
        for (var id : ids)
            presses.add(slack.signer.blockAction(BlockAction.press(slack.card(OPS, id), "approve:sre", SRE1).via(slack.fake)));
        // 8 lanes at 60 ms a card: about 130 cards a second, far fewer than the presses' answers could be.
        slack.fake.delay("chat.update", Duration.ofMillis(60));

        // Eight people pressing as fast as their answers come back, five presses each.
        var pool = Executors.newFixedThreadPool(PEOPLE);
        var answers = new CopyOnWriteArrayList<HttpReply>();
        try {
            var people = new ArrayList<CompletableFuture<Void>>();
            for (int p = 0; p < PEOPLE; p++) {
                var theirs = presses.subList(p * PRESSES / PEOPLE, (p + 1) * PRESSES / PEOPLE);
                people.add(CompletableFuture.runAsync(() -> theirs.forEach(press -> answers.add(press.sendTo(slack.url))), pool));
            }
            people.forEach(CompletableFuture::join);
        } finally {
            pool.shutdown();
        }
        long behind = ids.stream().filter(id -> !shows(slack, id)).count();

        assertThat(answers).hasSize(PRESSES).allSatisfy(a -> assertThat(a.status()).isEqualTo(200));
        // Unpaced, the answers all come back while 23 or more cards are still behind; paced, 4 to 8 here.
        assertThat(behind).as("cards not yet showing their press when the last press was answered")
                .isLessThanOrEqualTo(2 * CardBacklog.ROOM);
        await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> shows(slack, id)));
        assertThat(waitedOnMetrics(slack)).as("countersign_chat_answers_waited_total{platform=\"slack\"}").isPositive();
        assertThat(ids).allSatisfy(id -> assertThat(slack.request(id).approvals()).hasSize(1));
    }

    private static double waitedOnMetrics(SlackFixture slack) throws Exception {
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + slack.service.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("/metrics").isEqualTo(200);
        var metrics = response.body();
        var line = metrics.lines().filter(l -> l.startsWith("countersign_chat_answers_waited_total{platform=\"slack\"}"))
                .findFirst().orElseThrow(() -> new AssertionError("no answers_waited on /metrics:\n" + metrics));
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    private static boolean shows(SlackFixture slack, RequestId id) {
        return SlackFixture.blocksText(slack.card(OPS, id)).contains("approved by <@" + SRE1 + ">");
    }

    private static RequestId open(SlackFixture slack, int n) {
        var draft = new Draft("availability", "Burst " + n + ": API returns 500s since the cache deploy", null,
                List.of("https://gerrit.example.org/r/c/operations/+/123456"), "T12345", true, null, null);
        var outcome = slack.service.service().open(Actor.slack("U0DEV1"), draft);
        return ((Outcome.Applied) outcome).request().id();
    }
}
