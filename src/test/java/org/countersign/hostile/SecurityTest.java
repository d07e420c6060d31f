package org.countersign.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.hostile.HostileService.DEV;
import static org.countersign.hostile.HostileService.FORM;
import static org.countersign.hostile.HostileService.OPS;
import static org.countersign.hostile.HostileService.OUTSIDER;
import static org.countersign.hostile.HostileService.SECURITY;
import static org.countersign.hostile.HostileService.SRE1;
import static org.countersign.hostile.HostileService.WAIT;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.countersign.domain.State;
import org.countersign.slack.fake.BlockAction;
import org.countersign.slack.fake.HttpReply;
import org.countersign.slack.fake.SlashCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an attacker on the network or in the workspace tries: replaying a signed submission, changing the user in a
 * signed body, replaying an old request; and where a confidential request must never show up.
 */
class SecurityTest {
    @TempDir
    Path dataDir;

    private HostileService countersign;
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (countersign != null) countersign.close();
        for (var s : started) s.close();
    }

    @Test
    void a_replayed_view_submission_opens_one_request_however_often_and_however_fast_it_comes() throws Exception {
        countersign = new HostileService(dataDir);
        var form = countersign.openForm(DEV);
        var signed = countersign.signer.viewSubmission(HostileService.filled(form, DEV, "availability",
                "API returns 500s since the cache deploy").via(countersign.slack));

        var replies = new ArrayList<HttpReply>();
        for (int i = 0; i < 5; i++) replies.add(signed.sendTo(countersign.slackUrl()));
        var concurrent = new ArrayList<CompletableFuture<HttpReply>>();
        for (int i = 0; i < 5; i++) concurrent.add(CompletableFuture.supplyAsync(() -> signed.sendTo(countersign.slackUrl())));
        for (var f : concurrent) replies.add(f.get());

        assertThat(replies).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
        await().atMost(WAIT).until(() -> countersign.cards(OPS).size() == 1);
        Thread.sleep(500); // time for a wrong second card to show up
        assertThat(countersign.requestCount()).isEqualTo(1);
        assertThat(countersign.cards(OPS)).hasSize(1);
    }

    @Test
    void a_signed_press_with_its_user_changed_to_an_approver_is_refused_with_401_and_changes_nothing() throws Exception {
        countersign = new HostileService(dataDir);
        var id = countersign.open(DEV, "availability", "API returns 500s", OPS);
        var press = BlockAction.press(countersign.card(OPS, id), "approve:sre", OUTSIDER).via(countersign.slack);
        var signed = countersign.signer.blockAction(press);

        var forged = signed.withBody(signed.body().replace(OUTSIDER, SRE1)).sendTo(countersign.slackUrl());
        var forgedCommand = countersign.signer.slashCommand(SlashCommand.emergency(OUTSIDER, OPS, "cancel " + id)
                .via(countersign.slack));
        var forgedCancel = forgedCommand.withBody(forgedCommand.body().replace(OUTSIDER, DEV)).sendTo(countersign.slackUrl());

        assertThat(forged.status()).isEqualTo(401);
        assertThat(forgedCancel.status()).isEqualTo(401);
        assertThat(countersign.service.service().find(id).orElseThrow().approvals()).isEmpty();
        assertThat(countersign.service.service().find(id).orElseThrow().state()).isEqualTo(State.PENDING);
    }

    @Test
    void a_correctly_signed_press_six_minutes_old_is_refused_with_401_and_changes_nothing() throws Exception {
        countersign = new HostileService(dataDir);
        var id = countersign.open(DEV, "availability", "API returns 500s", OPS);
        var body = countersign.signer.blockAction(BlockAction.press(countersign.card(OPS, id), "approve:sre", SRE1)
                .via(countersign.slack)).body();

        var stale = countersign.signer.signAt(Instant.now().minus(Duration.ofMinutes(6)), FORM, body)
                .sendTo(countersign.slackUrl());
        var staleReport = Wire.post(countersign.base, "/webhooks/deploy", webhookSignedAt(
                Instant.now().minus(Duration.ofMinutes(6)), "{\"request\":\"" + id + "\",\"status\":\"started\"}"),
                HostileInputFuzzTest.utf8("{\"request\":\"" + id + "\",\"status\":\"started\"}"));

        assertThat(stale.status()).isEqualTo(401);
        assertThat(staleReport.status()).isEqualTo(401);
        assertThat(countersign.service.service().find(id).orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void a_confidential_request_shows_nowhere_public_not_in_the_ops_channel_the_api_or_a_non_confidential_webhook()
            throws Exception {
        var publicLog = closeLater(new Receiver());
        var securityLog = closeLater(new Receiver());
        var policy = dataDir.resolve("policy.yml");
        Files.writeString(policy, Files.readString(Path.of("infra/policy.example.yml")) + "\nintegrations:\n"
                + "  - { name: public-log, url: \"" + publicLog.url("/hook") + "\", format: slack-incoming }\n"
                + "  - { name: security-log, url: \"" + securityLog.url("/hook") + "\", format: slack-incoming, "
                + "confidential: true }\n");
        countersign = new HostileService(dataDir, Map.of("POLICY_FILE", policy.toString()));

        var open = countersign.open(DEV, "availability", "PUBLIC-SUMMARY the API is down", OPS);
        var secret = countersign.open(DEV, "security", "SECRET-VULN token forgery in login", SECURITY);
        pressIn(SECURITY, secret, "approve:sre", SRE1);
        await().atMost(WAIT).until(() -> securityLog.bodies().contains("SECRET-VULN")
                && publicLog.bodies().contains("PUBLIC-SUMMARY")
                && publicLog.bodies().contains(secret + " approval for SRE"));
        var list = countersign.command(SRE1, "list").body();
        var status = countersign.command(SRE1, "status " + secret).body();
        var api = Wire.send(countersign.base, "GET", "/api/requests", countersign.authorization(), null).body();
        var one = Wire.send(countersign.base, "GET", "/api/requests/" + secret, countersign.authorization(), null).body();

        assertThat(publicLog.bodies()).contains(secret.toString()).doesNotContain("SECRET-VULN");
        assertThat(countersign.slack.messages(OPS)).allSatisfy(m ->
                assertThat(m.text() + m.blocks()).doesNotContain("SECRET-VULN").doesNotContain(secret.toString()));
        assertThat(countersign.slack.calls()).allSatisfy(call -> {
            if (!SECURITY.equals(call.params().get("channel")))
                assertThat(call.params().toString()).as("a Slack call outside the security channel").doesNotContain("SECRET-VULN");
        });
        assertThat(list + status).contains(secret.toString()).doesNotContain("SECRET-VULN");
        assertThat(api).contains("PUBLIC-SUMMARY").doesNotContain("SECRET-VULN");
        assertThat(one).contains("\"redacted\":true").doesNotContain("SECRET-VULN").doesNotContain("gerrit.example.org");
        assertThat(open).isNotEqualTo(secret);
    }

    private void pressIn(String channel, org.countersign.domain.RequestId id, String action, String user) {
        var reply = countersign.signer.blockAction(BlockAction.press(countersign.card(channel, id), action, user)
                .via(countersign.slack)).sendTo(countersign.slackUrl());
        assertThat(reply.status()).isEqualTo(200);
    }

    private static Map<String, String> webhookSignedAt(Instant at, String body) {
        var timestamp = String.valueOf(at.getEpochSecond());
        return Map.of("Content-Type", "application/json", "Countersign-Delivery", "stale-1",
                "Countersign-Timestamp", timestamp, "Countersign-Signature", "v1=" + HostileInputFuzzTest.hmac(
                        HostileService.INBOUND_SECRET, HostileInputFuzzTest.utf8(timestamp + "." + body)));
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        started.add(resource);
        return resource;
    }
}
