package org.countersign.slack.fake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each Block Kit limit the fake enforces, at the limit (accepted) and one past it (refused as Slack refuses it:
 * chat.postMessage {@code invalid_blocks} with {@code errors} and {@code response_metadata.messages}, views.*
 * {@code invalid_arguments} with the messages), over raw HTTP so the payload is exactly the one written here.
 */
class BlockKitLimitsTest {
  private static final String TOKEN = "xoxb-limits";
  private static final String CHANNEL = "C0LIMITS";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private FakeSlack slack;

  @BeforeEach
  void start() {
    slack = new FakeSlack(TOKEN).withChannel(CHANNEL, "limits");
  }

  @AfterEach
  void stop() {
    slack.close();
  }

  /** A payload whose one measured part has size {@code n}; the limit; what Slack says one past it. */
  record Limit(String name, IntFunction<String> blocks, int max, String problem) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Limit> messageLimits() {
    return Stream.of(
        new Limit("50 blocks in a message", n -> "[" + String.join(",", Collections.nCopies(n, "{\"type\":\"divider\"}")) + "]",
            50, "no more than 50 items allowed [json-pointer:/blocks]"),
        new Limit("section text 3000", n -> "[" + section(n) + "]", 3000,
            "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"),
        new Limit("section fields 10", n -> "[{\"type\":\"section\",\"fields\":[" + repeat(n, mrkdwn("f")) + "]}]", 10,
            "no more than 10 items allowed [json-pointer:/blocks/0/fields]"),
        new Limit("section field text 2000", n -> "[{\"type\":\"section\",\"fields\":[" + mrkdwn("f".repeat(n)) + "]}]", 2000,
            "must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]"),
        new Limit("header text 150", n -> "[{\"type\":\"header\",\"text\":" + plain("h".repeat(n)) + "}]", 150,
            "must be less than 151 characters [json-pointer:/blocks/0/text/text]"),
        new Limit("block_id 255", n -> "[{\"type\":\"divider\",\"block_id\":\"" + "b".repeat(n) + "\"}]", 255,
            "must be less than 256 characters [json-pointer:/blocks/0/block_id]"),
        new Limit("actions elements 25", n -> "[{\"type\":\"actions\",\"elements\":[" + buttons(n) + "]}]", 25,
            "must have between 1 and 25 elements [json-pointer:/blocks/0/elements]"),
        new Limit("context elements 10", n -> "[{\"type\":\"context\",\"elements\":[" + repeat(n, mrkdwn("c")) + "]}]", 10,
            "must have between 1 and 10 elements [json-pointer:/blocks/0/elements]"),
        new Limit("context text 3000", n -> "[{\"type\":\"context\",\"elements\":[" + mrkdwn("c".repeat(n)) + "]}]", 3000,
            "must be less than 3001 characters [json-pointer:/blocks/0/elements/0/text]"),
        new Limit("button text 75", n -> actions(button("\"action_id\":\"a\",\"text\":" + plain("t".repeat(n)))), 75,
            "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]"),
        new Limit("button value 2000", n -> actions(button("\"action_id\":\"a\",\"text\":" + plain("Go") + ",\"value\":\""
            + "v".repeat(n) + "\"")), 2000, "must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]"),
        new Limit("action_id 255", n -> actions(button("\"action_id\":\"" + "a".repeat(n) + "\",\"text\":" + plain("Go"))), 255,
            "must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]"));
  }

  static Stream<Limit> viewLimits() {
    return Stream.of(
        new Limit("100 blocks in a modal", n -> modal("T", "[" + String.join(",", Collections.nCopies(n, section(1))) + "]"),
            100, "no more than 100 items allowed [json-pointer:/view/blocks]"),
        new Limit("modal title 24", n -> modal("t".repeat(n), "[" + section(1) + "]"), 24,
            "must be less than 25 characters [json-pointer:/view/title/text]"),
        new Limit("submit 24", n -> modal("T", "[" + section(1) + "]").replace("\"Send\"", "\"" + "s".repeat(n) + "\""), 24,
            "must be less than 25 characters [json-pointer:/view/submit/text]"),
        new Limit("close 24", n -> modal("T", "[" + section(1) + "]").replace("\"Cancel\"", "\"" + "c".repeat(n) + "\""), 24,
            "must be less than 25 characters [json-pointer:/view/close/text]"),
        new Limit("callback_id 255", n -> modal("T", "[" + section(1) + "]").replace("\"cb\"", "\"" + "c".repeat(n) + "\""), 255,
            "must be less than 256 characters [json-pointer:/view/callback_id]"),
        new Limit("input label 2000", n -> modal("T", input("l".repeat(n), "{\"type\":\"plain_text_input\",\"action_id\":\"i\"}")),
            2000, "must be less than 2001 characters [json-pointer:/view/blocks/0/label/text]"),
        new Limit("plain_text_input max_length 3000", n -> modal("T", input("L",
            "{\"type\":\"plain_text_input\",\"action_id\":\"i\",\"max_length\":" + n + "}")), 3000,
            "must be between 1 and 3000 [json-pointer:/view/blocks/0/element/max_length]"),
        new Limit("plain_text_input placeholder 150", n -> modal("T", input("L",
            "{\"type\":\"plain_text_input\",\"action_id\":\"i\",\"placeholder\":" + plain("p".repeat(n)) + "}")), 150,
            "must be less than 151 characters [json-pointer:/view/blocks/0/element/placeholder/text]"),
        new Limit("static_select options 100", n -> modal("T", input("L", select(n, 1, 1))), 100,
            "no more than 100 items allowed [json-pointer:/view/blocks/0/element/options]"),
        new Limit("option text 75", n -> modal("T", input("L", select(1, n, 1))), 75,
            "must be less than 76 characters [json-pointer:/view/blocks/0/element/options/0/text/text]"),
        new Limit("option value 150", n -> modal("T", input("L", select(1, 1, n))), 150,
            "must be less than 151 characters [json-pointer:/view/blocks/0/element/options/0/value]"),
        new Limit("radio_buttons options 10", n -> modal("T", input("L", select(n, 1, 1).replace("static_select", "radio_buttons"))),
            10, "no more than 10 items allowed [json-pointer:/view/blocks/0/element/options]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messageLimits")
  void a_message_at_the_limit_is_posted_and_one_past_it_is_invalid_blocks(Limit limit) throws Exception {
    JsonNode fits = call("chat.postMessage", "{\"channel\":\"" + CHANNEL + "\",\"text\":\"x\",\"blocks\":"
        + limit.blocks().apply(limit.max()) + "}");
    JsonNode over = call("chat.postMessage", "{\"channel\":\"" + CHANNEL + "\",\"text\":\"x\",\"blocks\":"
        + limit.blocks().apply(limit.max() + 1) + "}");

    assertThat(fits.path("ok").asBoolean()).as(fits.toString()).isTrue();
    assertThat(over.path("ok").asBoolean()).isFalse();
    assertThat(over.path("error").asText()).isEqualTo("invalid_blocks");
    assertThat(over.path("errors")).extracting(JsonNode::asText).containsExactly(limit.problem());
    assertThat(over.path("response_metadata").path("messages")).extracting(JsonNode::asText)
        .containsExactly("[ERROR] " + limit.problem());
    assertThat(slack.messages(CHANNEL)).hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("viewLimits")
  void a_modal_at_the_limit_opens_and_one_past_it_is_invalid_arguments(Limit limit) throws Exception {
    JsonNode fits = call("views.open", "{\"trigger_id\":\"" + slack.newTriggerId() + "\",\"view\":"
        + limit.blocks().apply(limit.max()) + "}");
    JsonNode over = call("views.open", "{\"trigger_id\":\"" + slack.newTriggerId() + "\",\"view\":"
        + limit.blocks().apply(limit.max() + 1) + "}");

    assertThat(fits.path("ok").asBoolean()).as(fits.toString()).isTrue();
    assertThat(over.path("error").asText()).isEqualTo("invalid_arguments");
    assertThat(over.has("errors")).isFalse();
    assertThat(over.path("response_metadata").path("messages")).extracting(JsonNode::asText)
        .containsExactly("[ERROR] " + limit.problem());
    assertThat(slack.openedViews()).hasSize(1);
  }

  @Test
  void every_problem_of_a_message_is_named_not_only_the_first() throws Exception {
    String blocks = "[" + section(3001) + ",{\"type\":\"header\",\"text\":" + plain("h".repeat(151)) + "}]";

    JsonNode answer = call("chat.postMessage", "{\"channel\":\"" + CHANNEL + "\",\"text\":\"x\",\"blocks\":" + blocks + "}");

    assertThat(answer.path("errors")).extracting(JsonNode::asText).containsExactly(
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
        "must be less than 151 characters [json-pointer:/blocks/1/text/text]");
  }

  @Test
  void a_button_whose_text_is_mrkdwn_is_invalid_blocks() throws Exception {
    JsonNode answer = call("chat.postMessage", "{\"channel\":\"" + CHANNEL + "\",\"text\":\"x\",\"blocks\":"
        + actions(button("\"action_id\":\"a\",\"text\":" + mrkdwn("*Go*"))) + "}");

    assertThat(answer.path("errors")).extracting(JsonNode::asText)
        .containsExactly("must be a plain_text text object [json-pointer:/blocks/0/elements/0/text/type]");
  }

  @Test
  void a_modal_with_an_input_needs_a_submit_button() throws Exception {
    String view = modal("T", input("L", "{\"type\":\"plain_text_input\",\"action_id\":\"i\"}"))
        .replace(",\"submit\":{\"type\":\"plain_text\",\"text\":\"Send\"}", "");

    JsonNode answer = call("views.open", "{\"trigger_id\":\"" + slack.newTriggerId() + "\",\"view\":" + view + "}");

    assertThat(answer.path("response_metadata").path("messages")).extracting(JsonNode::asText)
        .containsExactly("[ERROR] must define submit to use input block [json-pointer:/view/blocks/0/input]");
  }

  @Test
  void a_select_whose_initial_option_is_not_one_of_its_options_is_refused() throws Exception {
    String element = select(2, 1, 1).replace("}]}", "}],\"initial_option\":{\"text\":" + plain("zz") + ",\"value\":\"zz\"}}");

    JsonNode answer = call("views.open", "{\"trigger_id\":\"" + slack.newTriggerId() + "\",\"view\":"
        + modal("T", input("L", element)) + "}");

    assertThat(answer.path("error").asText()).isEqualTo("invalid_arguments");
    assertThat(answer.path("response_metadata").path("messages").get(0).asText())
        .contains("[json-pointer:/view/blocks/0/element/initial_option]");
  }

  @Test
  void a_response_url_refuses_a_header_over_150_characters() throws Exception {
    HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(slack.newResponseUrl()))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"x\",\"blocks\":[{\"type\":\"header\",\"text\":"
            + plain("h".repeat(151)) + "}]}")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(answer.body()).isEqualTo("invalid_blocks");
    assertThat(slack.responseUrlPosts()).isEmpty();
  }

  private JsonNode call(String method, String json) throws Exception {
    HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(slack.baseUrl() + method))
        .header("Content-Type", "application/json; charset=utf-8")
        .header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    return Payloads.JSON.readTree(answer.body());
  }

  private static String section(int length) {
    return "{\"type\":\"section\",\"text\":" + mrkdwn("s".repeat(length)) + "}";
  }

  private static String modal(String title, String blocks) {
    return "{\"type\":\"modal\",\"callback_id\":\"cb\",\"title\":" + plain(title) + ",\"blocks\":" + blocks
        + ",\"close\":{\"type\":\"plain_text\",\"text\":\"Cancel\"},\"submit\":{\"type\":\"plain_text\",\"text\":\"Send\"}}";
  }

  private static String input(String label, String element) {
    return "[{\"type\":\"input\",\"block_id\":\"in\",\"label\":" + plain(label) + ",\"element\":" + element + "}]";
  }

  /** A static_select of {@code count} options, each of text {@code textLength} and value {@code valueLength} long. */
  private static String select(int count, int textLength, int valueLength) {
    StringBuilder options = new StringBuilder();
    for (int i = 0; i < count; i++) {
      String text = (i + "t".repeat(textLength)).substring(0, textLength);
      String value = (i + "v".repeat(valueLength)).substring(0, valueLength);
      options.append(i == 0 ? "" : ",").append("{\"text\":").append(plain(text)).append(",\"value\":\"").append(value)
          .append("\"}");
    }
    return "{\"type\":\"static_select\",\"action_id\":\"s\",\"options\":[" + options + "]}";
  }

  private static String actions(String elements) {
    return "[{\"type\":\"actions\",\"elements\":[" + elements + "]}]";
  }

  private static String button(String fields) {
    return "{\"type\":\"button\"," + fields + "}";
  }

  private static String buttons(int n) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < n; i++) {
      out.append(i == 0 ? "" : ",").append(button("\"action_id\":\"b" + i + "\",\"text\":" + plain("B" + i)));
    }
    return out.toString();
  }

  private static String repeat(int n, String item) {
    return String.join(",", Collections.nCopies(n, item));
  }

  private static String plain(String text) {
    return "{\"type\":\"plain_text\",\"text\":\"" + text + "\"}";
  }

  private static String mrkdwn(String text) {
    return "{\"type\":\"mrkdwn\",\"text\":\"" + text + "\"}";
  }
}
