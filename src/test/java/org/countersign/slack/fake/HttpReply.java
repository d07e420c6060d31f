package org.countersign.slack.fake;

import java.util.List;
import java.util.Map;

/** What the app answered a signed request with. */
public record HttpReply(int status, String body, Map<String, List<String>> headers) {

  public HttpReply {
    headers = Map.copyOf(headers);
  }

  /** The first value of a header, looked up without regard to case, or null. */
  public String header(String name) {
    return headers.entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(name))
        .flatMap(e -> e.getValue().stream())
        .findFirst()
        .orElse(null);
  }
}
