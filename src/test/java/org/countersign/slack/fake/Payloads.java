package org.countersign.slack.fake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

/** What Slack's interaction and command payloads have in common. */
final class Payloads {

  static final ObjectMapper JSON = new ObjectMapper();
  /** The deprecated verification token Slack still sends in every payload. */
  static final String VERIFICATION_TOKEN = "deprecated-verification-token";
  static final String TEAM_DOMAIN = "countersign-test";

  private Payloads() {}

  static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
        .collect(Collectors.joining("&"));
  }

  static String payloadForm(ObjectNode payload) {
    return form(Map.of("payload", payload.toString()));
  }

  static ObjectNode user(String teamId, String userId, String userName) {
    ObjectNode user = JSON.createObjectNode();
    return user.put("id", userId).put("username", userName).put("name", userName).put("team_id", teamId);
  }

  static ObjectNode team(String teamId) {
    return JSON.createObjectNode().put("id", teamId).put("domain", TEAM_DOMAIN);
  }

  static String ts(Instant at) {
    return String.format("%d.%06d", at.getEpochSecond(), at.getNano() / 1_000);
  }

  /** A form body's fields, decoded; a field without '=' is empty. */
  static Map<String, String> parseForm(String form) {
    Map<String, String> fields = new java.util.LinkedHashMap<>();
    if (form == null || form.isEmpty()) {
      return fields;
    }
    for (String pair : form.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        fields.put(java.net.URLDecoder.decode(key, StandardCharsets.UTF_8),
            java.net.URLDecoder.decode(value, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        // a malformed escape in a hostile test body: that field is left out
      }
    }
    return fields;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
