package org.countersign.slack.fake;

import com.fasterxml.jackson.databind.JsonNode;

/** A modal as it now stands, opened with {@code views.open} and possibly changed by {@code views.update}. */
public record OpenedView(String id, String triggerId, String hash, JsonNode view) {

  public OpenedView {
    view = view.deepCopy();
  }

  /** The view's {@code callback_id}, or an empty string. */
  public String callbackId() {
    return view.path("callback_id").asText("");
  }

  /** The view's {@code private_metadata}, or an empty string. */
  public String privateMetadata() {
    return view.path("private_metadata").asText("");
  }
}
