package org.countersign.slack.fake;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A message as it now stands in a channel: after any {@code chat.update} or {@code replace_original}.
 * {@code blocks} is an empty array when the message has none; {@code threadTs} is null for a
 * top-level message.
 */
public record PostedMessage(
    String channel, String ts, String threadTs, String text, JsonNode blocks, int edits) {

  public PostedMessage {
    blocks = blocks.deepCopy();
  }

  /** True when the message is a reply in a thread. */
  public boolean isReply() {
    return threadTs != null && !threadTs.equals(ts);
  }
}
