package org.countersign.slack.fake;

import com.fasterxml.jackson.databind.JsonNode;

/** A message only {@code user} sees, sent with {@code chat.postEphemeral}. */
public record EphemeralMessage(
    String channel, String user, String messageTs, String threadTs, String text, JsonNode blocks) {

  public EphemeralMessage {
    blocks = blocks.deepCopy();
  }
}
