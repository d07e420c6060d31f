package org.countersign.slack.fake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.countersign.slack.fake.PayloadLog.Kind;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every payload the fake Slack accepted during the unit tests (surefire runs first and fills
 * {@code target/slack-payloads}), checked against Slack's own TypeScript types, {@code @slack/types}, by the
 * TypeScript compiler in strict mode: a card, modal or reply our Block Kit checks let through but Slack's types refuse
 * fails here, with the payload and tsc's words. Each distinct payload is checked once. {@code .ci/run} installs
 * {@code @slack/types} and {@code typescript} under {@code ~/.cache/countersign/npm} ({@code COUNTERSIGN_NPM} names
 * another prefix); without them this is skipped, except with {@code CI=true}.
 */
class SlackPayloadTypesIT {
  static final String SLACK_TYPES = "3.2.0";
  static final String TYPESCRIPT = "7.0.2";
  /** Fewer captures than this means the tests that talk to Slack did not run (the Slack tests alone make ~700). */
  static final int MIN_CAPTURES = 500;
  /** Likewise for the test classes they came from (the Slack flow, card, form, alert and fault tests...). */
  static final int MIN_TEST_CLASSES = 15;

  private static final Pattern TSC_ERROR = Pattern.compile("payloads\\.ts[(:](\\d+)[,:](\\d+)\\)?:? ?-? ?error (TS\\d+): (.*)");

  @Test
  void every_payload_the_tests_sent_to_slack_is_what_slacks_own_types_allow() throws Exception {
    Path dir = Path.of(System.getProperty(PayloadLog.PROPERTY, "target/slack-payloads"));
    List<String[]> captures = captures(dir);
    Map<String, JsonNode> payloads = payloads(dir);

    EnumSet<Kind> kinds = EnumSet.noneOf(Kind.class);
    Set<String> classes = new TreeSet<>();
    Map<String, Set<String>> sentBy = new LinkedHashMap<>();
    for (String[] c : captures) {
      kinds.add(Kind.valueOf(c[1]));
      classes.add(c[3].split("#")[0]);
      sentBy.computeIfAbsent(c[0], h -> new TreeSet<>()).add(c[2] + " from " + c[3]);
    }
    assertThat(captures.size())
        .as("payloads captured in %s: run the unit tests first (mvn verify runs them before this)", dir)
        .isGreaterThanOrEqualTo(MIN_CAPTURES);
    assertThat(classes).as("test classes that sent Slack payloads").hasSizeGreaterThanOrEqualTo(MIN_TEST_CLASSES);
    assertThat(kinds).as("kinds of payload captured").containsExactlyInAnyOrder(Kind.values());
    assertThat(payloads.keySet()).as("a file for every capture").containsAll(sentBy.keySet());

    Checked checked = typeCheck("payloads", payloads);

    String summary = captures.size() + " payloads captured from " + classes.size() + " test classes, "
        + payloads.size() + " distinct, checked against @slack/types " + SLACK_TYPES + " by tsc " + TYPESCRIPT
        + " --strict in " + checked.took().toMillis() + " ms";
    Files.writeString(checked.source().resolveSibling("summary.txt"), summary + "\n" + countByKind(payloads) + "\n");
    System.out.println(summary);
    StringBuilder report = new StringBuilder();
    checked.problems().entrySet().stream().limit(5).forEach(e -> report.append("\n\n")
        .append(payloads.get(e.getKey()).path("kind").asText())
        .append(" sent ").append(sentBy.getOrDefault(e.getKey(), Set.of())).append("\n  ")
        .append(String.join("\n  ", e.getValue())).append("\n  payload: ")
        .append(abbreviate(payloads.get(e.getKey()).path("payload").toString())));
    if (!checked.problems().isEmpty()) {
      throw new AssertionError("Slack's types refuse " + checked.problems().size() + " of " + payloads.size()
          + " payloads (all in " + checked.source() + "; the first five here):" + report);
    }
  }

  @Test
  void the_check_refuses_what_slacks_types_do_not_allow_and_says_which_payload() throws Exception {
    Map<String, JsonNode> payloads = new TreeMap<>();
    payloads.put("0good", entry(Kind.MESSAGE, "{\"text\":\"ok\",\"blocks\":[{\"type\":\"section\",\"text\":"
        + "{\"type\":\"mrkdwn\",\"text\":\"*ok*\"}}]}"));
    // Block Kit: a button's text is plain_text only.
    payloads.put("1mrkdwnbutton", entry(Kind.MESSAGE, "{\"blocks\":[{\"type\":\"actions\",\"elements\":[{\"type\":"
        + "\"button\",\"action_id\":\"a\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"*Go*\"}}]}]}"));
    // A block type Slack does not know, which ModalView's own AnyBlock[] would let through.
    payloads.put("2unknownblock", entry(Kind.VIEW, "{\"type\":\"modal\",\"title\":{\"type\":\"plain_text\","
        + "\"text\":\"T\"},\"blocks\":[{\"type\":\"sectoin\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"x\"}}]}"));
    payloads.put("3badaction", entry(Kind.VIEW_SUBMISSION_REPLY, "{\"response_action\":\"error\",\"errors\":{}}"));
    payloads.put("4stringflag", entry(Kind.RESPONSE_URL, "{\"text\":\"x\",\"replace_original\":\"false\"}"));

    Checked checked = typeCheck("refused", payloads);

    assertThat(checked.problems().keySet()).containsExactly("1mrkdwnbutton", "2unknownblock", "3badaction", "4stringflag");
    assertThat(checked.problems().get("1mrkdwnbutton")).anySatisfy(p -> assertThat(p).contains("plain_text"));
  }

  private static JsonNode entry(Kind kind, String payload) throws IOException {
    return Payloads.JSON.createObjectNode().put("kind", kind.name()).put("method", "test")
        .set("payload", Payloads.JSON.readTree(payload));
  }

  /** What tsc said of {@code payloads}, by payload; skipped (or, with CI=true, failed) when node or the packages lack. */
  record Checked(Path source, Map<String, List<String>> problems, Duration took) {}

  static Checked typeCheck(String name, Map<String, JsonNode> payloads) throws IOException, InterruptedException {
    Path npm = npmPrefix();
    Path tsc = npm.resolve("node_modules/typescript/bin/tsc");
    Path types = npm.resolve("node_modules/@slack/types/dist/index.d.ts");
    Path node = which("node");
    if (!Files.isRegularFile(tsc) || !Files.isRegularFile(types) || node == null) {
      String hint = "Slack's types check needs node, @slack/types@" + SLACK_TYPES + " and typescript@" + TYPESCRIPT
          + " under " + npm + ": npm install --no-save --prefix " + npm + " @slack/types@" + SLACK_TYPES
          + " typescript@" + TYPESCRIPT + " (.ci/run does)";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(hint);
      }
      Assumptions.abort(hint);
    }
    Path work = Files.createDirectories(Path.of("target", "slack-types", name));
    List<String> order = new ArrayList<>(payloads.keySet());
    Path source = work.resolve("payloads.ts");
    Files.writeString(source, source(order, payloads), StandardCharsets.UTF_8);
    Files.writeString(work.resolve("tsconfig.json"), tsconfig(types), StandardCharsets.UTF_8);

    long started = System.nanoTime();
    Process process = new ProcessBuilder(node.toString(), tsc.toString(), "-p", work.resolve("tsconfig.json").toString(),
            "--pretty", "false")
        .redirectErrorStream(true)
        .start();
    String output;
    try (var out = process.getInputStream()) {
      output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("tsc took more than 5 minutes over " + payloads.size() + " payloads");
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    Map<String, List<String>> problems = problems(output, order);
    if (process.exitValue() != 0 && problems.isEmpty() || problems.containsKey("(header)")) {
      throw new AssertionError("tsc failed without naming a payload (exit " + process.exitValue() + "):\n" + output);
    }
    if (process.exitValue() == 0 && !problems.isEmpty()) {
      throw new AssertionError("tsc exited 0 but printed errors:\n" + output);
    }
    return new Checked(source, problems, took);
  }

  /** The TypeScript each payload is checked as: its kind's type, from @slack/types, one payload a line. */
  static String source(List<String> order, Map<String, JsonNode> payloads) {
    StringBuilder ts = new StringBuilder();
    ts.append("import type { HomeView, KnownBlock, MessageAttachment, MessageMetadata, ModalView } from '@slack/types';\n");
    // The view types allow any {type: string} block; ours must be blocks Slack knows.
    ts.append("type Modal = Omit<ModalView, 'blocks'> & { blocks: KnownBlock[] };\n");
    ts.append("type Home = Omit<HomeView, 'blocks'> & { blocks: KnownBlock[] };\n");
    // chat.postMessage's, chat.update's and chat.postEphemeral's message arguments (docs.slack.dev/reference/methods).
    ts.append("type Message = { text?: string; blocks?: KnownBlock[]; attachments?: MessageAttachment[];"
        + " metadata?: MessageMetadata; thread_ts?: string; mrkdwn?: boolean; unfurl_links?: boolean;"
        + " unfurl_media?: boolean; reply_broadcast?: boolean; icon_emoji?: string; icon_url?: string; username?: string };\n");
    // A response_url body, or a slash command's reply (docs.slack.dev/interactivity/handling-user-interaction).
    ts.append("type Response = Message & { response_type?: 'ephemeral' | 'in_channel'; replace_original?: boolean;"
        + " delete_original?: boolean };\n");
    // A view_submission's answer (docs.slack.dev/surfaces/modals#updating_response, #displaying_errors).
    ts.append("type SubmissionReply = { response_action: 'errors'; errors: { [blockId: string]: string } }"
        + " | { response_action: 'update' | 'push'; view: Modal } | { response_action: 'clear' };\n");
    int header = 6;
    if (ts.chars().filter(c -> c == '\n').count() != header) {
      throw new IllegalStateException("the header's line count changed: fix problems()");
    }
    for (String hash : order) {
      JsonNode entry = payloads.get(hash);
      ts.append("export const p").append(hash).append(": ").append(typeOf(entry)).append(" = ")
          .append(entry.get("payload").toString()).append(";\n");
    }
    return ts.toString();
  }

  private static String typeOf(JsonNode entry) {
    return switch (Kind.valueOf(entry.path("kind").asText())) {
      case MESSAGE -> "Message";
      case VIEW -> entry.path("payload").path("type").asText().equals("home") ? "Home" : "Modal";
      case RESPONSE_URL, COMMAND_REPLY -> "Response";
      case VIEW_SUBMISSION_REPLY -> "SubmissionReply";
    };
  }

  private static String tsconfig(Path types) {
    String path = types.toAbsolutePath().toString().replace("\\", "/");
    return """
        {
          "compilerOptions": {
            "strict": true,
            "noEmit": true,
            "target": "es2022",
            "lib": ["es2022"],
            "module": "esnext",
            "moduleResolution": "bundler",
            "types": [],
            "paths": { "@slack/types": ["%s"] }
          },
          "files": ["payloads.ts"]
        }
        """.formatted(path);
  }

  /** tsc's messages by payload (line 7 is the first payload). */
  private static Map<String, List<String>> problems(String output, List<String> order) {
    Map<String, List<String>> problems = new TreeMap<>();
    for (String line : output.split("\\R")) {
      Matcher m = TSC_ERROR.matcher(line.strip());
      if (!m.find()) {
        continue;
      }
      int index = Integer.parseInt(m.group(1)) - 7;
      String hash = index >= 0 && index < order.size() ? order.get(index) : "(header)";
      problems.computeIfAbsent(hash, h -> new ArrayList<>()).add(m.group(3) + " at column " + m.group(2) + ": " + m.group(4));
    }
    return problems;
  }

  private static List<String[]> captures(Path dir) throws IOException {
    Path log = dir.resolve(PayloadLog.CAPTURES);
    if (!Files.exists(log)) {
      return List.of();
    }
    return Files.readAllLines(log).stream().filter(l -> !l.isBlank()).map(l -> l.split(" ", 4)).toList();
  }

  private static Map<String, JsonNode> payloads(Path dir) throws IOException {
    Map<String, JsonNode> payloads = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return payloads;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
        String name = file.getFileName().toString();
        payloads.put(name.substring(0, name.length() - ".json".length()), Payloads.JSON.readTree(file.toFile()));
      }
    }
    return payloads;
  }

  private static String countByKind(Map<String, JsonNode> payloads) {
    Map<String, Integer> counts = new TreeMap<>();
    payloads.values().forEach(p -> counts.merge(p.path("kind").asText() + " " + p.path("method").asText(), 1, Integer::sum));
    return "distinct payloads by kind and method: " + counts;
  }

  private static String abbreviate(String json) {
    return json.length() <= 1500 ? json : json.substring(0, 1500) + "… (" + (json.length() - 1500) + " more characters)";
  }

  private static Path npmPrefix() {
    String configured = System.getenv("COUNTERSIGN_NPM");
    return configured != null && !configured.isBlank()
        ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".cache", "countersign", "npm");
  }

  private static Path which(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String entry : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(entry, program);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
