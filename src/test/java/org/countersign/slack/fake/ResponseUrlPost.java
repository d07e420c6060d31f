package org.countersign.slack.fake;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** A JSON body the app POSTed to a {@code response_url} the fake handed out. */
public record ResponseUrlPost(String url, JsonNode body, Instant at) {

  public ResponseUrlPost {
    body = body.deepCopy();
  }

  /** The {@code text} field, or null. */
  public String text() {
    return body.hasNonNull("text") ? body.get("text").asText() : null;
  }

  /** True when the app asked Slack to replace the message the interaction came from. */
  public boolean replaceOriginal() {
    return body.path("replace_original").asBoolean(false);
  }

  /** {@code ephemeral} (Slack's default) or {@code in_channel}. */
  public String responseType() {
    return body.path("response_type").asText("ephemeral");
  }
}
