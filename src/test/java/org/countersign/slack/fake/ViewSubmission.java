package org.countersign.slack.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A modal submitted, as Slack reports it (docs.slack.dev, "View interaction payloads"): form field
 * {@code payload} holding type, team, user, view{id, callback_id, private_metadata,
 * state{values{block_id{action_id{type, value | selected_option | selected_user}}}}} and more.
 */
public record ViewSubmission(
    String teamId, String userId, String userName, JsonNode view, Map<String, Map<String, JsonNode>> values, String triggerId) {

  public ViewSubmission {
    view = view.deepCopy();
    Map<String, Map<String, JsonNode>> copy = new LinkedHashMap<>();
    values.forEach((block, actions) -> copy.put(block, Map.copyOf(actions)));
    values = Map.copyOf(copy);
  }

  /** {@code userId} submits {@code view} as the fake opened it, with no input yet. */
  public static ViewSubmission of(OpenedView view, String userId) {
    return new ViewSubmission(FakeSlack.TEAM_ID, userId, userId.toLowerCase(), view.view(), Map.of(), "0.0.placeholder");
  }

  /** {@code userId} submits a modal known only by id, callback_id and private_metadata. */
  public static ViewSubmission of(String viewId, String callbackId, String privateMetadata, String userId) {
    ObjectNode view = Payloads.JSON.createObjectNode();
    view.put("id", viewId).put("team_id", FakeSlack.TEAM_ID).put("type", "modal");
    view.putObject("title").put("type", "plain_text").put("text", "Emergency deploy");
    view.putArray("blocks");
    view.put("private_metadata", privateMetadata).put("callback_id", callbackId).put("external_id", "");
    view.put("hash", "0.placeholder").put("root_view_id", viewId).put("app_id", FakeSlack.APP_ID);
    return new ViewSubmission(FakeSlack.TEAM_ID, userId, userId.toLowerCase(), view, Map.of(), "0.0.placeholder");
  }

  /** A {@code plain_text_input} in block {@code blockId} holding {@code text}. */
  public ViewSubmission withPlainText(String blockId, String actionId, String text) {
    ObjectNode value = Payloads.JSON.createObjectNode().put("type", "plain_text_input").put("value", text);
    return withValue(blockId, actionId, value);
  }

  /** A {@code static_select} with the option whose value is {@code optionValue} chosen. */
  public ViewSubmission withSelectedOption(String blockId, String actionId, String optionValue) {
    ObjectNode value = Payloads.JSON.createObjectNode().put("type", "static_select");
    ObjectNode option = value.putObject("selected_option");
    option.putObject("text").put("type", "plain_text").put("text", optionValue).put("emoji", true);
    option.put("value", optionValue);
    return withValue(blockId, actionId, value);
  }

  /** A {@code users_select} with {@code selectedUser} chosen. */
  public ViewSubmission withSelectedUser(String blockId, String actionId, String selectedUser) {
    ObjectNode value = Payloads.JSON.createObjectNode().put("type", "users_select").put("selected_user", selectedUser);
    return withValue(blockId, actionId, value);
  }

  /** The same submission with a live trigger id from {@code slack}. */
  public ViewSubmission via(FakeSlack slack) {
    return new ViewSubmission(teamId, userId, userName, view, values, slack.newTriggerId());
  }

  private ViewSubmission withValue(String blockId, String actionId, JsonNode value) {
    Map<String, Map<String, JsonNode>> next = new LinkedHashMap<>(values);
    Map<String, JsonNode> actions = new LinkedHashMap<>(next.getOrDefault(blockId, Map.of()));
    actions.put(actionId, value);
    next.put(blockId, actions);
    return new ViewSubmission(teamId, userId, userName, view, next, triggerId);
  }

  ObjectNode payload() {
    ObjectNode payload = Payloads.JSON.createObjectNode();
    payload.put("type", "view_submission");
    payload.set("team", Payloads.team(teamId));
    payload.set("user", Payloads.user(teamId, userId, userName));
    payload.put("api_app_id", FakeSlack.APP_ID).put("token", Payloads.VERIFICATION_TOKEN);
    payload.put("trigger_id", triggerId);
    ObjectNode submitted = payload.putObject("view");
    submitted.setAll((ObjectNode) view.deepCopy());
    ObjectNode state = submitted.putObject("state").putObject("values");
    values.forEach((block, actions) -> {
      ObjectNode byAction = state.putObject(block);
      actions.forEach((action, value) -> byAction.set(action, value.deepCopy()));
    });
    payload.putArray("response_urls");
    payload.putNull("enterprise");
    payload.put("is_enterprise_install", false);
    return payload;
  }

  String formBody() {
    return Payloads.payloadForm(payload());
  }
}
