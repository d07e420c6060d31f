package org.countersign.slack.fake;

/** A Slack method error: answered as HTTP 200 {@code {"ok":false,"error":error}}. */
final class Refusal extends Exception {

  private final String error;

  Refusal(String error) {
    this(error, null);
  }

  /** {@code detail} goes to {@code response_metadata.messages}, as Slack does for argument errors. */
  Refusal(String error, String detail) {
    super(detail == null ? error : detail, null, false, false);
    this.error = error;
  }

  String error() {
    return error;
  }

  String detail() {
    return getMessage().equals(error) ? null : getMessage();
  }
}
