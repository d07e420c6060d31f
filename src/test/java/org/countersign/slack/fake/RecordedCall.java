package org.countersign.slack.fake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;

/**
 * One request as the fake Slack received it. {@code params} holds form fields or top-level JSON
 * fields; nested JSON (blocks, view) is kept as its JSON string, as Slack's form encoding has it.
 */
public record RecordedCall(
    String method, Map<String, String> params, String rawBody, Map<String, String> headers, Instant at) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public RecordedCall {
    params = Map.copyOf(params);
    headers = Map.copyOf(headers);
  }

  /** The parameter, or null when it was not sent. */
  public String param(String name) {
    return params.get(name);
  }

  /** A JSON-valued parameter such as {@code blocks} or {@code view}, parsed. */
  public JsonNode json(String name) {
    String value = params.get(name);
    if (value == null) {
      throw new IllegalArgumentException("no parameter " + name + " in " + method + ": " + params.keySet());
    }
    try {
      return JSON.readTree(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(name + " is not JSON: " + value, e);
    }
  }

  /** A header, looked up without regard to case. */
  public String header(String name) {
    return headers.entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(name))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(null);
  }
}
