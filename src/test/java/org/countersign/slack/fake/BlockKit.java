package org.countersign.slack.fake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Block Kit limits Slack documents and enforces (docs.slack.dev/reference/block-kit): a message
 * holds at most 50 blocks, a modal 100; section text 3000 chars, section fields 10 of 2000 chars;
 * header text 150; actions 25 elements; context 10 elements; button text 75, value 2000; ids 255.
 */
final class BlockKit {

  static final int MESSAGE_BLOCKS = 50;
  static final int VIEW_BLOCKS = 100;

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
    if (node == null || !node.isArray()) {
      throw new Refusal("invalid_blocks_format", "[ERROR] blocks must be a JSON array");
    }
    return (ArrayNode) node;
  }

  /** Checks blocks against Slack's limits, then gives every block the block_id Slack would generate. */
  void validate(ArrayNode blocks, int maxBlocks, String pointer) throws Refusal {
    if (blocks.size() > maxBlocks) {
      throw invalid("no more than " + maxBlocks + " items allowed", pointer);
    }
    for (int i = 0; i < blocks.size(); i++) {
      validateBlock(blocks.get(i), pointer + "/" + i);
    }
    blocks.forEach(block -> fillIds((ObjectNode) block));
  }

  private void validateBlock(JsonNode block, String at) throws Refusal {
    if (!block.isObject() || !block.path("type").isTextual()) {
      throw invalid("a block must be an object with a type", at);
    }
    maxLength(block, "block_id", 255, at);
    switch (block.get("type").asText()) {
      case "section" -> {
        if (!block.has("text") && !block.has("fields")) {
          throw invalid("must provide text or fields", at);
        }
        textObject(block, "text", 3000, at);
        JsonNode fields = block.path("fields");
        if (fields.size() > 10) {
          throw invalid("no more than 10 items allowed", at + "/fields");
        }
        for (int i = 0; i < fields.size(); i++) {
          maxLength(fields.get(i), "text", 2000, at + "/fields/" + i);
        }
        if (block.has("accessory")) {
          element(block.get("accessory"), at + "/accessory");
        }
      }
      case "header" -> {
        if (!block.path("text").path("type").asText().equals("plain_text")) {
          throw invalid("header text must be plain_text", at + "/text");
        }
        textObject(block, "text", 150, at);
      }
      case "actions" -> {
        JsonNode elements = block.path("elements");
        if (elements.size() == 0 || elements.size() > 25) {
          throw invalid("must have between 1 and 25 elements", at + "/elements");
        }
        for (int i = 0; i < elements.size(); i++) {
          element(elements.get(i), at + "/elements/" + i);
        }
      }
      case "context" -> {
        JsonNode elements = block.path("elements");
        if (elements.size() == 0 || elements.size() > 10) {
          throw invalid("must have between 1 and 10 elements", at + "/elements");
        }
      }
      case "markdown" -> maxLength(block, "text", 12000, at);
      default -> {
        // divider, image, input, rich_text...: no limit our renderer can reach
      }
    }
  }

  private void element(JsonNode element, String at) throws Refusal {
    if (!element.path("type").isTextual()) {
      throw invalid("an element must have a type", at);
    }
    maxLength(element, "action_id", 255, at);
    if (element.get("type").asText().equals("button")) {
      if (!element.path("text").path("type").asText().equals("plain_text")) {
        throw invalid("button text must be plain_text", at + "/text");
      }
      textObject(element, "text", 75, at);
      maxLength(element, "value", 2000, at);
      maxLength(element, "url", 3000, at);
    }
  }

  private void textObject(JsonNode parent, String field, int max, String at) throws Refusal {
    JsonNode text = parent.get(field);
    if (text == null) {
      return;
    }
    if (!text.isObject() || !text.path("text").isTextual()) {
      throw invalid("must be a text object", at + "/" + field);
    }
    if (text.get("text").asText().isEmpty()) {
      throw invalid("must be more than 0 characters", at + "/" + field + "/text");
    }
    maxLength(text, "text", max, at + "/" + field);
  }

  private void maxLength(JsonNode parent, String field, int max, String at) throws Refusal {
    JsonNode value = parent.get(field);
    if (value != null && value.asText().length() > max) {
      throw invalid("must be less than " + (max + 1) + " characters", at + "/" + field);
    }
  }

  private static Refusal invalid(String why, String pointer) {
    return new Refusal("invalid_blocks", "[ERROR] " + why + " [json-pointer:" + pointer + "]");
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
