package org.countersign.slack.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A button press as Slack reports it (docs.slack.dev, "block_actions payload"): form field
 * {@code payload} holding type, user, container, channel, message, trigger_id, response_url, team
 * and actions[{action_id, block_id, value, type, action_ts}].
 */
public record BlockAction(
    String teamId,
    String userId,
    String userName,
    String channelId,
    JsonNode message,
    String blockId,
    String actionId,
    String value,
    String buttonText,
    String triggerId,
    String responseUrl) {

  public BlockAction {
    message = message.deepCopy();
  }

  /**
   * {@code userId} presses the button {@code actionId} on {@code message}; its block_id, value and
   * text are read from the message's blocks, as Slack would send them.
   */
  public static BlockAction press(PostedMessage message, String actionId, String userId) {
    List<String> seen = new ArrayList<>();
    for (JsonNode block : message.blocks()) {
      List<JsonNode> elements = new ArrayList<>();
      block.path("elements").forEach(elements::add);
      if (block.has("accessory")) {
        elements.add(block.get("accessory"));
      }
      for (JsonNode element : elements) {
        String id = element.path("action_id").asText();
        seen.add(id);
        if (id.equals(actionId)) {
          return new BlockAction(
              FakeSlack.TEAM_ID,
              userId,
              userId.toLowerCase(),
              message.channel(),
              messageJson(message),
              block.path("block_id").asText(),
              actionId,
              element.path("value").asText(null),
              element.path("text").path("text").asText(""),
              "0.0.placeholder",
              "https://hooks.slack.com/actions/" + FakeSlack.TEAM_ID + "/0/placeholder");
        }
      }
    }
    throw new IllegalArgumentException(
        "no element with action_id " + actionId + " in message " + message.ts() + "; action_ids: " + seen);
  }

  /** The same press with a live trigger id, and a response URL that can replace the message, from {@code slack}. */
  public BlockAction via(FakeSlack slack) {
    String ts = message.path("ts").asText();
    String url =
        slack.messages(channelId).stream()
            .filter(m -> m.ts().equals(ts))
            .findFirst()
            .map(slack::newResponseUrl)
            .orElseGet(slack::newResponseUrl);
    return new BlockAction(
        teamId, userId, userName, channelId, message, blockId, actionId, value, buttonText, slack.newTriggerId(), url);
  }

  public BlockAction withUserName(String name) {
    return new BlockAction(
        teamId, userId, name, channelId, message, blockId, actionId, value, buttonText, triggerId, responseUrl);
  }

  /** The same press carrying another value: what a forged or stale button would send. */
  public BlockAction withValue(String otherValue) {
    return new BlockAction(
        teamId, userId, userName, channelId, message, blockId, actionId, otherValue, buttonText, triggerId, responseUrl);
  }

  public BlockAction withTeamId(String team) {
    return new BlockAction(
        team, userId, userName, channelId, message, blockId, actionId, value, buttonText, triggerId, responseUrl);
  }

  ObjectNode payload(Instant at) {
    ObjectNode payload = Payloads.JSON.createObjectNode();
    payload.put("type", "block_actions");
    payload.set("user", Payloads.user(teamId, userId, userName));
    payload.put("api_app_id", FakeSlack.APP_ID).put("token", Payloads.VERIFICATION_TOKEN);
    payload
        .putObject("container")
        .put("type", "message")
        .put("message_ts", message.path("ts").asText())
        .put("channel_id", channelId)
        .put("is_ephemeral", false);
    payload.put("trigger_id", triggerId);
    payload.set("team", Payloads.team(teamId));
    payload.putNull("enterprise");
    payload.put("is_enterprise_install", false);
    payload.putObject("channel").put("id", channelId).put("name", "emergencies");
    payload.set("message", message.deepCopy());
    payload.putObject("state").putObject("values");
    payload.put("response_url", responseUrl);
    ObjectNode action = payload.putArray("actions").addObject();
    action.put("action_id", actionId).put("block_id", blockId);
    action.putObject("text").put("type", "plain_text").put("text", buttonText).put("emoji", true);
    if (value != null) {
      action.put("value", value);
    }
    action.put("type", "button").put("action_ts", Payloads.ts(at));
    return payload;
  }

  String formBody(Instant at) {
    return Payloads.payloadForm(payload(at));
  }

  private static JsonNode messageJson(PostedMessage message) {
    ObjectNode json = Payloads.JSON.createObjectNode();
    json.put("type", "message").put("ts", message.ts()).put("text", message.text());
    if (message.threadTs() != null) {
      json.put("thread_ts", message.threadTs());
    }
    json.set("blocks", message.blocks().deepCopy());
    return json;
  }
}
