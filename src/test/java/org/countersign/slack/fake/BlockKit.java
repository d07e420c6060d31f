package org.countersign.slack.fake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Block Kit limits Slack documents and enforces, each refused as Slack refuses it: every problem found, as
 * {@code "<why> [json-pointer:<where>]"} (the words Slack uses, e.g. "must be less than 3001 characters", "no more
 * than 50 items allowed", as in grafana/oncall#5121 and adobe/spacecat-api-service#176). Sources, on docs.slack.dev:
 * reference/block-kit/blocks (50 blocks in a message, 100 in a modal; block_id 255); section-block (text 1..3000,
 * fields 10 of 2000); header-block (plain_text, 150); context-block (10 elements); actions-block (25 elements);
 * input-block (label and hint plain_text, 2000); composition-objects/text-object (text 1..3000) and option-object
 * (text 75, value 150, description 75); block-elements: button (text plain_text 75, value 2000, url 3000),
 * select menus (placeholder 150, options 100), radio buttons and checkboxes (10 options), plain-text-input
 * (min_length 0..3000, max_length 1..3000, placeholder 150); action_id 255 everywhere; markdown-block (12,000).
 */
final class BlockKit {

  static final int MESSAGE_BLOCKS = 50;
  static final int VIEW_BLOCKS = 100;
  static final int TEXT_MAX = 3000;
  static final int ID_MAX = 255;

  private static final Set<String> SELECTS =
      Set.of("static_select", "multi_static_select", "external_select", "multi_external_select", "users_select",
          "multi_users_select", "conversations_select", "multi_conversations_select", "channels_select",
          "multi_channels_select");

  private final ObjectMapper json;

  BlockKit(ObjectMapper json) {
    this.json = json;
  }

  /** Parses a {@code blocks} argument; Slack says {@code invalid_blocks_format} when it is not a JSON array. */
  ArrayNode parseBlocks(String raw) throws Refusal {
    JsonNode node;
    try {
      node = json.readTree(raw);
    } catch (JsonProcessingException e) {
      throw new Refusal("invalid_blocks_format", "[ERROR] blocks is not valid JSON");
    }
    return array(node);
  }

  /** Blocks as parsed: a JSON array, or {@code invalid_blocks_format}. */
  static ArrayNode array(JsonNode node) throws Refusal {
    if (node == null || !node.isArray()) {
      throw new Refusal("invalid_blocks_format", "[ERROR] blocks must be a JSON array");
    }
    return (ArrayNode) node;
  }

  /** Checks blocks against Slack's limits ({@code invalid_blocks}), then gives every block the ids Slack would. */
  void validate(ArrayNode blocks, int maxBlocks, String pointer) throws Refusal {
    List<String> problems = problems(blocks, maxBlocks, pointer);
    if (!problems.isEmpty()) {
      throw new Refusal("invalid_blocks", problems);
    }
    fillIds(blocks);
  }

  /** Gives every block the block_id, and every interactive element the action_id, Slack would generate. */
  void fillIds(ArrayNode blocks) {
    blocks.forEach(block -> fillIds((ObjectNode) block));
  }

  /** Every problem with {@code blocks}, each "why [json-pointer:where]"; empty when Slack would take them. */
  List<String> problems(ArrayNode blocks, int maxBlocks, String pointer) {
    List<String> problems = new ArrayList<>();
    if (blocks.size() > maxBlocks) {
      problems.add(at("no more than " + maxBlocks + " items allowed", pointer));
      return problems;
    }
    for (int i = 0; i < blocks.size(); i++) {
      block(blocks.get(i), pointer + "/" + i, problems);
    }
    return problems;
  }

  private void block(JsonNode block, String at, List<String> problems) {
    if (!block.isObject() || !block.path("type").isTextual()) {
      problems.add(at("a block must be an object with a type", at));
      return;
    }
    maxLength(block, "block_id", ID_MAX, at, problems);
    switch (block.get("type").asText()) {
      case "section" -> {
        if (!block.has("text") && !block.has("fields")) {
          problems.add(at("must provide text or fields", at));
        }
        text(block, "text", TEXT_MAX, false, at, problems);
        JsonNode fields = block.path("fields");
        if (fields.size() > 10) {
          problems.add(at("no more than 10 items allowed", at + "/fields"));
        }
        for (int i = 0; i < fields.size(); i++) {
          text(fields, i, 2000, false, at + "/fields/" + i, problems);
        }
        if (block.has("accessory")) {
          element(block.get("accessory"), at + "/accessory", problems);
        }
      }
      case "header" -> text(block, "text", 150, true, at, problems);
      case "actions" -> {
        JsonNode elements = block.path("elements");
        if (elements.size() == 0 || elements.size() > 25) {
          problems.add(at("must have between 1 and 25 elements", at + "/elements"));
        }
        for (int i = 0; i < elements.size(); i++) {
          element(elements.get(i), at + "/elements/" + i, problems);
        }
      }
      case "context" -> {
        JsonNode elements = block.path("elements");
        if (elements.size() == 0 || elements.size() > 10) {
          problems.add(at("must have between 1 and 10 elements", at + "/elements"));
        }
        for (int i = 0; i < elements.size(); i++) {
          JsonNode e = elements.get(i);
          String type = e.path("type").asText();
          if (type.equals("mrkdwn") || type.equals("plain_text")) {
            text(elements, i, TEXT_MAX, false, at + "/elements/" + i, problems);
          }
        }
      }
      case "input" -> {
        if (!block.has("label")) {
          problems.add(at("missing required field: label", at));
        }
        text(block, "label", 2000, true, at, problems);
        text(block, "hint", 2000, true, at, problems);
        if (!block.path("element").isObject()) {
          problems.add(at("missing required field: element", at));
        } else {
          element(block.get("element"), at + "/element", problems);
        }
      }
      case "markdown" -> maxLength(block, "text", 12000, at, problems);
      default -> {
        // divider, image, rich_text...: no limit our renderers can reach
      }
    }
  }

  private void element(JsonNode element, String at, List<String> problems) {
    if (!element.path("type").isTextual()) {
      problems.add(at("an element must have a type", at));
      return;
    }
    maxLength(element, "action_id", ID_MAX, at, problems);
    String type = element.get("type").asText();
    if (type.equals("button")) {
      if (!element.has("text")) {
        problems.add(at("missing required field: text", at));
      }
      text(element, "text", 75, true, at, problems);
      maxLength(element, "value", 2000, at, problems);
      maxLength(element, "url", 3000, at, problems);
    } else if (SELECTS.contains(type)) {
      text(element, "placeholder", 150, true, at, problems);
      options(element, 100, at, problems);
      JsonNode initial = element.get("initial_option");
      if (initial != null && !contains(element.path("options"), initial)) {
        problems.add(at("initial_option must match one of options", at + "/initial_option"));
      }
    } else if (type.equals("radio_buttons") || type.equals("checkboxes")) {
      options(element, 10, at, problems);
    } else if (type.equals("plain_text_input")) {
      text(element, "placeholder", 150, true, at, problems);
      range(element, "min_length", 0, 3000, at, problems);
      range(element, "max_length", 1, 3000, at, problems);
      int max = element.path("max_length").asInt(3000);
      if (element.path("initial_value").asText("").length() > max) {
        problems.add(at("must be less than " + (max + 1) + " characters", at + "/initial_value"));
      }
    }
  }

  private void options(JsonNode element, int max, String at, List<String> problems) {
    JsonNode options = element.path("options");
    if (options.size() > max) {
      problems.add(at("no more than " + max + " items allowed", at + "/options"));
    }
    for (int i = 0; i < options.size(); i++) {
      String where = at + "/options/" + i;
      text(options.get(i), "text", 75, false, where, problems);
      maxLength(options.get(i), "value", 150, where, problems);
      text(options.get(i), "description", 75, false, where, problems);
    }
  }

  private static boolean contains(JsonNode options, JsonNode option) {
    for (JsonNode o : options) {
      if (o.path("value").equals(option.path("value")) && o.path("text").path("text").equals(option.path("text").path("text"))) {
        return true;
      }
    }
    return false;
  }

  private void text(JsonNode parent, String field, int max, boolean plainOnly, String at, List<String> problems) {
    JsonNode text = parent.get(field);
    if (text != null) {
      textObject(text, max, plainOnly, at + "/" + field, problems);
    }
  }

  private void text(JsonNode array, int index, int max, boolean plainOnly, String at, List<String> problems) {
    textObject(array.get(index), max, plainOnly, at, problems);
  }

  private void textObject(JsonNode text, int max, boolean plainOnly, String at, List<String> problems) {
    if (!text.isObject() || !text.path("text").isTextual()) {
      problems.add(at("must be a text object", at));
      return;
    }
    if (plainOnly && !text.path("type").asText().equals("plain_text")) {
      problems.add(at("must be a plain_text text object", at + "/type"));
    }
    if (text.get("text").asText().isEmpty()) {
      problems.add(at("must be more than 0 characters", at + "/text"));
    }
    maxLength(text, "text", max, at, problems);
  }

  /** A view's own fields, then its blocks: what views.open and views.update refuse ({@code invalid_arguments}). */
  List<String> viewProblems(JsonNode view) {
    List<String> problems = new ArrayList<>();
    if (view.get("type").asText().equals("modal")) {
      if (!view.has("title")) {
        problems.add(at("missing required field: title", "/view"));
      }
      text(view, "title", 24, true, "/view", problems);
      text(view, "submit", 24, true, "/view", problems);
      text(view, "close", 24, true, "/view", problems);
    }
    maxLength(view, "private_metadata", 3000, "/view", problems);
    maxLength(view, "callback_id", ID_MAX, "/view", problems);
    maxLength(view, "external_id", ID_MAX, "/view", problems);
    JsonNode blocks = view.path("blocks");
    if (!blocks.isArray()) {
      problems.add(at("missing required field: blocks", "/view"));
      return problems;
    }
    for (int i = 0; i < blocks.size(); i++) {
      if (blocks.get(i).path("type").asText().equals("input") && view.get("type").asText().equals("modal")
          && !view.has("submit")) {
        problems.add(at("must define submit to use input block", "/view/blocks/" + i + "/input"));
      }
    }
    problems.addAll(problems((ArrayNode) blocks, VIEW_BLOCKS, "/view/blocks"));
    return problems;
  }

  private static void range(JsonNode parent, String field, int min, int max, String at, List<String> problems) {
    JsonNode value = parent.get(field);
    if (value != null && (!value.canConvertToInt() || value.asInt() < min || value.asInt() > max)) {
      problems.add(at("must be between " + min + " and " + max, at + "/" + field));
    }
  }

  private static void maxLength(JsonNode parent, String field, int max, String at, List<String> problems) {
    JsonNode value = parent.get(field);
    if (value != null && value.asText().length() > max) {
      problems.add(at("must be less than " + (max + 1) + " characters", at + "/" + field));
    }
  }

  private static String at(String why, String pointer) {
    return why + " [json-pointer:" + pointer + "]";
  }

  // Slack fills in a random block_id, and an action_id on interactive elements, when the app leaves them out.
  private static void fillIds(ObjectNode block) {
    if (!block.has("block_id")) {
      block.put("block_id", randomId());
    }
    // Only interactive elements get an action_id; text elements of context blocks do not.
    for (JsonNode element : block.path("elements")) {
      if (element instanceof ObjectNode e && !e.has("action_id") && isInteractive(e)) {
        e.put("action_id", randomId());
      }
    }
    if (block.get("accessory") instanceof ObjectNode accessory && !accessory.has("action_id")) {
      accessory.put("action_id", randomId());
    }
  }

  private static boolean isInteractive(JsonNode element) {
    var type = element.path("type").asText();
    return !type.equals("mrkdwn") && !type.equals("plain_text") && !type.equals("image");
  }

  private static String randomId() {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      id.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
    }
    return id.toString();
  }
}
