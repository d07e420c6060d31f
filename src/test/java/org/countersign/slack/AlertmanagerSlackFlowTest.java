package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.slack.SlackFixture.DEV;
import static org.countersign.slack.SlackFixture.OPS;
import static org.countersign.slack.SlackFixture.WAIT;
import static org.countersign.slack.SlackFixture.actionIds;
import static org.countersign.slack.SlackFixture.blocksText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.countersign.slack.fake.BlockAction;
import org.countersign.slack.fake.Failure;
import org.countersign.slack.fake.OpenedView;
import org.countersign.slack.fake.PostedMessage;
import org.countersign.webhook.AlertmanagerPayloads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** Alertmanager to Slack end to end: the whole service from Main.start, the real Redis, the fake Slack. */
class AlertmanagerSlackFlowTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private SlackFixture slack;
    private AlertmanagerPayloads group;

    @BeforeEach
    void start(TestInfo test) throws Exception {
        slack = new SlackFixture(dataDir, false, Map.of("ALERTMANAGER_TOKEN", AlertmanagerPayloads.TOKEN));
        group = AlertmanagerPayloads.firing(test.getDisplayName());
    }

    @AfterEach
    void stop() {
        slack.close();
    }

    @Test
    void a_firing_group_is_posted_once_in_the_ops_channel_with_the_open_emergency_button() throws Exception {
        var answer = post(group);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).path("slack").asText()).isEqualTo("posted");
        var message = onlyMessage();
        assertThat(actionIds(message)).containsExactly("open_emergency");
        assertThat(blocksText(message)).contains("Firing", "API error rate above 5%",
                "5xx responses are 12% of requests", "severity=critical", "Open emergency deployment",
                "<http://prometheus.example.org:9090/graph?g0.expr=rate%28http_errors%5B5m%5D%29&amp;g0.tab=1|Source>",
                "<http://alertmanager.example.org:9093|Alertmanager>");
        assertThat(message.text()).isEqualTo("Firing: API error rate above 5%");
    }

    @Test
    void the_same_group_again_updates_its_message_instead_of_posting_another() throws Exception {
        post(group);

        var again = post(group.withAlerts(3, 0));

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).path("slack").asText()).isEqualTo("updated");
        var message = onlyMessage();
        assertThat(message.edits()).isEqualTo(1);
        assertThat(blocksText(message)).contains("3 alerts", "api-3:9100");
        assertThat(actionIds(message)).containsExactly("open_emergency");
    }

    @Test
    void a_resolved_notification_updates_the_message_says_when_and_removes_the_button() {
        post(group);

        var resolved = post(group.resolved());

        assertThat(resolved.statusCode()).isEqualTo(200);
        var message = onlyMessage();
        assertThat(blocksText(message)).contains("Resolved* at <!date^", "2024-03-01 10:20 UTC", "API error rate above 5%");
        assertThat(actionIds(message)).isEmpty();
        assertThat(message.text()).startsWith("Resolved: ");
        assertThat(slack.fake.calls("chat.postMessage")).hasSize(1);
    }

    @Test
    void the_button_opens_the_request_form_with_reason_availability_and_the_alert_summary() {
        post(group);
        int before = slack.fake.openedViews().size();

        var reply = slack.signer.blockAction(BlockAction.press(onlyMessage(), SlackAlerts.OPEN_EMERGENCY, DEV)
                .via(slack.fake)).sendTo(slack.url);

        assertThat(reply.status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> slack.fake.openedViews().size() > before);
        var form = slack.fake.openedViews().get(before);
        assertThat(form.callbackId()).isEqualTo(SlackForms.REQUEST_CALLBACK);
        assertThat(element(form, SlackForms.REASON_BLOCK).path("initial_option").path("value").asText())
                .isEqualTo("availability");
        assertThat(element(form, SlackForms.SUMMARY_BLOCK).path("initial_value").asText())
                .isEqualTo("HighErrorRate: API error rate above 5%");
        assertThat(form.privateMetadata()).isEqualTo(OPS);
    }

    @Test
    void a_long_summary_is_prefilled_cut_to_the_forms_200_characters() {
        post(group.withAnnotation("summary", "x".repeat(500)));
        int before = slack.fake.openedViews().size();

        slack.signer.blockAction(BlockAction.press(onlyMessage(), SlackAlerts.OPEN_EMERGENCY, DEV)
                .via(slack.fake)).sendTo(slack.url);

        await().atMost(WAIT).until(() -> slack.fake.openedViews().size() > before);
        var summary = element(slack.fake.openedViews().get(before), SlackForms.SUMMARY_BLOCK).path("initial_value").asText();
        assertThat(summary).hasSize(200).startsWith("HighErrorRate: xxx").endsWith("…");
    }

    @Test
    void the_button_is_the_one_the_slack_app_answers() {
        assertThat(SlackAlerts.OPEN_EMERGENCY).isEqualTo(SlackApp.OPEN_EMERGENCY);
    }

    @Test
    void concurrent_deliveries_of_a_new_group_post_one_message_and_update_it() throws Exception {
        int deliveries = 8;
        var ready = new CountDownLatch(deliveries);
        var pool = Executors.newFixedThreadPool(deliveries);
        var answers = new ArrayList<CompletableFuture<HttpResponse<String>>>();
        for (int i = 0; i < deliveries; i++)
            answers.add(CompletableFuture.supplyAsync(() -> {
                ready.countDown();
                awaitQuietly(ready);
                return post(group);
            }, pool));
        pool.shutdown();

        var statuses = answers.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).toList();

        assertThat(statuses).containsOnly(200);
        assertThat(slack.fake.calls("chat.postMessage")).hasSize(1);
        assertThat(slack.fake.calls("chat.update")).hasSize(deliveries - 1);
        assertThat(slack.cards(OPS)).hasSize(1);
    }

    @Test
    void when_slack_fails_the_answer_is_503_so_alertmanager_retries_and_the_retry_posts_once() throws Exception {
        slack.fake.failNext("chat.postMessage", 1, Failure.down());

        var first = post(group);

        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(first.headers().firstValue("Retry-After")).isPresent();
        assertThat(JSON.readTree(first.body()).path("error").asText()).contains("slack", "Alertmanager will send");
        assertThat(slack.cards(OPS)).isEmpty();

        var retry = post(group);

        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(slack.cards(OPS)).hasSize(1);
    }

    @Test
    void what_the_alert_says_is_escaped_so_it_cannot_ping_mention_or_link() {
        post(group.withAnnotation("summary", "<!channel> cache & <@U0SRE1> <https://evil.example|click>")
                .withLabel("team", "<!here>"));

        var text = shownText(onlyMessage());

        assertThat(text).contains("&lt;!channel&gt; cache &amp; &lt;@U0SRE1&gt; &lt;https://evil.example|click&gt;",
                "team=&lt;!here&gt;");
        assertThat(text).doesNotContain("<!channel>", "<@U0SRE1>", "<!here>", "<https://evil.example");
    }

    @Test
    void a_group_of_hundreds_of_alerts_fits_block_kit_and_says_how_many_are_left_out() {
        var answer = post(group.withAlerts(400, 250).withAnnotation("description", "d".repeat(20_000))
                .withAnnotation("summary", "s&".repeat(300)));

        assertThat(answer.statusCode()).isEqualTo(200);
        var message = onlyMessage();
        assertThat(message.blocks().size()).isLessThanOrEqualTo(6);
        assertThat(blocksText(message)).contains("650 alerts", "more alerts");
        for (JsonNode block : message.blocks())
            assertThat(block.path("text").path("text").asText().length()).isLessThanOrEqualTo(3000);
    }

    @Test
    void a_wrong_token_is_401_and_posts_nothing() {
        var answer = AlertmanagerPayloads.post(slack.service.port(), group.json(), "not-the-token-at-all-0000");

        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.body()).contains("\"error\"", "Wrong bearer token");
        assertThat(slack.fake.messages(OPS)).isEmpty();
    }

    private HttpResponse<String> post(AlertmanagerPayloads payload) {
        return AlertmanagerPayloads.post(slack.service.port(), payload);
    }

    private PostedMessage onlyMessage() {
        List<PostedMessage> messages = slack.cards(OPS);
        assertThat(messages).hasSize(1);
        return messages.get(0);
    }

    /** The mrkdwn people read: every text of every block, not the button's value. */
    private static String shownText(PostedMessage message) {
        var texts = new ArrayList<String>();
        for (JsonNode block : message.blocks()) {
            texts.add(block.path("text").path("text").asText(""));
            for (JsonNode element : block.path("elements")) texts.add(element.path("text").asText(""));
        }
        return String.join("\n", texts) + "\n" + message.text();
    }

    private static JsonNode element(OpenedView view, String blockId) {
        for (JsonNode block : view.view().path("blocks"))
            if (blockId.equals(block.path("block_id").asText())) return block.path("element");
        throw new AssertionError("no block " + blockId + " in " + view.view());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
