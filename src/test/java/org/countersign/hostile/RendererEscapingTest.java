package org.countersign.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.hostile.HostileService.DEV;
import static org.countersign.hostile.HostileService.OPS;
import static org.countersign.hostile.HostileService.SRE1;
import static org.countersign.hostile.HostileService.WAIT;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.countersign.domain.RequestId;
import org.countersign.matrix.fake.FakeHomeserver;
import org.countersign.matrix.fake.RoomEvent;
import org.countersign.slack.fake.BlockAction;
import org.countersign.slack.fake.PostedMessage;
import org.countersign.slack.fake.ViewSubmission;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text people typed, full of markup, mentions and invisible characters, opened in Slack and rendered by every
 * renderer: Slack's Block Kit at the fake Slack, Matrix's HTML at the fake homeserver, and the JSON API. No
 * mention reaches a chat, no tag or link of the user's is live, and the API gives the text back as typed.
 */
class RendererEscapingTest {
    static final String SUMMARY = "<!channel> <!here> <@U0SRE1> @room <script>alert(1)</script> & *bold* `tick` "
            + "\u200B\u202Egnp.exe\u202C \u0007";
    static final String DETAILS = "<a href=javascript:alert(1)>click</a> <https://evil.example|Approve here> "
            + "<!subteam^S0SRE> <!everyone> <#C0EMERG1> <!date^1^{date}|x> @channel @ROOM [x](javascript:alert(1)) "
            + "<img src=x onerror=alert(1)> &amp; &lt; ```block``` \u0000\u001b[31m\u2066\u2069\uFEFF "
            + "@sre1:example.org <@W0SEC1> </li></ul><h1>big</h1>";
    static final String WHY_NOT = "<!everyone> no revert: *it is* `new` <b>code</b> & @room";
    static final String TASK = "<@U0SEC1>";
    static final String REJECTION = "<!channel> rejected <script>x</script> @room <@U0DEV1> & more";
    /** What may stand between < and > in Slack mrkdwn here: the requester's and rejecter's mentions, the date token, the change links. */
    private static final Pattern SLACK_TOKEN_ALLOWED = Pattern.compile(
            "<@(U0DEV1|U0SRE1)>|<!date\\^\\d+\\^\\{date_short_pretty} \\{time}\\|[^<>]*>|<https://gerrit\\.example\\.org/[^<>|]*\\|[^<>]*>");
    private static final Pattern SLACK_TOKEN = Pattern.compile("<[^<>]*>");
    private static final Pattern HTML_TAG = Pattern.compile("<(/?)([a-zA-Z0-9]+)([^>]*)>");
    private static final List<String> MATRIX_TAGS = List.of("h4", "p", "b", "ul", "li", "a", "code", "br");
    private static final String BOT = "@countersign:example.org";
    private static final String ROOM = "!ops:example.org";

    @TempDir
    Path dataDir;

    private final FakeHomeserver homeserver = new FakeHomeserver().withUser(BOT, "syt_hostile_bot")
            .withRoom(ROOM, BOT, "@sre1:example.org", "@rel1:example.org");
    private HostileService countersign;
    private RequestId id;

    @BeforeEach
    void start() throws Exception {
        countersign = new HostileService(dataDir, Map.of("MATRIX_HOMESERVER_URL", homeserver.baseUrl(),
                "MATRIX_ACCESS_TOKEN", "syt_hostile_bot", "MATRIX_ROOM_ID", ROOM));
        int before = countersign.cards(OPS).size();
        var form = countersign.openForm(DEV);
        var submission = ViewSubmission.of(form, DEV)
                .withSelectedOption("reason", "reason_select", "availability")
                .withPlainText("summary", "summary_input", SUMMARY)
                .withPlainText("details", "details_input", DETAILS)
                .withPlainText("changes", "changes_input",
                        "https://gerrit.example.org/r/c/1?a=*b*&c=`d`|e\nhttps://gerrit.example.org/r/c/2#@room")
                .withPlainText("task", "task_input", TASK)
                .withSelectedOption("rollback", "rollback_choice", "no")
                .withPlainText("why_not_rollback", "why_not_rollback_input", WHY_NOT);
        var reply = countersign.signer.viewSubmission(submission.via(countersign.slack)).sendTo(countersign.slackUrl());
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).as("no form errors").isEmpty();
        await().atMost(WAIT).until(() -> countersign.cards(OPS).size() > before);
        id = countersign.newest();
    }

    @AfterEach
    void stop() {
        countersign.close();
        homeserver.close();
    }

    @Test
    void slack_cards_thread_replies_and_answers_carry_no_mention_or_link_of_the_users_making() {
        reject();
        await().atMost(WAIT).until(() -> countersign.card(OPS, id).blocks().toString().contains("rejected"));

        var texts = new ArrayList<String>();
        for (PostedMessage m : countersign.slack.messages(OPS)) {
            texts.add(m.text()); // the notification text is mrkdwn too
            mrkdwn(m.blocks(), texts);
        }
        texts.add(countersign.command(SRE1, "status " + id).body());
        texts.add(countersign.command(SRE1, "list").body());

        var all = String.join("\n", texts);
        assertThat(all).contains("&lt;!channel&gt;").contains("&lt;script&gt;").contains("&amp;");
        for (var text : texts) {
            var m = SLACK_TOKEN.matcher(text);
            while (m.find()) assertThat(m.group()).as("a live Slack token in: %s", text).matches(SLACK_TOKEN_ALLOWED);
        }
        assertThat(all).doesNotContain("<!channel>", "<!here>", "<!everyone>", "<!subteam", "<#C0EMERG1>",
                "<https://evil.example", "<@U0SEC1>", "<@W0SEC1>", "<script");
    }

    @Test
    void matrix_cards_use_only_safe_tags_have_no_pills_for_non_users_and_never_say_at_room() {
        reject();
        await().atMost(Duration.ofSeconds(15)).until(() -> matrixCardNow().path("formatted_body").asText().contains("rejected"));

        var contents = new ArrayList<JsonNode>();
        contents.add(matrixCardNow());
        for (var e : homeserver.notices(ROOM)) if (e.sender().equals(BOT)) contents.add(e.content());
        for (var content : contents) {
            var html = content.path("formatted_body").asText();
            var body = content.path("body").asText();
            var tags = HTML_TAG.matcher(html);
            while (tags.find()) {
                assertThat(MATRIX_TAGS).as("tag <%s> in %s", tags.group(2), html).contains(tags.group(2).toLowerCase());
                if (tags.group(2).equalsIgnoreCase("a") && tags.group(1).isEmpty())
                    assertThat(tags.group(3)).as("a link the card may make").matches(" href=\"https://gerrit\\.example\\.org/[^\"<>]*\"");
            }
            assertThat(html).doesNotContain("<script", "<img", "<h1", "javascript:alert(1)\"", "matrix.to");
            // Push rules read the plain body; in the HTML only text counts (a link's href may hold "@room").
            var htmlText = HTML_TAG.matcher(html).replaceAll(" ");
            assertThat(body + "\n" + htmlText).as("@room notifies the room").doesNotContainPattern("(?i)@room");
            assertThat(body + html).as("control characters").doesNotContainPattern("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]");
            if (content.has("formatted_body")) assertThat(content.path("m.mentions").isObject()).isTrue();
            assertThat(content.path("m.mentions").path("room").asBoolean(false)).isFalse();
            assertThat(content.path("m.mentions").path("user_ids").size()).isZero();
        }
        assertThat(matrixCardNow().path("formatted_body").asText()).contains("&lt;script&gt;").contains("&lt;!channel&gt;");
    }

    @Test
    void the_api_gives_the_text_back_exactly_as_typed_as_json_never_as_html() throws Exception {
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(countersign.base + "/api/requests/" + id)).headers(countersign.bearer()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        var json = Garbage.JSON.readTree(response.body());
        assertThat(json.path("summary").asText()).isEqualTo(SUMMARY.strip());
        assertThat(json.path("details").asText()).isEqualTo(DETAILS.strip());
        assertThat(json.path("whyNotRollback").asText()).isEqualTo(WHY_NOT);
        assertThat(response.body()).as("raw control characters in JSON").doesNotContainPattern("[\\x00-\\x1f]");
    }

    /** SRE1 rejects with a hostile reason, through the button and the reason form. */
    private void reject() {
        int views = countersign.slack.openedViews().size();
        var press = BlockAction.press(countersign.card(OPS, id), "reject", SRE1).via(countersign.slack);
        countersign.signer.blockAction(press).sendTo(countersign.slackUrl());
        await().atMost(WAIT).until(() -> countersign.slack.openedViews().size() > views);
        var form = countersign.slack.openedViews().get(views);
        var reply = countersign.signer.viewSubmission(ViewSubmission.of(form, SRE1)
                .withPlainText("reject_reason", "reject_reason_input", REJECTION).via(countersign.slack))
                .sendTo(countersign.slackUrl());
        assertThat(reply.body()).as("rejection accepted").isEmpty();
    }

    private JsonNode matrixCardNow() {
        var card = homeserver.notices(ROOM).stream().filter(e -> e.sender().equals(BOT) && e.relatesTo().isMissingNode()
                && e.body().contains(id.toString())).findFirst();
        return card.map(RoomEvent::eventId).map(e -> homeserver.latestContentOf(ROOM, e))
                .orElse(Garbage.JSON.createObjectNode());
    }

    /** The text of every mrkdwn text object under {@code node}; plain_text is never read as markup by Slack. */
    private static void mrkdwn(JsonNode node, List<String> out) {
        if (node.isObject() && "mrkdwn".equals(node.path("type").asText()) && node.has("text"))
            out.add(node.get("text").asText());
        node.forEach(child -> mrkdwn(child, out));
    }
}
