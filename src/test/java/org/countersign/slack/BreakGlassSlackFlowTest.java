package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.slack.SlackFixture.DEV;
import static org.countersign.slack.SlackFixture.OPS;
import static org.countersign.slack.SlackFixture.REL1;
import static org.countersign.slack.SlackFixture.REL2;
import static org.countersign.slack.SlackFixture.SECURITY;
import static org.countersign.slack.SlackFixture.SRE1;
import static org.countersign.slack.SlackFixture.SRE2;
import static org.countersign.slack.SlackFixture.WAIT;
import static org.countersign.slack.SlackFixture.blocksText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.countersign.domain.EventType;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.countersign.slack.fake.HttpReply;
import org.countersign.slack.fake.PostedMessage;
import org.countersign.slack.fake.SlashCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Break-glass and the review afterwards, end to end through the Slack fake: the example policy (alice, U0SRE1, may
 * break the glass on availability, data-loss and security requests; SRE reviews; break-glass requests wait for their
 * review) with a PagerDuty integration pointed at a local Events API v2 fake, and reviews due one second after the
 * deploy ends.
 */
class BreakGlassSlackFlowTest {
    static final String WHY = "The API is down for every reader and nobody in Release Engineering answers the page";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<JsonNode> pages = new CopyOnWriteArrayList<>();
    private Javalin pagerDuty;
    private SlackFixture slack;

    @BeforeEach
    void start() throws Exception {
        pagerDuty = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.post("/v2/enqueue", ctx -> {
                pages.add(JSON.readTree(ctx.body()));
                ctx.status(202).json(Map.of("status", "success", "message", "Event processed"));
            });
        }).start("127.0.0.1", 0);
        var policy = dir.resolve("policy.yml");
        Files.writeString(policy, Files.readString(Path.of("infra/policy.example.yml"))
                .replace("due-after: 2d", "due-after: 1s") + """
                integrations:
                  - name: on-call
                    url: http://127.0.0.1:%d/v2/enqueue
                    format: pagerduty
                    secret-env: PD_ROUTING_KEY
                    events: [request.break_glass]
                """.formatted(pagerDuty.port()));
        slack = new SlackFixture(dir.resolve("data"), true, Map.of("POLICY_FILE", policy.toString(),
                "PD_ROUTING_KEY", "R0UTINGKEY0123456789abcdef"));
    }

    @AfterEach
    void stop() {
        if (slack != null) slack.close();
        pagerDuty.stop();
    }

    @Test
    void break_glass_is_refused_for_an_unlisted_person_a_short_reason_and_an_unlisted_reason_each_saying_why() {
        var id = slack.open(DEV, "availability", OPS);
        var abuse = slack.open(DEV, "abuse", OPS);

        var unlisted = slack.command(SRE2, "break-glass " + id + " " + WHY);
        var tooShort = slack.command(SRE1, "break-glass " + id + " it is down");
        var wrongReason = slack.command(SRE1, "break-glass " + abuse + " " + WHY);
        var noReason = slack.command(SRE1, "break-glass " + id);

        assertThat(unlisted.body()).contains("ephemeral").contains("not one of the people the policy lets break the glass");
        assertThat(tooShort.body()).contains("at least 40 characters (you wrote 10)");
        assertThat(wrongReason.body()).contains("cannot be broken for Abuse requests")
                .contains("only for Availability, Data loss or corruption, Security issue");
        assertThat(noReason.body()).contains("write why it cannot wait");
        assertThat(slack.request(id).state()).isEqualTo(State.PENDING);
        assertThat(slack.request(abuse).state()).isEqualTo(State.PENDING);
        assertThat(pages).isEmpty();
    }

    @Test
    void break_glass_approves_marks_the_card_tells_both_channels_pages_and_goes_into_the_receipt() throws Exception {
        var id = slack.open(DEV, "availability", OPS);

        var reply = slack.command(SRE1, "break-glass " + id + " " + WHY);

        assertThat(reply.body()).contains("You broke the glass on " + id);
        assertThat(slack.request(id).state()).isEqualTo(State.APPROVED);
        var card = slack.awaitCardShows(OPS, id, "Break-glass reason");
        assertThat(blocksText(card)).contains("BREAK-GLASS").contains(WHY);
        await().atMost(WAIT).until(() -> announcements(OPS, id).size() == 1 && announcements(SECURITY, id).size() == 1);
        assertThat(announcements(OPS, id).get(0).text()).contains("<@U0SRE1>").contains(WHY).contains("reviewed afterwards");
        assertThat(announcements(SECURITY, id).get(0).text()).contains(WHY);
        await().atMost(WAIT).until(() -> pages.size() == 1);
        assertThat(pages.get(0).path("event_action").asText()).isEqualTo("trigger");
        assertThat(pages.get(0).path("dedup_key").asText()).isEqualTo(id + "/break-glass");
        assertThat(pages.get(0).path("routing_key").asText()).isEqualTo("R0UTINGKEY0123456789abcdef");
        assertThat(pages.get(0).path("payload").path("summary").asText()).contains("BREAK-GLASS").contains(WHY);
        assertThat(slack.service.service().timeline(id)).extracting(e -> e.type())
                .contains(EventType.REQUEST_BREAK_GLASS, EventType.REQUEST_APPROVED);

        var glass = predicate(id).path("breakGlass");
        assertThat(glass.path("account").asText()).isEqualTo("slack:U0SRE1");
        assertThat(glass.path("person").asText()).isEqualTo("alice");
        assertThat(glass.path("reason").asText()).isEqualTo(WHY);
        assertThat(glass.path("at").asText()).isNotBlank();
    }

    @Test
    void a_confidential_break_glass_keeps_its_reason_out_of_the_ops_channel() throws Exception {
        var id = slack.open(DEV, "security", SECURITY);

        var typedInOps = slack.command(SRE1, "break-glass " + id + " " + WHY);
        var typedInSecurity = commandIn(SECURITY, SRE1, "break-glass " + id + " " + WHY);

        assertThat(typedInOps.body()).contains("is confidential").doesNotContain(WHY);
        assertThat(typedInSecurity.body()).contains("You broke the glass on " + id);
        await().atMost(WAIT).until(() -> announcements(OPS, id).size() == 1 && announcements(SECURITY, id).size() == 1);
        assertThat(announcements(OPS, id).get(0).text()).contains("BREAK-GLASS on " + id).doesNotContain(WHY)
                .doesNotContain("API returns 500s");
        assertThat(announcements(SECURITY, id).get(0).text()).contains(WHY);
        assertThat(predicate(id).path("breakGlass").has("reason")).as("the receipt anyone may fetch").isFalse();
    }

    @Test
    void the_review_is_refused_for_the_deployer_accepted_for_another_sre_and_closing_waits_for_it() {
        slack.awaitUsergroupsRead();
        var id = openWithDeployer(SRE2);
        slack.command(SRE1, "break-glass " + id + " " + WHY);
        slack.command(SRE2, "deploy " + id + " succeeded");
        assertThat(slack.request(id).state()).isEqualTo(State.DEPLOYED);

        var closeFirst = slack.command(DEV, "close " + id + " proper fix in T999");
        var byDeployer = slack.command(SRE2, "review " + id + " T999");
        var byGlassBreaker = slack.command(SRE1, "review " + id + " T999");
        var byReleng = slack.command(REL1, "review " + id + " T999");
        await().atMost(WAIT).until(() -> slack.command(SRE1, "reviews").body().contains("OVERDUE"));
        var listed = slack.command(SRE1, "reviews").body();
        var bySre = slack.command(REL2, "review " + id + " https://phabricator.example.org/T999");
        var close = slack.command(DEV, "close " + id + " proper fix in T999");

        assertThat(closeFirst.body()).contains("must be reviewed before it is closed");
        assertThat(byDeployer.body()).contains("You deployed " + id + ", so someone else in SRE must review it");
        assertThat(byGlassBreaker.body()).contains("You broke the glass on " + id);
        assertThat(byReleng.body()).contains("Only members of SRE review requests");
        assertThat(listed).contains(id.toString()).contains("OVERDUE since");
        assertThat(bySre.body()).contains("You reviewed " + id);
        assertThat(close.body()).contains("You closed " + id);
        assertThat(slack.request(id).review().followUp()).isEqualTo("https://phabricator.example.org/T999");
        assertThat(slack.command(SRE1, "reviews").body()).contains("No request awaits its review");
        slack.awaitCardShows(OPS, id, "Reviewed by");
    }

    private RequestId openWithDeployer(String deployer) {
        int before = slack.cards(OPS).size();
        var form = SlackFixture.filled(slack.openForm(DEV, ""), DEV, "availability", "API returns 500s since the deploy")
                .withSelectedUser(SlackForms.DEPLOYER_BLOCK, SlackForms.DEPLOYER_ACTION, deployer);
        var reply = slack.submit(form);
        assertThat(reply.body()).isEmpty();
        await().atMost(WAIT).until(() -> slack.cards(OPS).size() > before);
        return slack.newest();
    }

    private HttpReply commandIn(String channel, String user, String text) {
        return slack.signer.slashCommand(SlashCommand.emergency(user, channel, text).via(slack.fake)).sendTo(slack.url);
    }

    /** The top-level break-glass notices about {@code id} in a channel (not its card, not its thread). */
    private List<PostedMessage> announcements(String channel, RequestId id) {
        return slack.cards(channel).stream().filter(m -> m.text().startsWith("🚨 BREAK-GLASS on " + id + " ")).toList();
    }

    private JsonNode predicate(RequestId id) throws Exception {
        // The API is behind this run's start-up token, as for anyone.
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + slack.service.port() + "/api/requests/" + id + "/receipt"))
                .header("Authorization", "Bearer " + slack.service.startupToken().orElseThrow()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        var envelope = JSON.readTree(response.body());
        return JSON.readTree(Base64.getDecoder().decode(envelope.path("payload").asText())).path("predicate");
    }
}
