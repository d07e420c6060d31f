package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.slack.SlackFixture.DEV;
import static org.countersign.slack.SlackFixture.OPS;
import static org.countersign.slack.SlackFixture.SECURITY;
import static org.countersign.slack.SlackFixture.SRE1;
import static org.countersign.slack.SlackFixture.WAIT;
import static org.countersign.slack.SlackFixture.blocksText;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.countersign.matrix.fake.FakeHomeserver;
import org.countersign.slack.fake.FakeSlack;
import org.countersign.slack.fake.Failure;
import org.countersign.slack.fake.HttpReply;
import org.countersign.slack.fake.PostedMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security channel is checked to be private (conversations.info is_private) at start and every
 * PRIVACY_CHECK_INTERVAL; while it is not, no confidential card or text goes there and security requests are refused.
 */
class SecurityChannelPrivacyTest {
    private static final String SECRET = "SECRET-VULN token forgery in login";
    private static final Map<String, String> CHECK_OFTEN = Map.of("PRIVACY_CHECK_INTERVAL", "1s");

    @TempDir
    Path dataDir;

    private SlackFixture slack;

    @AfterEach
    void stop() {
        if (slack != null) slack.close();
    }

    private void start(Consumer<FakeSlack> workspace) throws Exception {
        slack = new SlackFixture(dataDir, true, CHECK_OFTEN, workspace);
    }

    private HttpReply submitSecurityRequest() {
        return slack.submit(SlackFixture.filled(slack.openForm(DEV, ""), DEV, "security", SECRET));
    }

    /** Bot messages in the ops channel that are not cards of requests: the service's own notices. */
    private List<String> opsNotices() {
        return slack.fake.messages(OPS).stream().filter(m -> !m.isReply() && m.blocks().isEmpty())
                .map(PostedMessage::text).toList();
    }

    private String get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + slack.service.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private void assertNothingConfidentialWasSentToSlack() {
        assertThat(slack.fake.calls()).allSatisfy(call ->
                assertThat(call.rawBody() + call.params()).as(call.method()).doesNotContain("SECRET-VULN"));
        assertThat(slack.fake.messages(SECURITY)).isEmpty();
    }

    @Test
    void a_security_request_is_refused_while_the_security_channel_is_public_and_nothing_of_it_reaches_slack()
            throws Exception {
        start(fake -> fake.makePublic(SECURITY));

        var reply = submitSecurityRequest();

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).contains("response_action").contains("the security channel G0SECURE is not private")
                .contains("make it private, or set SLACK_SECURITY_CHANNEL to a private channel")
                .contains("Nothing was recorded");
        assertThat(slack.service.service().recent(Set.of(), 10)).isEmpty();
        assertNothingConfidentialWasSentToSlack();
        assertThat(opsNotices()).singleElement().asString().contains("the security channel G0SECURE is not private")
                .contains("Slack says is_private is false").contains("SLACK_SECURITY_CHANNEL");
        assertThat(get("/readyz")).contains("\"status\":\"ready\"").contains("the security channel G0SECURE is not private");
        assertThat(get("/metrics")).contains("countersign_security_place_private{platform=\"slack\"} 0.0");
    }

    @Test
    void a_security_channel_that_cannot_be_checked_is_not_trusted() throws Exception {
        start(fake -> fake.failNext("conversations.info", 1000, new Failure.Error("missing_scope")));

        var reply = submitSecurityRequest();

        assertThat(reply.body()).contains("could not be checked to be private yet")
                .contains("channels:read and groups:read").contains("Nothing was recorded");
        assertThat(slack.service.service().recent(Set.of(), 10)).isEmpty();
        assertNothingConfidentialWasSentToSlack();
        assertThat(get("/metrics")).contains("countersign_security_place_private{platform=\"slack\"} 0.0");
    }

    @Test
    void once_the_channel_is_made_private_security_requests_work_again_and_the_ops_channel_hears_it() throws Exception {
        start(fake -> fake.makePublic(SECURITY));
        assertThat(submitSecurityRequest().body()).contains("is not private");

        slack.fake.makePrivate(SECURITY);
        await().atMost(WAIT).until(() -> opsNotices().stream().anyMatch(t -> t.contains("is private again")));
        var id = slack.open(DEV, "security", SECURITY);

        assertThat(blocksText(slack.card(SECURITY, id))).contains("API returns 500s since the cache deploy");
        assertThat(get("/readyz")).contains("\"status\":\"ready\"").doesNotContain("warnings");
        assertThat(get("/metrics")).contains("countersign_security_place_private{platform=\"slack\"} 1.0");
    }

    @Test
    void a_channel_turned_public_holds_back_confidential_cards_from_the_next_check_and_shows_them_once_private()
            throws Exception {
        start(fake -> {});
        var id = slack.open(DEV, "security", SECURITY);
        int checks = slack.fake.calls("conversations.info").size();

        slack.fake.makePublic(SECURITY);
        await().atMost(WAIT).until(() -> opsNotices().stream().anyMatch(t -> t.contains("is not private")));
        assertThat(slack.fake.calls("conversations.info").size()).isGreaterThan(checks);
        int callsBefore = slack.fake.calls().size();
        var pressed = slack.press(SRE1, SECURITY, id, "approve:sre");
        var refused = submitSecurityRequest();
        var status = slack.signer.slashCommand(org.countersign.slack.fake.SlashCommand.emergency(SRE1, SECURITY,
                "status " + id).via(slack.fake)).sendTo(slack.url).body();

        assertThat(pressed.status()).isEqualTo(200);
        // The channel is answered as an open one now: what happened, never what the request is about.
        assertThat(status).contains(id.toString()).contains("confidential").doesNotContain("API returns 500s");
        await().atMost(WAIT).until(() -> slack.request(id).approvals().size() == 1);
        assertThat(refused.body()).contains("the security channel G0SECURE is not private");
        assertThat(slack.service.service().recent(Set.of(), 10)).hasSize(1);
        Thread.sleep(1_500); // the card publisher has had the approval's event by now
        assertThat(slack.card(SECURITY, id).edits()).isZero();
        assertThat(slack.replies(SECURITY, slack.card(SECURITY, id))).isEmpty();
        assertThat(slack.fake.calls().subList(callsBefore, slack.fake.calls().size()))
                .allSatisfy(call -> assertThat(call.method()).isIn("conversations.info", "views.open"));

        slack.fake.makePrivate(SECURITY);
        slack.awaitCardShows(SECURITY, id, "approved by <@U0SRE1>");
        await().atMost(WAIT).until(() -> opsNotices().stream().anyMatch(t -> t.contains("is private again")));
        assertThat(opsNotices()).allSatisfy(t -> assertThat(t).doesNotContain("SECRET").doesNotContain("500s"));
    }

    @Test
    void a_card_held_back_from_a_public_security_channel_is_posted_there_once_it_is_private() throws Exception {
        var bot = "@countersign:example.org";
        var alice = "@sre1:example.org"; // U0SRE1 on Slack
        try (var homeserver = new FakeHomeserver().withUser(bot, "syt_bot").withRoom("!ops:example.org", bot, alice)
                .withRoom("!sec:example.org", bot, alice)) {
            var env = new java.util.HashMap<>(CHECK_OFTEN);
            env.putAll(Map.of("MATRIX_HOMESERVER_URL", homeserver.baseUrl(), "MATRIX_ACCESS_TOKEN", "syt_bot",
                    "MATRIX_ROOM_ID", "!ops:example.org", "MATRIX_SECURITY_ROOM_ID", "!sec:example.org"));
            slack = new SlackFixture(dataDir, true, env, fake -> fake.makePublic(SECURITY));
            await().atMost(WAIT).until(() -> homeserver.calls("/_matrix/client/v3/sync").stream()
                    .anyMatch(c -> c.query().containsKey("since")));

            // Opened in Matrix, whose security room is private: its Slack card waits for the channel.
            homeserver.postText("!ops:example.org", alice, "!emergency security \"" + SECRET + "\" --change 123456 "
                    + "--rollback");
            await().atMost(WAIT).until(() -> homeserver.notices("!sec:example.org").stream()
                    .anyMatch(e -> e.body().contains(SECRET)));
            Thread.sleep(1_500);
            assertNothingConfidentialWasSentToSlack();

            slack.fake.makePrivate(SECURITY);
            await().atMost(WAIT).until(() -> slack.cards(SECURITY).size() == 1);
            assertThat(blocksText(slack.cards(SECURITY).get(0))).contains(SECRET);
            assertThat(slack.fake.messages(OPS)).allSatisfy(m -> assertThat(m.text() + m.blocks())
                    .doesNotContain("SECRET-VULN"));
        }
    }
}
