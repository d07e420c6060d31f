package org.countersign.slack.fake;

import java.util.List;

/**
 * A Slack method error: answered as HTTP 200 {@code {"ok":false,"error":error}}, with what was wrong in
 * {@code response_metadata.messages} ("[ERROR] ..."), and for {@code invalid_blocks} in {@code errors} too, as Slack
 * answers chat.postMessage (grafana/oncall#5121 shows one such answer).
 */
final class Refusal extends Exception {

  private final String error;
  private final List<String> problems;
  private final List<String> messages;

  Refusal(String error) {
    this(error, (String) null);
  }

  /** {@code detail} goes to {@code response_metadata.messages}, as Slack does for argument errors. */
  Refusal(String error, String detail) {
    super(detail == null ? error : detail, null, false, false);
    this.error = error;
    this.problems = List.of();
    this.messages = detail == null ? List.of() : List.of(detail);
  }

  /** Each problem ("why [json-pointer:where]") in {@code errors} and, as "[ERROR] ...", in the messages. */
  Refusal(String error, List<String> problems) {
    super(error + ": " + problems, null, false, false);
    this.error = error;
    this.problems = List.copyOf(problems);
    this.messages = problems.stream().map(p -> "[ERROR] " + p).toList();
  }

  String error() {
    return error;
  }

  /** The first message, or null. */
  String detail() {
    return messages.isEmpty() ? null : messages.get(0);
  }

  List<String> problems() {
    return problems;
  }

  List<String> messages() {
    return messages;
  }

  /** The same problems under another error code: views.* say invalid_arguments where chat.* say invalid_blocks. */
  Refusal as(String otherError) {
    return new Refusal(otherError, problems);
  }
}
