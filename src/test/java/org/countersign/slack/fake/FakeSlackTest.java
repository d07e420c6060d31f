package org.countersign.slack.fake;

import static com.slack.api.model.block.Blocks.actions;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.button;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.chat.ChatPostEphemeralResponse;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.views.ViewsOpenResponse;
import com.slack.api.model.block.LayoutBlock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake answers what the real slack-api-client expects, over real HTTP. */
class FakeSlackTest {

  private static final String TOKEN = "xoxb-countersign-test";
  private static final String CHANNEL = "C0EMERG";
  private static final String MODAL =
      """
      {"type":"modal","callback_id":"emergency_request","private_metadata":"req-1",
       "title":{"type":"plain_text","text":"Emergency deploy"},
       "blocks":[{"type":"input","block_id":"reason","label":{"type":"plain_text","text":"Why"},
                  "element":{"type":"plain_text_input","action_id":"reason_input"}}],
       "submit":{"type":"plain_text","text":"Request"}}""";

  private final TestClock clock = new TestClock(Instant.parse("2026-04-05T10:00:00Z"));
  private FakeSlack slack;
  private Slack client;
  private MethodsClient methods;

  @BeforeEach
  void start() {
    slack =
        new FakeSlack(TOKEN, clock)
            .withChannel(CHANNEL, "emergencies")
            .withUsergroup("S0SRE", List.of("U0SRE1", "U0SRE2"))
            .withUser("U0SRE2", "sam");
    SlackConfig config = slack.slackConfig();
    // Any field the fake invents that the real client's model lacks fails the test.
    config.setFailOnUnknownProperties(true);
    client = Slack.getInstance(config);
    methods = client.methods(TOKEN);
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    slack.close();
  }

  @Test
  void auth_test_answers_with_the_bot_identity() throws Exception {
    var answer = methods.authTest(r -> r);

    assertThat(answer.isOk()).isTrue();
    assertThat(answer.getTeamId()).isEqualTo(slack.teamId());
    assertThat(answer.getUserId()).isEqualTo(slack.botUserId());
    assertThat(answer.getBotId()).isEqualTo(slack.botId());
    assertThat(answer.getUrl()).startsWith("https://");
    assertThat(slack.calls("auth.test").get(0).header("Authorization")).isEqualTo("Bearer " + TOKEN);
  }

  @Test
  void conversations_info_says_whether_a_channel_is_private_as_it_is_now() throws Exception {
    slack.withPrivateChannel("G0SECURE", "security-emergencies");

    var before = methods.conversationsInfo(r -> r.channel("G0SECURE"));
    slack.makePublic("G0SECURE");
    var after = methods.conversationsInfo(r -> r.channel("G0SECURE"));
    var ops = methods.conversationsInfo(r -> r.channel(CHANNEL));
    var unknown = methods.conversationsInfo(r -> r.channel("C0NOPE"));

    assertThat(before.isOk()).isTrue();
    assertThat(before.getChannel().getId()).isEqualTo("G0SECURE");
    assertThat(before.getChannel().getName()).isEqualTo("security-emergencies");
    assertThat(before.getChannel().isPrivate()).isTrue();
    assertThat(after.getChannel().isPrivate()).isFalse();
    assertThat(ops.getChannel().isPrivate()).isFalse();
    assertThat(unknown.isOk()).isFalse();
    assertThat(unknown.getError()).isEqualTo("channel_not_found");
  }

  @Test
  void a_call_without_a_token_is_not_authed() throws Exception {
    HttpResponse<String> answer = post("auth.test", "application/x-www-form-urlencoded", "", null);

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("{\"ok\":false,\"error\":\"not_authed\"}");
  }

  @Test
  void the_client_without_a_token_sends_bearer_null_which_is_invalid_auth() throws Exception {
    var answer = client.methods().authTest(r -> r);

    assertThat(answer.getError()).isEqualTo("invalid_auth");
    assertThat(slack.calls("auth.test").get(0).header("Authorization")).isEqualTo("Bearer null");
  }

  @Test
  void a_call_with_another_token_is_invalid_auth() throws Exception {
    var answer = client.methods("xoxb-someone-else").chatPostMessage(r -> r.channel(CHANNEL).text("hi"));

    assertThat(answer.isOk()).isFalse();
    assertThat(answer.getError()).isEqualTo("invalid_auth");
    assertThat(slack.messages(CHANNEL)).isEmpty();
  }

  @Test
  void a_token_in_a_form_field_is_accepted_but_not_one_inside_a_json_body() throws Exception {
    HttpResponse<String> form =
        post("auth.test", "application/x-www-form-urlencoded", "token=" + TOKEN, null);
    HttpResponse<String> json =
        post("auth.test", "application/json", "{\"token\":\"" + TOKEN + "\"}", null);

    assertThat(form.body()).contains("\"ok\":true");
    assertThat(json.body()).contains("\"error\":\"not_authed\"");
  }

  @Test
  void a_json_body_with_a_bearer_token_posts_a_message() throws Exception {
    HttpResponse<String> answer =
        post(
            "chat.postMessage",
            "application/json; charset=utf-8",
            "{\"channel\":\"C0EMERG\",\"text\":\"fallback\",\"blocks\":[{\"type\":\"divider\"}]}",
            TOKEN);

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).contains("\"ok\":true");
    RecordedCall call = slack.calls("chat.postMessage").get(0);
    assertThat(call.json("blocks").get(0).get("type").asText()).isEqualTo("divider");
    assertThat(slack.messages(CHANNEL)).singleElement().extracting(PostedMessage::text).isEqualTo("fallback");
  }

  @Test
  void posting_then_updating_changes_the_recorded_message() throws Exception {
    ChatPostMessageResponse posted =
        methods.chatPostMessage(r -> r.channel(CHANNEL).text("Emergency deploy requested").blocks(card("Approve")));
    var updated =
        methods.chatUpdate(
            r -> r.channel(CHANNEL).ts(posted.getTs()).text("Approved by SRE").blocks(card("Approved")));

    assertThat(posted.isOk()).isTrue();
    assertThat(posted.getChannel()).isEqualTo(CHANNEL);
    assertThat(posted.getMessage().getText()).isEqualTo("Emergency deploy requested");
    assertThat(updated.isOk()).isTrue();
    assertThat(updated.getTs()).isEqualTo(posted.getTs());
    assertThat(updated.getText()).isEqualTo("Approved by SRE");
    PostedMessage now = slack.message(CHANNEL, posted.getTs());
    assertThat(now.text()).isEqualTo("Approved by SRE");
    assertThat(now.edits()).isEqualTo(1);
    assertThat(now.blocks().get(1).get("elements").get(0).get("text").get("text").asText()).isEqualTo("Approved");
    assertThat(slack.messages(CHANNEL)).hasSize(1);
  }

  @Test
  void an_update_without_blocks_keeps_the_blocks_the_message_had() throws Exception {
    var posted = methods.chatPostMessage(r -> r.channel(CHANNEL).text("v1").blocks(card("Approve")));
    methods.chatUpdate(r -> r.channel(CHANNEL).ts(posted.getTs()).text("v2"));

    assertThat(slack.message(CHANNEL, posted.getTs()).blocks()).hasSize(2);
  }

  @Test
  void updating_a_ts_that_was_never_posted_is_message_not_found() throws Exception {
    var answer = methods.chatUpdate(r -> r.channel(CHANNEL).ts("1712345678.000100").text("x"));

    assertThat(answer.isOk()).isFalse();
    assertThat(answer.getError()).isEqualTo("message_not_found");
  }

  @Test
  void posting_to_an_unknown_channel_is_channel_not_found() throws Exception {
    var answer = methods.chatPostMessage(r -> r.channel("C0NOWHERE").text("x"));

    assertThat(answer.getError()).isEqualTo("channel_not_found");
  }

  @Test
  void a_channel_may_be_named_and_the_answer_carries_its_id() throws Exception {
    var answer = methods.chatPostMessage(r -> r.channel("#emergencies").text("x"));

    assertThat(answer.getChannel()).isEqualTo(CHANNEL);
  }

  @Test
  void posting_to_a_user_id_lands_in_their_dm_channel() throws Exception {
    var answer = methods.chatPostMessage(r -> r.channel("U0SRE2").text("please review"));

    assertThat(answer.getChannel()).isEqualTo(slack.dmChannel("U0SRE2"));
    assertThat(slack.messages(slack.dmChannel("U0SRE2"))).hasSize(1);
  }

  @Test
  void every_post_gets_a_later_ts_and_a_reply_keeps_its_thread() throws Exception {
    var first = methods.chatPostMessage(r -> r.channel(CHANNEL).text("one"));
    var second = methods.chatPostMessage(r -> r.channel(CHANNEL).text("two"));
    var reply = methods.chatPostMessage(r -> r.channel(CHANNEL).threadTs(first.getTs()).text("in thread"));

    assertThat(first.getTs()).matches("\\d{10}\\.\\d{6}");
    assertThat(Double.parseDouble(second.getTs())).isGreaterThan(Double.parseDouble(first.getTs()));
    assertThat(slack.message(CHANNEL, reply.getTs()).threadTs()).isEqualTo(first.getTs());
    assertThat(slack.message(CHANNEL, reply.getTs()).isReply()).isTrue();
  }

  @Test
  void a_message_with_neither_text_nor_blocks_is_no_text() throws Exception {
    var answer = methods.chatPostMessage(r -> r.channel(CHANNEL));

    assertThat(answer.getError()).isEqualTo("no_text");
  }

  @Test
  void fifty_blocks_are_accepted_and_fifty_one_are_invalid_blocks() throws Exception {
    var fifty = methods.chatPostMessage(r -> r.channel(CHANNEL).text("x").blocks(sections(50, "s")));
    var fiftyOne = methods.chatPostMessage(r -> r.channel(CHANNEL).text("x").blocks(sections(51, "s")));

    assertThat(fifty.isOk()).isTrue();
    assertThat(fiftyOne.isOk()).isFalse();
    assertThat(fiftyOne.getError()).isEqualTo("invalid_blocks");
    assertThat(fiftyOne.getResponseMetadata().getMessages()).singleElement().asString().contains("/blocks");
    assertThat(slack.messages(CHANNEL)).hasSize(1);
  }

  @Test
  void section_text_of_3001_characters_is_invalid_blocks_and_3000_is_fine() throws Exception {
    var fits = methods.chatPostMessage(r -> r.channel(CHANNEL).text("x").blocks(sections(1, "a".repeat(3000))));
    var tooLong = methods.chatPostMessage(r -> r.channel(CHANNEL).text("x").blocks(sections(1, "a".repeat(3001))));

    assertThat(fits.isOk()).isTrue();
    assertThat(tooLong.getError()).isEqualTo("invalid_blocks");
    assertThat(tooLong.getResponseMetadata().getMessages().get(0)).contains("/blocks/0/text/text");
  }

  @Test
  void an_update_over_the_limits_is_refused_and_leaves_the_message_as_it_was() throws Exception {
    var posted = methods.chatPostMessage(r -> r.channel(CHANNEL).text("v1").blocks(card("Approve")));
    var answer = methods.chatUpdate(r -> r.channel(CHANNEL).ts(posted.getTs()).blocks(sections(51, "s")));

    assertThat(answer.getError()).isEqualTo("invalid_blocks");
    assertThat(slack.message(CHANNEL, posted.getTs()).edits()).isZero();
  }

  @Test
  void blocks_that_are_not_json_are_invalid_blocks_format() throws Exception {
    var answer = methods.chatPostMessage(r -> r.channel(CHANNEL).text("x").blocksAsString("[{\"type\":"));

    assertThat(answer.getError()).isEqualTo("invalid_blocks_format");
  }

  @Test
  void text_past_40000_characters_is_truncated_not_refused() throws Exception {
    var answer = methods.chatPostMessage(r -> r.channel(CHANNEL).text("a".repeat(40_001)));

    assertThat(answer.isOk()).isTrue();
    assertThat(slack.message(CHANNEL, answer.getTs()).text()).hasSize(40_000);
  }

  @Test
  void slack_fills_in_block_ids_the_app_left_out() throws Exception {
    var answer = methods.chatPostMessage(r -> r.channel(CHANNEL).text("x").blocksAsString("[{\"type\":\"divider\"}]"));

    assertThat(answer.getMessage().getBlocks().get(0).getBlockId()).isNotBlank();
  }

  @Test
  void a_rate_limited_call_throws_with_429_and_a_readable_retry_after() throws Exception {
    slack.failNext("chat.postMessage", 1, Failure.rateLimited(7));

    assertThatThrownBy(() -> methods.chatPostMessage(r -> r.channel(CHANNEL).text("x")))
        .isInstanceOfSatisfying(
            SlackApiException.class,
            e -> {
              assertThat(e.getResponse().code()).isEqualTo(429);
              assertThat(e.getResponse().header("Retry-After")).isEqualTo("7");
              assertThat(e.getError().getError()).isEqualTo("ratelimited");
            });
    assertThat(methods.chatPostMessage(r -> r.channel(CHANNEL).text("x")).isOk()).isTrue();
    assertThat(slack.calls("chat.postMessage")).hasSize(2);
    assertThat(slack.messages(CHANNEL)).hasSize(1);
  }

  @Test
  void an_armed_error_comes_back_as_ok_false_for_as_many_calls_as_asked() throws Exception {
    slack.failNext("chat.update", 2, Failure.error("internal_error"));

    List<String> errors = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      errors.add(methods.chatUpdate(r -> r.channel(CHANNEL).ts("1.000001").text("x")).getError());
    }

    assertThat(errors).containsExactly("internal_error", "internal_error", "message_not_found");
  }

  @Test
  void a_delayed_method_answers_after_the_delay_until_healed() throws Exception {
    slack.delay("usergroups.users.list", Duration.ofMillis(400));

    long start = System.nanoTime();
    var slow = methods.usergroupsUsersList(r -> r.usergroup("S0SRE"));
    long slowMillis = (System.nanoTime() - start) / 1_000_000;
    slack.heal();
    start = System.nanoTime();
    methods.usergroupsUsersList(r -> r.usergroup("S0SRE"));
    long healedMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(slow.getUsers()).containsExactly("U0SRE1", "U0SRE2");
    assertThat(slowMillis).isGreaterThanOrEqualTo(400);
    assertThat(healedMillis).isLessThan(400);
  }

  @Test
  void down_is_http_503() {
    slack.failNext("auth.test", 1, Failure.down());

    assertThatThrownBy(() -> methods.authTest(r -> r))
        .isInstanceOfSatisfying(SlackApiException.class, e -> assertThat(e.getResponse().code()).isEqualTo(503));
  }

  @Test
  void a_dropped_connection_reaches_the_client_as_an_io_error() {
    // OkHttp retries a POST once on a dropped connection, as it would against Slack.
    slack.failNext("auth.test", 3, Failure.disconnect());

    assertThatThrownBy(() -> methods.authTest(r -> r)).isInstanceOf(IOException.class);
    assertThat(slack.calls("auth.test")).isNotEmpty();
  }

  @Test
  void a_modal_opens_with_a_fresh_trigger_and_gets_a_view_id() throws Exception {
    String trigger = slack.newTriggerId();

    ViewsOpenResponse answer = methods.viewsOpen(r -> r.triggerId(trigger).viewAsString(MODAL));

    assertThat(answer.isOk()).isTrue();
    assertThat(answer.getView().getId()).startsWith("V");
    assertThat(answer.getView().getCallbackId()).isEqualTo("emergency_request");
    assertThat(answer.getView().getPrivateMetadata()).isEqualTo("req-1");
    assertThat(slack.openedViews()).singleElement().extracting(OpenedView::triggerId).isEqualTo(trigger);
  }

  @Test
  void a_trigger_older_than_three_seconds_is_expired_trigger_id() throws Exception {
    String trigger = slack.newTriggerId();
    clock.advance(Duration.ofMillis(3001));

    var answer = methods.viewsOpen(r -> r.triggerId(trigger).viewAsString(MODAL));

    assertThat(answer.isOk()).isFalse();
    assertThat(answer.getError()).isEqualTo("expired_trigger_id");
    assertThat(slack.openedViews()).isEmpty();
  }

  @Test
  void a_trigger_works_once_and_an_unknown_one_is_invalid() throws Exception {
    String trigger = slack.newTriggerId();
    methods.viewsOpen(r -> r.triggerId(trigger).viewAsString(MODAL));

    var again = methods.viewsOpen(r -> r.triggerId(trigger).viewAsString(MODAL));
    var unknown = methods.viewsOpen(r -> r.triggerId("1.2.abc").viewAsString(MODAL));

    assertThat(again.getError()).isEqualTo("exchanged_trigger_id");
    assertThat(unknown.getError()).isEqualTo("invalid_trigger_id");
  }

  @Test
  void a_modal_title_over_24_characters_is_invalid_arguments() throws Exception {
    String trigger = slack.newTriggerId();
    String longTitle = MODAL.replace("Emergency deploy", "Emergency deploy request!");

    var answer = methods.viewsOpen(r -> r.triggerId(trigger).viewAsString(longTitle));

    assertThat(answer.getError()).isEqualTo("invalid_arguments");
  }

  @Test
  void views_update_replaces_the_modal_and_refuses_a_stale_hash() throws Exception {
    String trigger = slack.newTriggerId();
    var opened = methods.viewsOpen(r -> r.triggerId(trigger).viewAsString(MODAL)).getView();
    String changed = MODAL.replace("req-1", "req-2");

    var updated = methods.viewsUpdate(r -> r.viewId(opened.getId()).hash(opened.getHash()).viewAsString(changed));
    var stale = methods.viewsUpdate(r -> r.viewId(opened.getId()).hash(opened.getHash()).viewAsString(MODAL));
    var missing = methods.viewsUpdate(r -> r.viewId("V0NOPE").viewAsString(MODAL));

    assertThat(updated.isOk()).isTrue();
    assertThat(slack.openedViews()).singleElement().extracting(OpenedView::privateMetadata).isEqualTo("req-2");
    assertThat(stale.getError()).isEqualTo("hash_conflict");
    assertThat(missing.getError()).isEqualTo("not_found");
  }

  @Test
  void a_user_group_lists_its_members_and_an_unknown_one_is_no_such_subteam() throws Exception {
    var sre = methods.usergroupsUsersList(r -> r.usergroup("S0SRE"));
    var unknown = methods.usergroupsUsersList(r -> r.usergroup("S0NOPE"));

    assertThat(sre.getUsers()).containsExactly("U0SRE1", "U0SRE2");
    assertThat(unknown.getError()).isEqualTo("no_such_subteam");
  }

  @Test
  void users_info_knows_configured_users_only() throws Exception {
    var sam = methods.usersInfo(r -> r.user("U0SRE2"));
    var nobody = methods.usersInfo(r -> r.user("U0NOPE"));

    assertThat(sam.getUser().getName()).isEqualTo("sam");
    assertThat(nobody.getError()).isEqualTo("user_not_found");
  }

  @Test
  void an_ephemeral_message_needs_a_user_and_answers_with_message_ts() throws Exception {
    var sent = methods.chatPostEphemeral(r -> r.channel(CHANNEL).user("U0SRE2").text("only you"));
    // The client's ChatPostEphemeralResponse has no response_metadata, which Slack sends with this error.
    Slack lenient = Slack.getInstance(slack.slackConfig());
    ChatPostEphemeralResponse noUser =
        lenient.methods(TOKEN).chatPostEphemeral(r -> r.channel(CHANNEL).text("to whom?"));
    lenient.close();

    assertThat(sent.getMessageTs()).matches("\\d{10}\\.\\d{6}");
    assertThat(slack.ephemerals()).singleElement().satisfies(e -> {
      assertThat(e.user()).isEqualTo("U0SRE2");
      assertThat(e.text()).isEqualTo("only you");
    });
    assertThat(noUser.getError()).isEqualTo("invalid_arguments");
    assertThat(slack.messages(CHANNEL)).isEmpty();
  }

  @Test
  void a_response_url_answers_ok_and_records_what_was_posted() throws Exception {
    String url = slack.newResponseUrl();

    HttpResponse<String> answer = postJson(url, "{\"text\":\"Request received\",\"response_type\":\"ephemeral\"}");

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("ok");
    assertThat(slack.responseUrlPosts()).singleElement().satisfies(p -> {
      assertThat(p.url()).isEqualTo(url);
      assertThat(p.text()).isEqualTo("Request received");
      assertThat(p.responseType()).isEqualTo("ephemeral");
    });
  }

  @Test
  void replace_original_through_a_message_response_url_changes_that_message() throws Exception {
    var posted = methods.chatPostMessage(r -> r.channel(CHANNEL).text("pending").blocks(card("Approve")));
    String url = slack.newResponseUrl(slack.message(CHANNEL, posted.getTs()));

    postJson(url, "{\"replace_original\":true,\"text\":\"approved\",\"blocks\":[{\"type\":\"divider\"}]}");

    PostedMessage now = slack.message(CHANNEL, posted.getTs());
    assertThat(now.text()).isEqualTo("approved");
    assertThat(now.blocks()).hasSize(1);
  }

  @Test
  void delete_original_through_a_message_response_url_removes_that_message() throws Exception {
    var posted = methods.chatPostMessage(r -> r.channel(CHANNEL).text("pending"));

    postJson(slack.newResponseUrl(slack.message(CHANNEL, posted.getTs())), "{\"delete_original\":true}");

    assertThat(slack.messages(CHANNEL)).isEmpty();
  }

  @Test
  void a_response_url_refuses_blocks_over_the_limits() throws Exception {
    String tooMany = "[" + String.join(",", Collections.nCopies(51, "{\"type\":\"divider\"}")) + "]";

    HttpResponse<String> answer = postJson(slack.newResponseUrl(), "{\"text\":\"x\",\"blocks\":" + tooMany + "}");

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(answer.body()).isEqualTo("invalid_blocks");
    assertThat(slack.responseUrlPosts()).isEmpty();
  }

  @Test
  void an_unknown_response_url_is_404() throws Exception {
    HttpResponse<String> answer = postJson(slack.baseUrl().replace("/api/", "/response/nope"), "{\"text\":\"x\"}");

    assertThat(answer.statusCode()).isEqualTo(404);
  }

  @Test
  void await_calls_waits_for_calls_made_on_another_thread() {
    CompletableFuture.runAsync(() -> {
      try {
        Thread.sleep(100);
        methods.chatPostMessage(r -> r.channel(CHANNEL).text("later"));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });

    List<RecordedCall> calls = slack.awaitCalls("chat.postMessage", 1, Duration.ofSeconds(5));

    assertThat(calls).singleElement().extracting(c -> c.param("text")).isEqualTo("later");
  }

  @Test
  void reset_forgets_what_happened_but_keeps_the_workspace() throws Exception {
    methods.chatPostMessage(r -> r.channel(CHANNEL).text("x"));
    slack.failNext("auth.test", 1, Failure.down());

    slack.reset();

    assertThat(slack.calls()).isEmpty();
    assertThat(slack.messages(CHANNEL)).isEmpty();
    assertThat(methods.authTest(r -> r).isOk()).isTrue();
    assertThat(methods.chatPostMessage(r -> r.channel(CHANNEL).text("x")).isOk()).isTrue();
  }

  private static List<LayoutBlock> card(String buttonText) {
    return List.of(
        section(s -> s.text(markdownText("*Emergency deploy* of `payments`"))),
        actions(a -> a.blockId("decision").elements(List.of(
            button(b -> b.actionId("approve").value("req-1").text(plainText(buttonText)))))));
  }

  private static List<LayoutBlock> sections(int count, String text) {
    List<LayoutBlock> blocks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      blocks.add(section(s -> s.text(markdownText(text))));
    }
    return blocks;
  }

  private HttpResponse<String> post(String method, String contentType, String body, String bearer)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(slack.baseUrl() + method))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> postJson(String url, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }
}
