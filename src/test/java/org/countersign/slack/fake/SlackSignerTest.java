package org.countersign.slack.fake;

import static com.slack.api.model.block.Blocks.actions;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.button;
import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import com.slack.api.app_backend.SlackSignature;
import com.slack.api.app_backend.interactive_components.payload.BlockActionPayload;
import com.slack.api.app_backend.slash_commands.payload.SlashCommandPayload;
import com.slack.api.app_backend.views.payload.ViewSubmissionPayload;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.util.SlackRequestParser;
import io.javalin.Javalin;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SlackSigner signs as Slack does: Bolt's own verifier and a real Bolt App accept what it sends. */
class SlackSignerTest {

  private static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
  private static final String TOKEN = "xoxb-countersign-test";
  private static final String CHANNEL = "C0EMERG";

  private final SlackSigner signer = new SlackSigner(SECRET);
  private final SlackSignature.Verifier verifier =
      new SlackSignature.Verifier(new SlackSignature.Generator(SECRET));

  private FakeSlack slack;
  private Slack client;
  private Javalin boltServer;
  private final List<SlashCommandPayload> commands = new CopyOnWriteArrayList<>();
  private final List<BlockActionPayload> presses = new CopyOnWriteArrayList<>();
  private final List<ViewSubmissionPayload> submissions = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    slack = new FakeSlack(TOKEN).withChannel(CHANNEL, "emergencies");
    client = Slack.getInstance(slack.slackConfig());
    App bolt =
        new App(AppConfig.builder().signingSecret(SECRET).singleTeamBotToken(TOKEN).slack(client).build());
    bolt.command("/emergency", (req, ctx) -> {
      commands.add(req.getPayload());
      return ctx.ack("Request received");
    });
    bolt.blockAction("approve", (req, ctx) -> {
      presses.add(req.getPayload());
      return ctx.ack();
    });
    bolt.viewSubmission("emergency_request", (req, ctx) -> {
      submissions.add(req.getPayload());
      return ctx.ack();
    });
    boltServer = serve(bolt);
  }

  @AfterEach
  void stop() throws Exception {
    boltServer.stop();
    client.close();
    slack.close();
  }

  @Test
  void the_signature_is_the_one_bolts_generator_makes() {
    String body = "token=x&command=%2Femergency&text=deploy+payments";

    assertThat(signer.signature("1712345678", body))
        .isEqualTo(new SlackSignature.Generator(SECRET).generate("1712345678", body))
        .matches("v0=[0-9a-f]{64}");
  }

  @Test
  void a_signed_slash_command_passes_bolts_verifier() {
    SignedRequest request = signer.slashCommand(SlashCommand.emergency("U0DEV1", CHANNEL, "payments v1.2.3"));

    assertThat(verifier.isValid(request.timestamp(), request.body(), request.signature())).isTrue();
  }

  @Test
  void a_request_signed_six_minutes_ago_fails_bolts_verifier() {
    SignedRequest stale =
        signer.signAt(Instant.now().minus(Duration.ofMinutes(6)), SlackSigner.FORM, "command=%2Femergency");

    assertThat(verifier.isValid(stale.timestamp(), stale.body(), stale.signature())).isFalse();
  }

  @Test
  void a_tampered_body_or_moved_timestamp_fails_bolts_verifier() {
    SignedRequest request = signer.sign(SlackSigner.FORM, "command=%2Femergency&text=payments");
    SignedRequest tampered = request.withBody("command=%2Femergency&text=everything");
    SignedRequest moved = request.withTimestamp(String.valueOf(Long.parseLong(request.timestamp()) - 1));

    assertThat(verifier.isValid(tampered.timestamp(), tampered.body(), tampered.signature())).isFalse();
    assertThat(verifier.isValid(moved.timestamp(), moved.body(), moved.signature())).isFalse();
  }

  @Test
  void bolt_runs_the_command_handler_for_a_signed_slash_command() {
    SlashCommand command = SlashCommand.emergency("U0DEV1", CHANNEL, "payments v1.2.3").via(slack);

    HttpReply reply = signer.slashCommand(command).sendTo(boltUrl());

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).contains("Request received");
    assertThat(commands).singleElement().satisfies(p -> {
      assertThat(p.getCommand()).isEqualTo("/emergency");
      assertThat(p.getText()).isEqualTo("payments v1.2.3");
      assertThat(p.getUserId()).isEqualTo("U0DEV1");
      assertThat(p.getChannelId()).isEqualTo(CHANNEL);
      assertThat(p.getTeamId()).isEqualTo(slack.teamId());
      assertThat(p.getResponseUrl()).isEqualTo(command.responseUrl());
      assertThat(p.getTriggerId()).isEqualTo(command.triggerId());
    });
  }

  @Test
  void bolt_refuses_a_bad_signature_with_401_and_runs_nothing() {
    SignedRequest forged =
        signer.slashCommand(SlashCommand.emergency("U0DEV1", CHANNEL, "x")).withSignature("v0=" + "0".repeat(64));

    HttpReply reply = forged.sendTo(boltUrl());

    assertThat(reply.status()).isEqualTo(401);
    assertThat(commands).isEmpty();
  }

  @Test
  void bolt_refuses_a_correctly_signed_but_stale_request() {
    String body = SlashCommand.emergency("U0DEV1", CHANNEL, "x").formBody();
    SignedRequest replayed = signer.signAt(Instant.now().minus(Duration.ofMinutes(10)), SlackSigner.FORM, body);

    assertThat(replayed.sendTo(boltUrl()).status()).isEqualTo(401);
    assertThat(commands).isEmpty();
  }

  @Test
  void bolt_reads_a_button_press_on_a_posted_card() throws Exception {
    var posted =
        client.methods(TOKEN).chatPostMessage(r -> r.channel(CHANNEL).text("Emergency deploy").blocks(List.of(
            section(s -> s.text(markdownText("*payments* v1.2.3"))),
            actions(a -> a.blockId("decision").elements(List.of(
                button(b -> b.actionId("approve").value("req-1|sre").text(plainText("Approve")))))))));
    PostedMessage card = slack.message(CHANNEL, posted.getTs());
    BlockAction press = BlockAction.press(card, "approve", "U0SRE2").via(slack);

    HttpReply reply = signer.blockAction(press).sendTo(boltUrl());

    assertThat(reply.status()).isEqualTo(200);
    assertThat(presses).singleElement().satisfies(p -> {
      assertThat(p.getUser().getId()).isEqualTo("U0SRE2");
      assertThat(p.getActions()).singleElement().satisfies(a -> {
        assertThat(a.getActionId()).isEqualTo("approve");
        assertThat(a.getBlockId()).isEqualTo("decision");
        assertThat(a.getValue()).isEqualTo("req-1|sre");
      });
      assertThat(p.getContainer().getMessageTs()).isEqualTo(posted.getTs());
      assertThat(p.getChannel().getId()).isEqualTo(CHANNEL);
      assertThat(p.getMessage().getTs()).isEqualTo(posted.getTs());
      assertThat(p.getResponseUrl()).isEqualTo(press.responseUrl());
      assertThat(p.getTriggerId()).isEqualTo(press.triggerId());
      assertThat(p.getTeam().getId()).isEqualTo(slack.teamId());
    });
  }

  @Test
  void bolt_reads_the_state_of_a_submitted_modal() throws Exception {
    String trigger = slack.newTriggerId();
    client.methods(TOKEN).viewsOpen(r -> r.triggerId(trigger).viewAsString("""
        {"type":"modal","callback_id":"emergency_request","private_metadata":"req-1",
         "title":{"type":"plain_text","text":"Emergency deploy"},"submit":{"type":"plain_text","text":"Go"},
         "blocks":[{"type":"input","block_id":"reason","label":{"type":"plain_text","text":"Why"},
                    "element":{"type":"plain_text_input","action_id":"reason_input"}}]}"""));
    ViewSubmission submission =
        ViewSubmission.of(slack.openedViews().get(0), "U0DEV1")
            .withPlainText("reason", "reason_input", "card payments down")
            .withSelectedOption("service", "service_select", "payments")
            .withSelectedUser("buddy", "buddy_select", "U0SRE2");

    HttpReply reply = signer.viewSubmission(submission).sendTo(boltUrl());

    assertThat(reply.status()).isEqualTo(200);
    assertThat(submissions).singleElement().satisfies(p -> {
      var view = p.getView();
      assertThat(view.getId()).isEqualTo(slack.openedViews().get(0).id());
      assertThat(view.getCallbackId()).isEqualTo("emergency_request");
      assertThat(view.getPrivateMetadata()).isEqualTo("req-1");
      var values = view.getState().getValues();
      assertThat(values.get("reason").get("reason_input").getValue()).isEqualTo("card payments down");
      assertThat(values.get("service").get("service_select").getSelectedOption().getValue()).isEqualTo("payments");
      assertThat(values.get("buddy").get("buddy_select").getSelectedUser()).isEqualTo("U0SRE2");
      assertThat(p.getUser().getId()).isEqualTo("U0DEV1");
    });
  }

  @Test
  void bolt_checks_its_bot_token_against_the_fake() {
    signer.slashCommand(SlashCommand.emergency("U0DEV1", CHANNEL, "x").via(slack)).sendTo(boltUrl());

    assertThat(slack.calls("auth.test")).isNotEmpty();
  }

  private String boltUrl() {
    return "http://127.0.0.1:" + boltServer.port() + "/slack/events";
  }

  // The few lines an adapter needs to put a Bolt App behind Javalin, as production will.
  private static Javalin serve(App bolt) {
    SlackRequestParser parser = new SlackRequestParser(bolt.config());
    return Javalin.create(cfg -> {
          cfg.startup.showJavalinBanner = false;
          cfg.routes.post("/slack/events", ctx -> {
            Map<String, List<String>> headers = new HashMap<>();
            ctx.headerMap().forEach((name, value) -> headers.put(name, List.of(value)));
            SlackRequestParser.HttpRequest request =
                SlackRequestParser.HttpRequest.builder()
                    .requestUri(ctx.path())
                    .queryString(Map.of())
                    .headers(new RequestHeaders(headers))
                    .requestBody(ctx.body())
                    .remoteAddress(ctx.ip())
                    .build();
            Response response = bolt.run(parser.parse(request));
            ctx.status(response.getStatusCode());
            if (response.getContentType() != null) {
              ctx.contentType(response.getContentType());
            }
            ctx.result(response.getBody() == null ? "" : response.getBody());
          });
        })
        .start("127.0.0.1", 0);
  }
}
