package org.countersign.faults;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.countersign.domain.RequestId;
import org.countersign.slack.SlackEndpoint;
import org.countersign.slack.SlackFixture;
import org.countersign.slack.fake.BlockAction;
import org.countersign.slack.fake.FakeSlack;
import org.countersign.slack.fake.HttpReply;
import org.countersign.slack.fake.OpenedView;
import org.countersign.slack.fake.PostedMessage;
import org.countersign.slack.fake.RecordedCall;
import org.countersign.slack.fake.ResponseUrlPost;
import org.countersign.slack.fake.SlackSigner;
import org.countersign.slack.fake.SlashCommand;

/**
 * The Slack side of the fault tests: a fake workspace over real HTTP and its people (those of the packaged
 * example policy), sending signed requests as Slack does to any Countersign, in this JVM or in another process.
 */
final class SlackWorkspace implements AutoCloseable {
    static final String SECRET = "fedcba9876543210fedcba9876543210";
    static final String TOKEN = "xoxb-countersign-faults";
    static final String OPS = "C0EMERG1";
    static final String DEV = "U0DEV1";
    static final String SRE1 = "U0SRE1";
    static final String SRE2 = "U0SRE2";
    static final String REL1 = "U0REL1";
    static final Duration WAIT = Duration.ofSeconds(10);
    private static final Pattern REQUEST_ID = Pattern.compile("EMG-[0-9]+");

    final FakeSlack fake = new FakeSlack(TOKEN).withChannel(OPS, "emergencies")
            .withUsergroup("S0SRE", List.of("U0REL2"));
    final SlackSigner signer = new SlackSigner(SECRET);

    /** A button press sent to Countersign: its HTTP answer, and the response URL any ephemeral answer goes to. */
    record Click(HttpReply reply, String responseUrl) {}

    /** The settings that point a Countersign at this workspace. */
    Map<String, String> env() {
        var env = new HashMap<String, String>();
        env.put("SLACK_SIGNING_SECRET", SECRET);
        env.put("SLACK_BOT_TOKEN", TOKEN);
        env.put("SLACK_API_URL", fake.baseUrl());
        env.put("SLACK_CHANNEL", OPS);
        return env;
    }

    /** Where a Countersign listening on {@code port} takes Slack's requests. */
    static String endpoint(int port) { return "http://127.0.0.1:" + port + SlackEndpoint.PATH; }

    /** {@code /emergency}, the form filled in and submitted, and the card posted; the new request's id. */
    RequestId open(String endpoint, String user, String reason) {
        int views = fake.openedViews().size();
        int posted = cards().size();
        var command = signer.slashCommand(SlashCommand.emergency(user, OPS, "").via(fake)).sendTo(endpoint);
        if (command.status() != 200) throw new AssertionError("/emergency answered " + command);
        await().atMost(WAIT).until(() -> fake.openedViews().size() > views);
        var form = fake.openedViews().get(views);
        var submitted = signer.viewSubmission(SlackFixture.filled(form, user, reason,
                "API returns 500s since the cache deploy").via(fake)).sendTo(endpoint);
        if (submitted.status() != 200 || !submitted.body().isEmpty())
            throw new AssertionError("submission refused: " + submitted);
        await().atMost(WAIT).until(() -> cards().size() > posted);
        return idOn(cards().get(posted)).orElseThrow();
    }

    /** Every form Countersign asked Slack to open, oldest first. */
    List<OpenedView> forms() { return fake.openedViews(); }

    /** The press of {@code actionId} by {@code user} on the card of {@code id} as it stands now. */
    BlockAction button(RequestId id, String actionId, String user) {
        return BlockAction.press(card(id), actionId, user);
    }

    /** Sends a press, signed now, with a fresh trigger id and response URL. */
    Click press(String endpoint, BlockAction button) {
        var live = button.via(fake);
        return new Click(signer.blockAction(live).sendTo(endpoint), live.responseUrl());
    }

    Click press(String endpoint, RequestId id, String actionId, String user) {
        return press(endpoint, button(id, actionId, user));
    }

    /** Presses Reject and returns the form Slack was asked to open for it. */
    OpenedView rejectionForm(String endpoint, RequestId id, String user) {
        int views = fake.openedViews().size();
        press(endpoint, id, "reject", user);
        await().atMost(WAIT).until(() -> fake.openedViews().size() > views);
        return fake.openedViews().get(views);
    }

    HttpReply reject(String endpoint, OpenedView form, String user, String why) {
        return signer.viewSubmission(SlackFixture.rejection(form, user, why).via(fake)).sendTo(endpoint);
    }

    /** The ephemeral answer to a click, when one arrived. */
    Optional<ResponseUrlPost> answer(Click click) {
        return fake.responseUrlPosts().stream().filter(p -> p.url().equals(click.responseUrl())).findFirst();
    }

    ResponseUrlPost awaitAnswer(Click click, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(10)).until(() -> answer(click).isPresent());
        return answer(click).orElseThrow();
    }

    /** Cards (not thread replies) in the ops channel, as they stand now, oldest first. */
    List<PostedMessage> cards() {
        return fake.messages(OPS).stream().filter(m -> !m.isReply()).toList();
    }

    PostedMessage card(RequestId id) {
        return cards().stream().filter(m -> idOn(m).equals(Optional.of(id))).findFirst()
                .orElseThrow(() -> new AssertionError("no card for " + id + " in " + OPS));
    }

    String cardText(RequestId id) { return card(id).blocks().toString(); }

    void awaitCardShows(RequestId id, String text, Duration within) {
        await().atMost(within).until(() -> cardText(id).contains(text));
    }

    /** The thread replies under the card of {@code id}. */
    List<PostedMessage> replies(RequestId id) {
        var ts = card(id).ts();
        return fake.messages(OPS).stream().filter(m -> m.isReply() && ts.equals(m.threadTs())).toList();
    }

    /** Every chat.postMessage that posted the card of {@code id} (not a reply in its thread). */
    List<RecordedCall> cardPosts(RequestId id) {
        return fake.calls("chat.postMessage").stream()
                .filter(c -> c.param("thread_ts") == null && idIn(c.param("text")).equals(Optional.of(id))).toList();
    }

    /** Every chat.update of the card of {@code id}. */
    List<RecordedCall> cardUpdates(RequestId id) {
        var ts = card(id).ts();
        return fake.calls("chat.update").stream().filter(c -> ts.equals(c.param("ts"))).toList();
    }

    private static Optional<RequestId> idOn(PostedMessage card) { return idIn(card.text()); }

    private static Optional<RequestId> idIn(String text) {
        if (text == null) return Optional.empty();
        var m = REQUEST_ID.matcher(text);
        return m.find() ? RequestId.parse(m.group()) : Optional.empty();
    }

    @Override
    public void close() {
        fake.close();
    }
}
