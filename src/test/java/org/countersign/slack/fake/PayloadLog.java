package org.countersign.slack.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Every payload the fake accepted during a test run, kept for {@code SlackPayloadTypesIT}, which checks each against
 * Slack's own TypeScript types ({@code @slack/types}). On only when the system property {@value #PROPERTY} names a
 * directory (the build sets it for the tests); one file per distinct payload, named by its hash, and a line per
 * capture in {@value #CAPTURES}, so the check knows how many there were and which test sent them.
 */
final class PayloadLog {
  static final String PROPERTY = "countersign.slack.payloads";
  static final String CAPTURES = "captures.log";

  /** What a payload is, which decides the type it is checked against. */
  enum Kind {
    /** chat.postMessage, chat.update, chat.postEphemeral: text, blocks, attachments. */
    MESSAGE,
    /** views.open, views.update, views.push: the view. */
    VIEW,
    /** A JSON body posted to a response_url. */
    RESPONSE_URL,
    /** What the app answered a slash command with, in the HTTP response. */
    COMMAND_REPLY,
    /** What the app answered a view_submission with, in the HTTP response (response_action...). */
    VIEW_SUBMISSION_REPLY
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Object LOCK = new Object();

  private PayloadLog() {}

  /** Keeps {@code payload} of {@code kind}, sent to {@code method}; nothing when the property is not set. */
  static void record(Kind kind, String method, JsonNode payload) {
    String dir = System.getProperty(PROPERTY);
    if (dir == null || dir.isBlank() || payload == null) {
      return;
    }
    ObjectNode entry = JSON.createObjectNode();
    entry.put("kind", kind.name()).put("method", method).set("payload", payload.deepCopy());
    byte[] bytes = entry.toString().getBytes(StandardCharsets.UTF_8);
    String name = hash(bytes);
    String test = CurrentTest.name();
    try {
      Path root = Path.of(dir);
      synchronized (LOCK) {
        Files.createDirectories(root);
        Path file = root.resolve(name + ".json");
        if (!Files.exists(file)) {
          Files.write(file, bytes);
        }
        Files.writeString(
            root.resolve(CAPTURES),
            name + " " + kind + " " + method + " " + test + "\n",
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep a Slack payload in " + dir, e);
    }
  }

  private static String hash(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
