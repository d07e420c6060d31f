package org.countersign.slack.fake;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.slack.api.SlackConfig;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/**
 * A local stand-in for the Slack Web API, over real HTTP on a free loopback port, answering as
 * Slack's method docs say: HTTP 200 with {@code ok:false} for method errors, 429 with Retry-After
 * when rate limited, form or JSON bodies, Bearer-token auth, Block Kit limits enforced. It also
 * serves the {@code response_url}s it hands out. Thread-safe.
 */
public final class FakeSlack implements AutoCloseable {

  /** Slack: "Triggers expire in three seconds". */
  static final Duration TRIGGER_LIFETIME = Duration.ofSeconds(3);
  /** Slack truncates, rather than refuses, message text past 40,000 characters. */
  static final int MAX_TEXT = 40_000;

  static final String TEAM_ID = "T0COUNTER";
  static final String APP_ID = "A0COUNTER";

  private static final String JSON_TYPE = "application/json; charset=utf-8";

  private final String botToken;
  private final Clock clock;
  private final ObjectMapper json = new ObjectMapper();
  private final BlockKit blockKit = new BlockKit(json);
  private final Javalin server;

  private final List<RecordedCall> calls = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  // Everything below is guarded by lock.
  private final Map<String, String> channels = new LinkedHashMap<>();
  private final Set<String> privateChannels = new HashSet<>();
  private final Map<String, String> users = new LinkedHashMap<>();
  private final Map<String, String> emails = new LinkedHashMap<>();
  private final Map<String, List<String>> usergroups = new LinkedHashMap<>();
  private final Map<String, List<PostedMessage>> messages = new LinkedHashMap<>();
  /** Where each message is in its channel's list, so an update finds it at once among thousands (the benchmark's). */
  private final Map<MessageKey, Integer> positions = new HashMap<>();
  private final List<EphemeralMessage> ephemerals = new ArrayList<>();
  private final List<ResponseUrlPost> responseUrlPosts = new ArrayList<>();
  private final Map<String, OpenedView> views = new LinkedHashMap<>();
  private final Map<String, Instant> triggers = new HashMap<>();
  private final Set<String> exchangedTriggers = new HashSet<>();
  private final Map<String, Optional<MessageKey>> responseUrls = new HashMap<>();
  private final Map<String, Deque<Failure>> failures = new HashMap<>();
  private final Map<String, Duration> delays = new HashMap<>();
  private final Map<MessageKey, JsonNode> metadata = new HashMap<>();
  private volatile RateLimits rateLimits;
  private long lastTsMicros;
  private long sequence;

  private record MessageKey(String channel, String ts) {}

  /** Starts a fake workspace that accepts {@code botToken}, on the system clock. */
  public FakeSlack(String botToken) {
    this(botToken, Clock.systemUTC());
  }

  /** Starts a fake workspace whose timestamps and trigger expiry follow {@code clock}. */
  public FakeSlack(String botToken, Clock clock) {
    if (botToken == null || !botToken.startsWith("xoxb-")) {
      throw new IllegalArgumentException("bot token must start with xoxb-: " + botToken);
    }
    this.botToken = botToken;
    this.clock = clock;
    this.server =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.routes.post("/api/{method}", this::method);
                  cfg.routes.get("/api/{method}", this::method);
                  cfg.routes.post("/response/{id}", this::responseUrl);
                })
            .start("127.0.0.1", 0);
  }

  // ---------------------------------------------------------------- workspace set-up

  /** Enforces Slack's rate limits from now on, as Slack does: 429 with Retry-After past them. */
  public FakeSlack withRateLimits(RateLimits limits) {
    this.rateLimits = limits;
    return this;
  }

  /** Adds a channel the bot can post in; {@code name} without '#'. */
  public FakeSlack withChannel(String id, String name) {
    synchronized (lock) {
      channels.put(id, name);
    }
    return this;
  }

  /** Adds a private channel the bot is a member of ({@code conversations.info} says {@code is_private}). */
  public FakeSlack withPrivateChannel(String id, String name) {
    synchronized (lock) {
      channels.put(id, name);
      privateChannels.add(id);
    }
    return this;
  }

  /** A workspace admin converts the channel to public (or back, with {@link #makePrivate}); its id stays. */
  public void makePublic(String id) {
    synchronized (lock) {
      requireChannel(id);
      privateChannels.remove(id);
    }
  }

  public void makePrivate(String id) {
    synchronized (lock) {
      requireChannel(id);
      privateChannels.add(id);
    }
  }

  private void requireChannel(String id) {
    if (!channels.containsKey(id)) {
      throw new IllegalArgumentException("no channel " + id);
    }
  }

  /** Adds a user, known to {@code users.info}. */
  public FakeSlack withUser(String id, String name) {
    synchronized (lock) {
      users.put(id, name);
    }
    return this;
  }

  /** Adds a user whose profile email is confirmed, as {@code users.info} shows it with scope users:read.email. */
  public FakeSlack withUser(String id, String name, String email) {
    synchronized (lock) {
      users.put(id, name);
      emails.put(id, email);
    }
    return this;
  }

  /** Adds a user group ({@code S…}) and its members, known to {@code usergroups.users.list}. */
  public FakeSlack withUsergroup(String id, List<String> members) {
    synchronized (lock) {
      usergroups.put(id, List.copyOf(members));
    }
    return this;
  }

  /** A trigger id as Slack puts in interaction payloads: usable once, for 3 seconds. */
  public String newTriggerId() {
    synchronized (lock) {
      String id = (++sequence) + "." + clock.instant().getEpochSecond() + "." + randomHex(32);
      triggers.put(id, clock.instant());
      return id;
    }
  }

  /** A response URL as in a slash-command payload, not tied to a message. */
  public String newResponseUrl() {
    return newResponseUrl(Optional.empty());
  }

  /** A response URL as in a block_actions payload: {@code replace_original} changes {@code message}. */
  public String newResponseUrl(PostedMessage message) {
    return newResponseUrl(Optional.of(new MessageKey(message.channel(), message.ts())));
  }

  private String newResponseUrl(Optional<MessageKey> message) {
    String id = UUID.randomUUID().toString();
    synchronized (lock) {
      responseUrls.put(id, message);
    }
    return "http://127.0.0.1:" + port() + "/response/" + id;
  }

  /** The DM channel Slack opens when the bot posts to a user id. */
  public String dmChannel(String userId) {
    return "D" + userId.substring(1);
  }

  // ---------------------------------------------------------------- where it is

  /** The methods endpoint prefix, ending in "/api/". */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/api/";
  }

  public int port() {
    return server.port();
  }

  /** A fresh slack-api-client config that sends every method here. */
  public SlackConfig slackConfig() {
    SlackConfig config = new SlackConfig();
    config.setMethodsEndpointUrlPrefix(baseUrl());
    return config;
  }

  public String teamId() {
    return TEAM_ID;
  }

  public String botUserId() {
    return "U0BOT";
  }

  public String botId() {
    return "B0BOT";
  }

  // ---------------------------------------------------------------- fault injection

  /** The next {@code times} calls of {@code method} get {@code failure} instead of an answer. */
  public void failNext(String method, int times, Failure failure) {
    if (times < 1) {
      throw new IllegalArgumentException("times < 1: " + times);
    }
    synchronized (lock) {
      Deque<Failure> queue = failures.computeIfAbsent(method, m -> new ArrayDeque<>());
      for (int i = 0; i < times; i++) {
        queue.add(failure);
      }
    }
  }

  /** Every later call of {@code method} is answered (or failed) only after {@code by}: a slow Slack. */
  public void delay(String method, Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("delay < 0: " + by);
    }
    synchronized (lock) {
      delays.put(method, by);
    }
  }

  /** Forgets every armed failure and delay: the next calls are answered again, at once. */
  public void heal() {
    synchronized (lock) {
      failures.clear();
      delays.clear();
    }
  }

  // ---------------------------------------------------------------- what happened

  /** Every method call received, failed ones included, in arrival order. */
  public List<RecordedCall> calls() {
    return List.copyOf(calls);
  }

  public List<RecordedCall> calls(String method) {
    return calls.stream().filter(c -> c.method().equals(method)).toList();
  }

  /** Waits until at least {@code n} calls of {@code method} arrived; returns them all. */
  public List<RecordedCall> awaitCalls(String method, int n, Duration timeout) {
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> calls(method).size() >= n);
    return calls(method);
  }

  /** The messages in a channel (a channel id; for DMs see {@link #dmChannel}), as they now stand. */
  public List<PostedMessage> messages(String channel) {
    synchronized (lock) {
      return List.copyOf(messages.getOrDefault(channel, List.of()));
    }
  }

  /** The message at {@code ts}, as it now stands. */
  public PostedMessage message(String channel, String ts) {
    return messages(channel).stream()
        .filter(m -> m.ts().equals(ts))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no message " + ts + " in " + channel));
  }

  public List<EphemeralMessage> ephemerals() {
    synchronized (lock) {
      return List.copyOf(ephemerals);
    }
  }

  public List<ResponseUrlPost> responseUrlPosts() {
    synchronized (lock) {
      return List.copyOf(responseUrlPosts);
    }
  }

  /** Modals opened, as they now stand, in the order they were opened. */
  public List<OpenedView> openedViews() {
    synchronized (lock) {
      return List.copyOf(views.values());
    }
  }

  /** Forgets calls, messages, views, triggers, armed failures and delays; keeps channels, users and groups. */
  public void reset() {
    calls.clear();
    synchronized (lock) {
      messages.clear();
      positions.clear();
      metadata.clear();
      ephemerals.clear();
      responseUrlPosts.clear();
      views.clear();
      triggers.clear();
      exchangedTriggers.clear();
      responseUrls.clear();
      failures.clear();
      delays.clear();
    }
  }

  @Override
  public void close() {
    server.stop();
  }

  // ---------------------------------------------------------------- HTTP: Web API methods

  private void method(Context ctx) {
    String method = ctx.pathParam("method");
    String body = ctx.body();
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.putAll(ctx.headerMap());
    Map<String, String> params = new LinkedHashMap<>(Payloads.parseForm(ctx.queryString()));
    Refusal badBody = null;
    Map<String, JsonNode> nested = new HashMap<>();
    try {
      params.putAll(parseBody(ctx.contentType(), body, nested));
    } catch (Refusal e) {
      badBody = e;
    }
    calls.add(new RecordedCall(method, params, body, headers, clock.instant()));

    waitIfDelayed(method);
    Failure failure = takeFailure(method);
    RateLimits limits = rateLimits;
    if (failure == null && limits != null) {
      int retryAfter = limits.take(method, params.get("channel"), System.nanoTime());
      if (retryAfter > 0) {
        failure = Failure.rateLimited(retryAfter);
      }
    }
    if (failure != null && !(failure instanceof Failure.DisconnectAfter)) {
      fail(ctx, failure);
      return;
    }
    ObjectNode answer;
    try {
      if (badBody != null) {
        throw badBody;
      }
      authenticate(headers, params, ctx.contentType());
      answer = call(method, params, Blocks.read(this, method, params, nested.get("blocks")));
    } catch (Refusal refusal) {
      answer = refusal(refusal);
      // chat.postMessage alone also lists the problems in "errors" (slack-api-client's response models, generated
      // from Slack's answers, have the field for it and not for chat.update or chat.postEphemeral).
      if (!method.equals("chat.postMessage")) {
        answer.remove("errors");
      }
    }
    if (failure instanceof Failure.DisconnectAfter) {
      fail(ctx, failure);
      return;
    }
    ctx.status(200).contentType(JSON_TYPE).result(answer.toString());
  }

  /**
   * A message method's blocks, parsed and checked before the lock is taken (Slack handles calls side by side; one lock
   * around the parse made every card call wait for the others'), or the refusal that checking them gave, thrown where
   * the method reads them.
   */
  private record Blocks(ArrayNode blocks, Refusal refusal) {
    /** {@code parsed}: the blocks as the JSON body carried them, already parsed; null when they came as text. */
    static Blocks read(FakeSlack slack, String method, Map<String, String> params, JsonNode parsed) {
      if (!method.startsWith("chat.") || !params.containsKey("blocks")) {
        return new Blocks(null, null);
      }
      try {
        ArrayNode blocks = parsed == null ? slack.blockKit.parseBlocks(params.get("blocks")) : BlockKit.array(parsed);
        slack.blockKit.validate(blocks, BlockKit.MESSAGE_BLOCKS, "/blocks");
        return new Blocks(blocks, null);
      } catch (Refusal refusal) {
        return new Blocks(null, refusal);
      }
    }

    ArrayNode get() throws Refusal {
      if (refusal != null) {
        throw refusal;
      }
      return blocks;
    }
  }

  private ObjectNode call(String method, Map<String, String> params, Blocks blocks) throws Refusal {
    synchronized (lock) {
      return switch (method) {
        case "auth.test" -> authTest();
        case "chat.postMessage" -> postMessage(params, blocks);
        case "chat.update" -> update(params, blocks);
        case "chat.postEphemeral" -> postEphemeral(params, blocks);
        case "views.open" -> openView(params);
        case "views.update" -> updateView(params);
        case "usergroups.users.list" -> usergroupMembers(params);
        case "users.info" -> userInfo(params);
        case "conversations.info" -> conversationInfo(params);
        case "conversations.history" -> history(params);
        default -> throw new Refusal("unknown_method");
      };
    }
  }

  private void authenticate(Map<String, String> headers, Map<String, String> params, String contentType)
      throws Refusal {
    String authorization = headers.get("Authorization");
    String token = null;
    if (authorization != null && authorization.startsWith("Bearer ")) {
      token = authorization.substring("Bearer ".length()).trim();
    } else if (!isJson(contentType)) {
      // Slack takes a token form field too, but never one inside a JSON body.
      token = params.get("token");
    }
    if (token == null || token.isEmpty()) {
      throw new Refusal("not_authed");
    }
    if (!token.equals(botToken)) {
      throw new Refusal("invalid_auth");
    }
  }

  private ObjectNode authTest() {
    return ok()
        .put("url", "https://countersign-test.slack.com/")
        .put("team", "Countersign Test")
        .put("user", "countersign")
        .put("team_id", teamId())
        .put("user_id", botUserId())
        .put("bot_id", botId())
        .put("is_enterprise_install", false);
  }

  private ObjectNode postMessage(Map<String, String> params, Blocks parsed) throws Refusal {
    String channel = channel(params);
    ArrayNode blocks = messageBlocks(parsed);
    String text = text(params, blocks);
    String threadTs = params.get("thread_ts");
    String ts = nextTs();
    PostedMessage message = new PostedMessage(channel, ts, threadTs, text, blocks, 0);
    List<PostedMessage> inChannel = messages.computeIfAbsent(channel, c -> new ArrayList<>());
    positions.put(new MessageKey(channel, ts), inChannel.size());
    inChannel.add(message);
    if (params.containsKey("metadata")) {
      metadata.put(new MessageKey(channel, ts), readJson(params.get("metadata")));
    }
    keepMessage("chat.postMessage", params);
    return ok().put("channel", channel).put("ts", ts).set("message", messageJson(message));
  }

  // conversations.history: top-level messages after oldest and before latest (exclusive unless inclusive), newest
  // first, limit of them (default 100, at most 999) and has_more; metadata only with include_all_metadata.
  private ObjectNode history(Map<String, String> params) throws Refusal {
    String channel = required(params, "channel");
    if (!channels.containsKey(channel)) {
      throw new Refusal("channel_not_found");
    }
    boolean inclusive = isTrue(params.get("inclusive"));
    boolean withMetadata = isTrue(params.get("include_all_metadata"));
    java.math.BigDecimal oldest = new java.math.BigDecimal(params.getOrDefault("oldest", "0"));
    java.math.BigDecimal latest = params.containsKey("latest") ? new java.math.BigDecimal(params.get("latest")) : null;
    int limit = Math.min(999, Integer.parseInt(params.getOrDefault("limit", "100")));
    int from = params.containsKey("cursor") && !params.get("cursor").isEmpty()
        ? Integer.parseInt(params.get("cursor").substring("next:".length())) : 0;
    List<PostedMessage> shown = new ArrayList<>();
    for (PostedMessage message : messages.getOrDefault(channel, List.of())) {
      if (message.isReply()) {
        continue;
      }
      int low = new java.math.BigDecimal(message.ts()).compareTo(oldest);
      int high = latest == null ? -1 : new java.math.BigDecimal(message.ts()).compareTo(latest);
      if ((low > 0 || (inclusive && low == 0)) && (high < 0 || (inclusive && high == 0))) {
        shown.add(0, message);
      }
    }
    ObjectNode answer = ok();
    ArrayNode page = answer.putArray("messages");
    for (PostedMessage message : shown.subList(Math.min(from, shown.size()), Math.min(from + limit, shown.size()))) {
      ObjectNode out = messageJson(message);
      JsonNode meta = metadata.get(new MessageKey(channel, message.ts()));
      if (withMetadata && meta != null) {
        out.set("metadata", meta.deepCopy());
      }
      page.add(out);
    }
    boolean more = from + limit < shown.size();
    answer.put("has_more", more);
    answer.putObject("response_metadata").put("next_cursor", more ? "next:" + (from + limit) : "");
    return answer;
  }

  private static boolean isTrue(String value) {
    return "true".equals(value) || "1".equals(value);
  }

  private ObjectNode update(Map<String, String> params, Blocks parsed) throws Refusal {
    String channel = channel(params);
    String ts = params.get("ts");
    List<PostedMessage> inChannel = messages.getOrDefault(channel, List.of());
    int index = indexOf(channel, ts);
    if (index < 0) {
      throw new Refusal("message_not_found");
    }
    PostedMessage old = inChannel.get(index);
    if (!params.containsKey("text") && !params.containsKey("blocks") && !params.containsKey("attachments")) {
      throw new Refusal("no_text");
    }
    // chat.update docs: leave blocks out and the message keeps its blocks; send [] to remove them.
    JsonNode blocks = params.containsKey("blocks") ? messageBlocks(parsed) : old.blocks();
    String text = params.containsKey("text") ? truncate(params.get("text")) : old.text();
    PostedMessage updated = new PostedMessage(channel, ts, old.threadTs(), text, blocks, old.edits() + 1);
    inChannel.set(index, updated);
    keepMessage("chat.update", params);
    return ok()
        .put("channel", channel)
        .put("ts", ts)
        .put("text", text)
        .set("message", messageJson(updated));
  }

  private ObjectNode postEphemeral(Map<String, String> params, Blocks parsed) throws Refusal {
    String channel = channel(params);
    String user = required(params, "user");
    ArrayNode blocks = messageBlocks(parsed);
    String text = text(params, blocks);
    String ts = nextTs();
    ephemerals.add(new EphemeralMessage(channel, user, ts, params.get("thread_ts"), text, blocks));
    keepMessage("chat.postEphemeral", params);
    return ok().put("message_ts", ts);
  }

  private ObjectNode openView(Map<String, String> params) throws Refusal {
    String triggerId = params.get("trigger_id");
    if (triggerId == null && params.get("interactivity_pointer") == null) {
      throw new Refusal("invalid_arguments", "[ERROR] missing required field: trigger_id");
    }
    ObjectNode view = view(params);
    exchange(triggerId);
    PayloadLog.record(PayloadLog.Kind.VIEW, "views.open", readJson(params.get("view")));
    String id = "V" + randomUpper(10);
    ObjectNode opened = viewJson(id, view);
    views.put(id, new OpenedView(id, triggerId, opened.get("hash").asText(), opened));
    return ok().set("view", opened);
  }

  private ObjectNode updateView(Map<String, String> params) throws Refusal {
    ObjectNode view = view(params);
    String id = params.get("view_id");
    if (id == null && params.get("external_id") != null) {
      id =
          views.values().stream()
              .filter(v -> v.view().path("external_id").asText().equals(params.get("external_id")))
              .map(OpenedView::id)
              .findFirst()
              .orElse(null);
    }
    OpenedView old = id == null ? null : views.get(id);
    if (old == null) {
      throw new Refusal("not_found");
    }
    String hash = params.get("hash");
    if (hash != null && !hash.equals(old.hash())) {
      throw new Refusal("hash_conflict");
    }
    ObjectNode updated = viewJson(id, view);
    views.put(id, new OpenedView(id, old.triggerId(), updated.get("hash").asText(), updated));
    PayloadLog.record(PayloadLog.Kind.VIEW, "views.update", readJson(params.get("view")));
    return ok().set("view", updated);
  }

  private ObjectNode usergroupMembers(Map<String, String> params) throws Refusal {
    List<String> members = usergroups.get(required(params, "usergroup"));
    if (members == null) {
      throw new Refusal("no_such_subteam");
    }
    ObjectNode answer = ok();
    members.forEach(answer.putArray("users")::add);
    return answer;
  }

  private ObjectNode userInfo(Map<String, String> params) throws Refusal {
    String id = required(params, "user");
    String name = users.get(id);
    if (name == null) {
      throw new Refusal("user_not_found");
    }
    ObjectNode user = json.createObjectNode();
    user.put("id", id).put("team_id", teamId()).put("name", name).put("real_name", name);
    user.put("deleted", false).put("is_bot", false);
    var profile = user.putObject("profile").put("real_name", name).put("display_name", name);
    String email = emails.get(id);
    if (email != null) {
      profile.put("email", email);
      user.put("is_email_confirmed", true);
    }
    return ok().set("user", user);
  }

  // conversations.info, as the conversation object's docs show it for a channel the bot is in.
  private ObjectNode conversationInfo(Map<String, String> params) throws Refusal {
    String id = params.get("channel");
    String name = id == null ? null : channels.get(id);
    if (name == null) {
      throw new Refusal("channel_not_found");
    }
    boolean isPrivate = privateChannels.contains(id);
    ObjectNode channel = json.createObjectNode();
    channel.put("id", id).put("name", name).put("is_channel", true).put("is_group", false);
    channel.put("is_im", false).put("is_mpim", false).put("is_private", isPrivate);
    channel.put("created", 1449252889).put("is_archived", false).put("is_general", false);
    channel.put("unlinked", 0).put("name_normalized", name).put("is_shared", false);
    channel.put("is_org_shared", false).put("is_pending_ext_shared", false).put("is_ext_shared", false);
    channel.putArray("pending_shared");
    channel.put("context_team_id", teamId()).put("creator", "U0ADMIN");
    channel.putArray("shared_team_ids").add(teamId());
    channel.put("is_member", true).put("last_read", "0000000000.000000");
    channel.putObject("topic").put("value", "").put("creator", "").put("last_set", 0);
    channel.putObject("purpose").put("value", "").put("creator", "").put("last_set", 0);
    channel.putArray("previous_names");
    return ok().set("channel", channel);
  }

  // ---------------------------------------------------------------- HTTP: response_url

  private void responseUrl(Context ctx) {
    String id = ctx.pathParam("id");
    String url = "http://127.0.0.1:" + port() + "/response/" + id;
    JsonNode body = readJson(ctx.body());
    synchronized (lock) {
      Optional<MessageKey> target = responseUrls.get(id);
      if (target == null) {
        ctx.status(404).contentType("text/plain").result("no_service");
        return;
      }
      if (body == null || !body.isObject()) {
        ctx.status(400).contentType("text/plain").result("invalid_payload");
        return;
      }
      ArrayNode blocks;
      try {
        blocks = body.has("blocks") ? responseBlocks(body.get("blocks")) : json.createArrayNode();
      } catch (Refusal e) {
        ctx.status(400).contentType("text/plain").result(e.error());
        return;
      }
      responseUrlPosts.add(new ResponseUrlPost(url, body, clock.instant()));
      PayloadLog.record(PayloadLog.Kind.RESPONSE_URL, "response_url", body);
      target.ifPresent(key -> applyToOriginal(key, body, blocks));
    }
    ctx.status(200).contentType("text/plain").result("ok");
  }

  private ArrayNode responseBlocks(JsonNode blocks) throws Refusal {
    if (!blocks.isArray()) {
      throw new Refusal("invalid_blocks");
    }
    ArrayNode copy = (ArrayNode) blocks.deepCopy();
    blockKit.validate(copy, BlockKit.MESSAGE_BLOCKS, "/blocks");
    return copy;
  }

  private JsonNode readJson(String text) {
    try {
      return json.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private void applyToOriginal(MessageKey key, JsonNode body, ArrayNode blocks) {
    List<PostedMessage> inChannel = messages.getOrDefault(key.channel(), new ArrayList<>());
    int index = indexOf(key.channel(), key.ts());
    if (index < 0) {
      return;
    }
    if (body.path("delete_original").asBoolean(false)) {
      inChannel.remove(index);
      // Rare: the later messages moved up one place.
      positions.remove(key);
      for (int i = index; i < inChannel.size(); i++) {
        positions.put(new MessageKey(key.channel(), inChannel.get(i).ts()), i);
      }
    } else if (body.path("replace_original").asBoolean(false)) {
      PostedMessage old = inChannel.get(index);
      String text = truncate(body.path("text").asText(""));
      inChannel.set(index, new PostedMessage(old.channel(), old.ts(), old.threadTs(), text, blocks, old.edits() + 1));
    }
  }

  // ---------------------------------------------------------------- pieces

  // What a chat.* call asked to show, as the app sent it (before the fake filled in ids): a message payload.
  private void keepMessage(String method, Map<String, String> params) {
    if (System.getProperty(PayloadLog.PROPERTY) == null) {
      return;
    }
    ObjectNode message = json.createObjectNode();
    for (String field : List.of("text", "thread_ts", "icon_emoji", "icon_url", "username")) {
      if (params.containsKey(field)) {
        message.put(field, params.get(field));
      }
    }
    for (String field : List.of("blocks", "attachments", "metadata")) {
      if (params.containsKey(field)) {
        message.set(field, readJson(params.get(field)));
      }
    }
    for (String field : List.of("mrkdwn", "unfurl_links", "unfurl_media", "reply_broadcast")) {
      String value = params.get(field);
      if (value != null) {
        // A form carries true/false or 1/0 (slack-api-client sends 1/0); anything else is kept as text, which the
        // types check refuses.
        if (value.equals("true") || value.equals("1")) {
          message.put(field, true);
        } else if (value.equals("false") || value.equals("0")) {
          message.put(field, false);
        } else {
          message.put(field, value);
        }
      }
    }
    PayloadLog.record(PayloadLog.Kind.MESSAGE, method, message);
  }

  private String channel(Map<String, String> params) throws Refusal {
    String channel = params.get("channel");
    if (channel == null || channel.isEmpty()) {
      throw new Refusal("channel_not_found");
    }
    if (channels.containsKey(channel)) {
      return channel;
    }
    if ((channel.startsWith("U") || channel.startsWith("W")) && channel.length() > 1) {
      return dmChannel(channel);
    }
    String name = channel.startsWith("#") ? channel.substring(1) : channel;
    return channels.entrySet().stream()
        .filter(e -> e.getValue().equals(name))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new Refusal("channel_not_found"));
  }

  private ArrayNode messageBlocks(Blocks parsed) throws Refusal {
    ArrayNode blocks = parsed.get();
    return blocks == null ? json.createArrayNode() : blocks;
  }

  private String text(Map<String, String> params, ArrayNode blocks) throws Refusal {
    String text = params.get("text");
    if ((text == null || text.isEmpty()) && blocks.isEmpty() && !params.containsKey("attachments")) {
      throw new Refusal("no_text");
    }
    return truncate(text == null ? "" : text);
  }

  private static String truncate(String text) {
    return text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
  }

  private ObjectNode view(Map<String, String> params) throws Refusal {
    String raw = params.get("view");
    if (raw == null) {
      throw new Refusal("invalid_arguments", "[ERROR] missing required field: view");
    }
    JsonNode view;
    try {
      view = json.readTree(raw);
    } catch (JsonProcessingException e) {
      throw new Refusal("invalid_arguments", "[ERROR] view is not valid JSON [json-pointer:/view]");
    }
    if (view == null || !view.isObject() || !view.path("type").isTextual()) {
      throw new Refusal("invalid_arguments", "[ERROR] missing required field: type [json-pointer:/view]");
    }
    List<String> problems = blockKit.viewProblems(view);
    if (!problems.isEmpty()) {
      // views.open/views.update: invalid_arguments, with each problem in response_metadata.messages.
      throw new Refusal("invalid_arguments", problems);
    }
    blockKit.fillIds((ArrayNode) view.get("blocks"));
    return (ObjectNode) view;
  }

  private void exchange(String triggerId) throws Refusal {
    if (triggerId == null) {
      return;
    }
    if (exchangedTriggers.contains(triggerId)) {
      throw new Refusal("exchanged_trigger_id");
    }
    Instant issued = triggers.get(triggerId);
    if (issued == null) {
      throw new Refusal("invalid_trigger_id");
    }
    if (clock.instant().isAfter(issued.plus(TRIGGER_LIFETIME))) {
      throw new Refusal("expired_trigger_id");
    }
    triggers.remove(triggerId);
    exchangedTriggers.add(triggerId);
  }

  private ObjectNode viewJson(String id, ObjectNode view) {
    ObjectNode out = view.deepCopy();
    out.put("id", id).put("team_id", teamId());
    for (String field : List.of("private_metadata", "callback_id", "external_id")) {
      if (!out.has(field)) {
        out.put(field, "");
      }
    }
    out.putObject("state").putObject("values");
    out.put("hash", clock.instant().getEpochSecond() + "." + randomHex(8));
    out.put("clear_on_close", view.path("clear_on_close").asBoolean(false));
    out.put("notify_on_close", view.path("notify_on_close").asBoolean(false));
    out.putNull("previous_view_id");
    out.put("root_view_id", id).put("app_id", APP_ID).put("bot_id", botId());
    return out;
  }

  private ObjectNode messageJson(PostedMessage message) {
    ObjectNode out = json.createObjectNode();
    out.put("type", "message").put("text", message.text());
    out.put("user", botUserId()).put("bot_id", botId()).put("app_id", APP_ID);
    out.put("team", teamId()).put("ts", message.ts());
    if (message.threadTs() != null) {
      out.put("thread_ts", message.threadTs());
    }
    if (!message.blocks().isEmpty()) {
      out.set("blocks", message.blocks().deepCopy());
    }
    if (message.edits() > 0) {
      out.putObject("edited").put("user", botUserId()).put("ts", nextTs());
    }
    return out;
  }

  private static String required(Map<String, String> params, String name) throws Refusal {
    String value = params.get(name);
    if (value == null || value.isEmpty()) {
      throw new Refusal("invalid_arguments", "[ERROR] missing required field: " + name);
    }
    return value;
  }

  private int indexOf(String channel, String ts) {
    return positions.getOrDefault(new MessageKey(channel, ts), -1);
  }

  // Slack's ts is epoch seconds and a six-digit suffix; ours is epoch microseconds, kept increasing.
  private String nextTs() {
    Instant now = clock.instant();
    long micros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    lastTsMicros = Math.max(lastTsMicros + 1, micros);
    // "%d.%06d" by hand: String.format was a tenth of the fake's CPU under the benchmark, on the cores it shares.
    String micros6 = Long.toString(1_000_000 + lastTsMicros % 1_000_000).substring(1);
    return (lastTsMicros / 1_000_000) + "." + micros6;
  }

  private ObjectNode ok() {
    return json.createObjectNode().put("ok", true);
  }

  private ObjectNode refusal(Refusal refusal) {
    ObjectNode answer = json.createObjectNode().put("ok", false).put("error", refusal.error());
    if (refusal.error().equals("invalid_blocks") && !refusal.problems().isEmpty()) {
      refusal.problems().forEach(answer.putArray("errors")::add);
    }
    if (!refusal.messages().isEmpty()) {
      refusal.messages().forEach(answer.putObject("response_metadata").putArray("messages")::add);
    }
    return answer;
  }

  private void waitIfDelayed(String method) {
    Duration delay;
    synchronized (lock) {
      delay = delays.get(method);
    }
    if (delay == null) {
      return;
    }
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Failure takeFailure(String method) {
    synchronized (lock) {
      Deque<Failure> queue = failures.get(method);
      return queue == null ? null : queue.poll();
    }
  }

  private void fail(Context ctx, Failure failure) {
    if (failure instanceof Failure.RateLimited limited) {
      ctx.status(429)
          .header("Retry-After", String.valueOf(limited.retryAfterSeconds()))
          .contentType(JSON_TYPE)
          .result(refusal(new Refusal("ratelimited")).toString());
    } else if (failure instanceof Failure.Error error) {
      ctx.status(200).contentType(JSON_TYPE).result(refusal(new Refusal(error.code())).toString());
    } else if (failure instanceof Failure.Down) {
      ctx.status(503).contentType(JSON_TYPE).result(refusal(new Refusal("service_unavailable")).toString());
    } else {
      ServletContextRequest.getServletContextRequest(ctx.req())
          .getConnectionMetaData()
          .getConnection()
          .close();
    }
  }

  /**
   * The parameters of a call's body. From a JSON body, a nested value (blocks, view) is kept as its JSON text, the way a
   * form would carry it, and also as parsed, in {@code nested}, so it is not parsed twice.
   */
  private Map<String, String> parseBody(String contentType, String body, Map<String, JsonNode> nested)
      throws Refusal {
    if (body == null || body.isEmpty()) {
      return Map.of();
    }
    if (contentType == null) {
      throw new Refusal("missing_post_type");
    }
    if (contentType.startsWith("application/x-www-form-urlencoded")) {
      return Payloads.parseForm(body);
    }
    if (isJson(contentType)) {
      Map<String, String> params = new LinkedHashMap<>();
      try (JsonParser parser = json.createParser(body)) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
          throw new Refusal("invalid_json");
        }
        for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
          String name = parser.currentName();
          JsonToken value = parser.nextToken();
          if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            int start = (int) parser.currentTokenLocation().getCharOffset();
            JsonNode node = parser.readValueAsTree();
            params.put(name, body.substring(start, (int) parser.currentLocation().getCharOffset()));
            nested.put(name, node);
          } else {
            params.put(name, parser.getText());
            nested.remove(name);
          }
        }
      } catch (IOException e) {
        throw new Refusal("invalid_json");
      }
      return params;
    }
    throw new Refusal("invalid_post_type");
  }

  private static boolean isJson(String contentType) {
    return contentType != null && contentType.startsWith("application/json");
  }


  private static String randomHex(int length) {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < length; i++) {
      hex.append(Character.forDigit(ThreadLocalRandom.current().nextInt(16), 16));
    }
    return hex.toString();
  }

  private static String randomUpper(int length) {
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < length; i++) {
      id.append("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".charAt(ThreadLocalRandom.current().nextInt(36)));
    }
    return id.toString();
  }
}
