package org.countersign.slack;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.RequestId;
import org.countersign.slack.fake.BlockAction;
import org.countersign.slack.fake.FakeSlack;
import org.countersign.slack.fake.HttpReply;
import org.countersign.slack.fake.OpenedView;
import org.countersign.slack.fake.PostedMessage;
import org.countersign.slack.fake.SlackSigner;
import org.countersign.slack.fake.SlashCommand;
import org.countersign.slack.fake.ViewSubmission;
import org.countersign.store.EmbeddedRedis;

/**
 * The whole service, started as Main starts it (on a Redis of its own in the data directory, the packaged example
 * policy), talking to a
 * fake Slack Web API, with requests signed as Slack signs them. People are the example policy's: U0DEV1
 * opens requests; U0SRE1/U0SRE2 are SRE; U0REL1/U0REL2 Release Engineering (U0REL2 is also in the SRE
 * user group S0SRE); U0SEC1 Security; U0OUT1 is in no team.
 */
public final class SlackFixture implements AutoCloseable {
    static final String SECRET = "0123456789abcdef0123456789abcdef";
    static final String TOKEN = "xoxb-countersign-test";
    static final String OPS = "C0EMERG1";
    static final String SECURITY = "G0SECURE";
    static final String DEV = "U0DEV1";
    static final String SRE1 = "U0SRE1";
    static final String SRE2 = "U0SRE2";
    static final String REL1 = "U0REL1";
    static final String REL2 = "U0REL2";
    static final String SEC1 = "U0SEC1";
    static final String OUTSIDER = "U0OUT1";
    static final Duration WAIT = Duration.ofSeconds(10);

    final FakeSlack fake;
    final SlackSigner signer = new SlackSigner(SECRET);
    final EmbeddedRedis redis;
    final Main.Running service;
    final String url;

    SlackFixture(Path dataDir, boolean withSecurityChannel) throws Exception {
        this(dataDir, withSecurityChannel, Map.of());
    }

    /** With more settings, e.g. Matrix's, so one service serves both platforms. */
    SlackFixture(Path dataDir, boolean withSecurityChannel, Map<String, String> extraEnv) throws Exception {
        this(dataDir, withSecurityChannel, extraEnv, workspace -> {});
    }

    /** With more of a workspace set up before the service starts (users and their emails, user groups). */
    SlackFixture(Path dataDir, boolean withSecurityChannel, Map<String, String> extraEnv,
                 java.util.function.Consumer<FakeSlack> workspace) throws Exception {
        fake = new FakeSlack(TOKEN).withChannel(OPS, "emergencies").withPrivateChannel(SECURITY, "security-emergencies")
                .withUsergroup("S0SRE", List.of(REL2));
        workspace.accept(fake);
        // Main refuses the embedded Redis with Slack on: the test's own server stands in for the deployment's Redis.
        redis = EmbeddedRedis.start(dataDir.resolve("redis"));
        var env = new HashMap<String, String>();
        env.put("REDIS_URL", redis.uri().toString());
        env.put("DATA_DIR", dataDir.toString());
        env.put("PORT", String.valueOf(freePort()));
        env.put("SLACK_SIGNING_SECRET", SECRET);
        env.put("SLACK_BOT_TOKEN", TOKEN);
        env.put("SLACK_API_URL", fake.baseUrl());
        env.put("SLACK_CHANNEL", OPS);
        if (withSecurityChannel) env.put("SLACK_SECURITY_CHANNEL", SECURITY);
        env.put("RATE_LIMIT_PER_USER", "100000/1m"); // tests click fast; SlackRateLimitTest sets a real limit
        env.putAll(extraEnv);
        try {
            var policyEnv = new HashMap<>(System.getenv());
            policyEnv.putAll(env);
            service = Main.start(Config.fromEnv(env), policyEnv);
        } catch (RuntimeException e) {
            redis.close();
            fake.close();
            throw e;
        }
        url = "http://127.0.0.1:" + service.port() + SlackEndpoint.PATH;
    }

    HttpReply command(String user, String text) {
        return signer.slashCommand(SlashCommand.emergency(user, OPS, text).via(fake)).sendTo(url);
    }

    /** Runs {@code /emergency} and waits for the modal Slack was asked to open. */
    OpenedView openForm(String user, String text) {
        int before = fake.openedViews().size();
        command(user, text);
        await().atMost(WAIT).until(() -> fake.openedViews().size() > before);
        return fake.openedViews().get(fake.openedViews().size() - 1);
    }

    /** The request form, filled in as a person would: a revert with a change, a task and a summary. */
    public static ViewSubmission filled(OpenedView view, String user, String reason, String summary) {
        return ViewSubmission.of(view, user)
                .withSelectedOption(SlackForms.REASON_BLOCK, SlackForms.REASON_ACTION, reason)
                .withPlainText(SlackForms.SUMMARY_BLOCK, SlackForms.SUMMARY_ACTION, summary)
                .withPlainText(SlackForms.CHANGES_BLOCK, SlackForms.CHANGES_ACTION,
                        "https://gerrit.example.org/r/c/operations/+/123456\n987654")
                .withPlainText(SlackForms.TASK_BLOCK, SlackForms.TASK_ACTION, "T12345")
                .withSelectedOption(SlackForms.ROLLBACK_BLOCK, SlackForms.ROLLBACK_ACTION, SlackForms.YES);
    }

    /** The rejection form, with its reason. */
    public static ViewSubmission rejection(OpenedView view, String user, String why) {
        return ViewSubmission.of(view, user).withPlainText(SlackForms.REJECT_REASON_BLOCK,
                SlackForms.REJECT_REASON_ACTION, why);
    }

    HttpReply submit(ViewSubmission submission) {
        return signer.viewSubmission(submission.via(fake)).sendTo(url);
    }

    /** Opens a request through the form and waits for its card in {@code channel}; returns its id. */
    RequestId open(String user, String reason, String channel) {
        int before = cards(channel).size();
        var reply = submit(filled(openForm(user, ""), user, reason, "API returns 500s since the cache deploy"));
        if (reply.status() != 200 || !reply.body().isEmpty())
            throw new AssertionError("submission refused: " + reply.status() + " " + reply.body());
        await().atMost(WAIT).until(() -> cards(channel).size() > before);
        return newest();
    }

    RequestId newest() {
        return service.service().recent(java.util.Set.of(), 1).get(0).id();
    }

    EmergencyRequest request(RequestId id) { return service.service().find(id).orElseThrow(); }

    List<PostedMessage> cards(String channel) {
        return fake.messages(channel).stream().filter(m -> !m.isReply()).toList();
    }

    List<PostedMessage> replies(String channel, PostedMessage card) {
        return fake.messages(channel).stream().filter(m -> card.ts().equals(m.threadTs()) && m.isReply()).toList();
    }

    /** The card of {@code id} as it is now in {@code channel} (a message with blocks, not a plain announcement). */
    PostedMessage card(String channel, RequestId id) {
        return cards(channel).stream().filter(m -> m.text().contains(id.toString()) && !m.blocks().isEmpty())
                .reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no card for " + id + " in " + channel));
    }

    HttpReply press(String user, String channel, RequestId id, String actionId) {
        return signer.blockAction(BlockAction.press(card(channel, id), actionId, user).via(fake)).sendTo(url);
    }

    /** Waits until the card shows {@code text} (after an update) and returns it. */
    PostedMessage awaitCardShows(String channel, RequestId id, String text) {
        await().atMost(WAIT).until(() -> blocksText(card(channel, id)).contains(text));
        return card(channel, id);
    }

    /** The last ephemeral answer sent to a response URL, waiting for it to arrive. */
    String awaitEphemeral(int before) {
        await().atMost(WAIT).until(() -> fake.responseUrlPosts().size() > before);
        var posts = fake.responseUrlPosts();
        return posts.get(posts.size() - 1).text();
    }

    static String blocksText(PostedMessage m) { return m.blocks().toString(); }

    static List<String> actionIds(PostedMessage m) {
        var ids = new java.util.ArrayList<String>();
        for (JsonNode block : m.blocks()) for (JsonNode e : block.path("elements"))
            if (e.has("action_id") && "button".equals(e.path("type").asText())) ids.add(e.get("action_id").asText());
        return ids;
    }

    Optional<String> apiState(RequestId id) { return service.service().find(id).map(r -> r.state().name()); }

    static int freePort() throws Exception {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        service.close();
        redis.close();
        fake.close();
    }

    static Map<String, String> none() { return Map.of(); }

    /** Waits until the service has read the S0SRE user group from Slack (it does so in the background, at start). */
    void awaitUsergroupsRead() {
        await().atMost(WAIT).until(() -> service.service().member(org.countersign.domain.Actor.slack(REL2)).in("sre"));
    }
}
