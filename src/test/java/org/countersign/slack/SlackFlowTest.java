package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.slack.SlackFixture.DEV;
import static org.countersign.slack.SlackFixture.OPS;
import static org.countersign.slack.SlackFixture.OUTSIDER;
import static org.countersign.slack.SlackFixture.REL1;
import static org.countersign.slack.SlackFixture.REL2;
import static org.countersign.slack.SlackFixture.SEC1;
import static org.countersign.slack.SlackFixture.SECURITY;
import static org.countersign.slack.SlackFixture.SRE1;
import static org.countersign.slack.SlackFixture.SRE2;
import static org.countersign.slack.SlackFixture.WAIT;
import static org.countersign.slack.SlackFixture.actionIds;
import static org.countersign.slack.SlackFixture.blocksText;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import org.countersign.domain.State;
import org.countersign.slack.fake.BlockAction;
import org.countersign.slack.fake.Failure;
import org.countersign.slack.fake.SlashCommand;
import org.countersign.slack.fake.ViewSubmission;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Slack end to end: signed requests in, Bolt, the Workflow, Redis, the events stream, cards out to the fake. */
class SlackFlowTest {
    @TempDir
    Path dataDir;

    private SlackFixture slack;

    @BeforeEach
    void start() throws Exception {
        slack = new SlackFixture(dataDir, true);
    }

    @AfterEach
    void stop() {
        slack.close();
    }

    @Test
    void the_full_flow_from_command_to_closed_updates_one_card_and_threads_every_step() {
        var form = slack.openForm(DEV, "");
        assertThat(form.callbackId()).isEqualTo(SlackForms.REQUEST_CALLBACK);
        var submitted = slack.submit(SlackFixture.filled(form, DEV, "availability", "API returns 500s since the cache deploy"));
        assertThat(submitted.status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> slack.cards(OPS).size() == 1);
        var id = slack.newest();
        var card = slack.card(OPS, id);
        assertThat(actionIds(card)).containsExactly("approve:sre", "approve:releng", "reject", "edit");
        assertThat(blocksText(card)).contains("API returns 500s since the cache deploy").contains("<@U0DEV1>");

        assertThat(slack.press(SRE1, OPS, id, "approve:sre").status()).isEqualTo(200);
        card = slack.awaitCardShows(OPS, id, "approved by <@U0SRE1>");
        assertThat(actionIds(card)).containsExactly("approve:releng", "reject", "withdraw", "edit");

        slack.press(REL1, OPS, id, "approve:releng");
        card = slack.awaitCardShows(OPS, id, "Deploy started");
        assertThat(slack.request(id).state()).isEqualTo(State.APPROVED);

        slack.press(SRE1, OPS, id, "deploy_started");
        slack.awaitCardShows(OPS, id, "Rolled back");
        slack.press(REL1, OPS, id, "deployed");
        card = slack.awaitCardShows(OPS, id, "\"close\"");

        int views = slack.fake.openedViews().size();
        slack.press(DEV, OPS, id, "close");
        await().atMost(WAIT).until(() -> slack.fake.openedViews().size() > views);
        var noteForm = slack.fake.openedViews().get(views);
        assertThat(noteForm.callbackId()).isEqualTo(SlackForms.CLOSE_CALLBACK);
        slack.submit(ViewSubmission.of(noteForm, DEV).withPlainText(SlackForms.CLOSE_NOTE_BLOCK,
                SlackForms.CLOSE_NOTE_ACTION, "Proper fix in T12346; incident report to follow"));
        await().atMost(WAIT).until(() -> slack.request(id).state() == State.CLOSED);
        card = slack.awaitCardShows(OPS, id, "Proper fix in T12346");

        assertThat(actionIds(card)).isEmpty();
        assertThat(slack.cards(OPS)).hasSize(1);
        await().atMost(WAIT).until(() -> slack.replies(OPS, slack.card(OPS, id)).size() == 6);
        assertThat(slack.replies(OPS, slack.card(OPS, id))).extracting(m -> m.text().split(" ")[0]).containsExactly(
                "✅", "✅", "🟢", "🚀", "🏁", "🔒");
        // What Slack saw, for people reading the test output.
        slack.fake.calls().forEach(c -> System.out.printf("fake slack <- %-20s %s%n", c.method(),
                c.params().entrySet().stream().filter(e -> !e.getKey().equals("blocks") && !e.getKey().equals("view"))
                        .map(e -> e.getKey() + "=" + e.getValue()).sorted().toList()));
    }

    @Test
    void the_events_api_url_verification_is_answered_with_the_challenge() {
        var reply = slack.signer.sign("application/json",
                "{\"token\":\"x\",\"challenge\":\"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P\","
                        + "\"type\":\"url_verification\"}").sendTo(slack.url);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).contains("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    }

    @Test
    void a_security_request_needs_security_too_and_its_card_goes_to_the_security_channel_only() {
        var id = slack.open(DEV, "security", SECURITY);

        var card = slack.card(SECURITY, id);
        assertThat(actionIds(card)).containsExactly("approve:sre", "approve:releng", "approve:security", "reject", "edit");
        slack.press(SRE1, SECURITY, id, "approve:sre");
        slack.press(REL1, SECURITY, id, "approve:releng");
        slack.awaitCardShows(SECURITY, id, "approved by <@U0REL1>");
        assertThat(slack.request(id).state()).isEqualTo(State.PENDING);
        slack.press(SEC1, SECURITY, id, "approve:security");
        slack.awaitCardShows(SECURITY, id, "Deploy started");

        assertThat(slack.fake.messages(OPS)).isEmpty();
    }

    @Test
    void approving_your_own_request_is_refused_ephemerally_and_changes_nothing() {
        var id = slack.open(DEV, "availability", OPS);
        int before = slack.fake.responseUrlPosts().size();

        slack.press(DEV, OPS, id, "approve:sre");

        assertThat(slack.awaitEphemeral(before)).contains("You opened " + id + ", so someone else must approve it");
        assertThat(slack.fake.responseUrlPosts().get(before).responseType()).isEqualTo("ephemeral");
        assertThat(slack.request(id).version()).isEqualTo(1);
    }

    @Test
    void someone_outside_the_team_is_refused() {
        var id = slack.open(DEV, "availability", OPS);
        int before = slack.fake.responseUrlPosts().size();

        slack.press(OUTSIDER, OPS, id, "approve:releng");

        assertThat(slack.awaitEphemeral(before)).contains("You are not a member of Release Engineering");
        assertThat(slack.request(id).approvals()).isEmpty();
    }

    @Test
    void a_user_group_member_approves_and_cannot_take_a_second_team_slot() {
        var id = slack.open(DEV, "availability", OPS);
        slack.awaitUsergroupsRead();
        slack.press(REL2, OPS, id, "approve:sre"); // REL2 is in SRE through the S0SRE user group
        slack.awaitCardShows(OPS, id, "approved by <@U0REL2>");
        int before = slack.fake.responseUrlPosts().size();

        slack.press(REL2, OPS, id, "approve:releng");

        assertThat(slack.awaitEphemeral(before)).contains("one person fills one team slot");
        assertThat(slack.request(id).approvals()).hasSize(1);
    }

    @Test
    void approving_after_a_rejection_is_refused_with_the_rejection_reason() {
        var id = slack.open(DEV, "availability", OPS);
        var cardBeforeRejection = slack.card(OPS, id);
        int views = slack.fake.openedViews().size();
        slack.press(SRE2, OPS, id, "reject");
        await().atMost(WAIT).until(() -> slack.fake.openedViews().size() > views);
        slack.submit(ViewSubmission.of(slack.fake.openedViews().get(views), SRE2).withPlainText(
                SlackForms.REJECT_REASON_BLOCK, SlackForms.REJECT_REASON_ACTION, "Roll back instead"));
        slack.awaitCardShows(OPS, id, "Roll back instead");
        int before = slack.fake.responseUrlPosts().size();

        // Someone presses Approve on a copy of the card that has not refreshed yet.
        var stale = BlockAction.press(cardBeforeRejection, "approve:releng", REL1).via(slack.fake);
        slack.signer.blockAction(stale).sendTo(slack.url);

        assertThat(slack.awaitEphemeral(before)).contains("was rejected by bob: Roll back instead");
        assertThat(slack.request(id).state()).isEqualTo(State.REJECTED);
        assertThat(slack.request(id).approvals()).isEmpty();
    }

    @Test
    void a_double_click_records_one_approval_and_one_card_update() throws Exception {
        var id = slack.open(DEV, "availability", OPS);
        int updatesBefore = slack.fake.calls("chat.update").size();
        int ephemeralsBefore = slack.fake.responseUrlPosts().size();

        var first = CompletableFuture.supplyAsync(() -> slack.press(SRE1, OPS, id, "approve:sre"));
        var second = CompletableFuture.supplyAsync(() -> slack.press(SRE1, OPS, id, "approve:sre"));
        assertThat(first.get().status()).isEqualTo(200);
        assertThat(second.get().status()).isEqualTo(200);

        slack.awaitCardShows(OPS, id, "approved by <@U0SRE1>");
        assertThat(slack.awaitEphemeral(ephemeralsBefore)).contains("You already approved " + id + " for SRE");
        Thread.sleep(500); // give a wrong second update the time to show up
        assertThat(slack.request(id).approvals()).hasSize(1);
        assertThat(slack.fake.calls("chat.update").size() - updatesBefore).isEqualTo(1);
    }

    @Test
    void the_card_path_asks_slack_for_answers_uncompressed() {
        var id = slack.open(DEV, "availability", OPS);
        slack.press(SRE1, OPS, id, "approve:sre");
        slack.awaitCardShows(OPS, id, "approved by <@U0SRE1>");

        var calls = new ArrayList<>(slack.fake.calls("chat.postMessage"));
        calls.addAll(slack.fake.calls("chat.update"));
        assertThat(calls).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(call -> assertThat(call.header("Accept-Encoding")).isEqualTo("identity"));
    }

    @Test
    void a_card_update_that_slack_rate_limits_is_retried_and_arrives() {
        var id = slack.open(DEV, "availability", OPS);
        slack.fake.failNext("chat.update", 2, Failure.rateLimited(1));

        slack.press(SRE1, OPS, id, "approve:sre");

        slack.awaitCardShows(OPS, id, "approved by <@U0SRE1>");
        assertThat(slack.fake.calls("chat.update")).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void a_card_update_while_slack_is_down_is_retried_and_arrives() {
        var id = slack.open(DEV, "availability", OPS);
        slack.fake.failNext("chat.update", 2, Failure.down());

        slack.press(SRE1, OPS, id, "approve:sre");

        await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> blocksText(slack.card(OPS, id)).contains("approved by <@U0SRE1>"));
    }

    @Test
    void the_ack_comes_before_the_card_so_approvals_answer_even_when_slack_is_slow_to_update() {
        var id = slack.open(DEV, "availability", OPS);
        slack.fake.failNext("chat.update", 1, Failure.rateLimited(2));

        long start = System.nanoTime();
        var reply = slack.press(SRE1, OPS, id, "approve:sre");
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(reply.status()).isEqualTo(200);
        assertThat(slack.request(id).approvals()).hasSize(1); // recorded before the ack
        assertThat(millis).as("ack while Slack makes the update wait 2 s").isLessThan(2_000);
    }

    @Test
    void list_status_and_help_answer_ephemerally_in_the_ack() {
        var id = slack.open(DEV, "availability", OPS);

        var list = slack.command(SRE1, "list");
        var status = slack.command(SRE1, "status " + id);
        var help = slack.command(SRE1, "help");

        assertThat(list.body()).contains("\"response_type\":\"ephemeral\"").contains(id.toString());
        assertThat(status.body()).contains(id.toString()).contains("pending");
        assertThat(help.body()).contains("Rollback first, fix later");
    }

    @Test
    void status_of_a_confidential_request_never_shows_its_summary() {
        var id = slack.open(DEV, "security", SECURITY);

        var status = slack.command(SRE1, "status " + id);
        var list = slack.command(SRE1, "list");

        assertThat(status.body()).contains(id.toString()).doesNotContain("API returns 500s");
        assertThat(list.body()).doesNotContain("API returns 500s");
    }

    @Test
    void cancel_by_the_requester_works_and_by_others_is_refused() {
        var id = slack.open(DEV, "availability", OPS);

        var refused = slack.command(OUTSIDER, "cancel " + id);
        var cancelled = slack.command(DEV, "cancel " + id);

        assertThat(refused.body()).contains("Only the requester");
        assertThat(cancelled.body()).contains("You cancelled " + id);
        slack.awaitCardShows(OPS, id, "Cancelled");
    }

    @Test
    void command_text_prefills_the_form_with_the_reason_and_summary() {
        var form = slack.openForm(DEV, "abuse scraper ignores 429");

        assertThat(form.view().toString()).contains("\"initial_value\":\"scraper ignores 429\"").contains("abuse");
    }

    @Test
    void an_invalid_form_gets_its_errors_on_the_fields_and_nothing_is_stored() {
        var form = slack.openForm(DEV, "");
        var submission = SlackFixture.filled(form, DEV, "availability", "x".repeat(201))
                .withSelectedOption(SlackForms.ROLLBACK_BLOCK, SlackForms.ROLLBACK_ACTION, SlackForms.NO);

        var reply = slack.submit(submission);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).contains("\"response_action\":\"errors\"").contains("\"summary\"")
                .contains("\"why_not_rollback\"").contains("Rollback first, fix later");
        assertThat(slack.service.service().recent(java.util.Set.of(), 10)).isEmpty();
    }

    @Test
    void a_replayed_submission_opens_one_request() {
        var form = slack.openForm(DEV, "");
        var request = slack.signer.viewSubmission(
                SlackFixture.filled(form, DEV, "availability", "Replay me").via(slack.fake));

        var first = request.sendTo(slack.url);
        var replay = request.sendTo(slack.url);

        assertThat(first.status()).isEqualTo(200);
        assertThat(replay.status()).isEqualTo(200);
        assertThat(slack.service.service().recent(java.util.Set.of(), 10)).hasSize(1);
    }

    @Test
    void bad_signatures_old_timestamps_and_missing_headers_are_401() throws Exception {
        var good = slack.signer.slashCommand(org.countersign.slack.fake.SlashCommand.emergency(SRE1, OPS, "list")
                .via(slack.fake));
        var tenMinutesAgo = String.valueOf(java.time.Instant.now().minusSeconds(600).getEpochSecond());

        assertThat(good.withSignature("v0=" + "0".repeat(64)).sendTo(slack.url).status()).isEqualTo(401);
        assertThat(good.withBody(good.body().replace("U0SRE1", "U0SEC1")).sendTo(slack.url).status()).isEqualTo(401);
        assertThat(slack.signer.signAt(java.time.Instant.now().minusSeconds(600), good.contentType(), good.body())
                .sendTo(slack.url).status()).isEqualTo(401);
        assertThat(slack.signer.signAt(java.time.Instant.now().plusSeconds(600), good.contentType(), good.body())
                .sendTo(slack.url).status()).as("from the future").isEqualTo(401);
        var unsigned = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(slack.url)).header("Content-Type", good.contentType())
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(good.body())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(unsigned.body()).contains("Missing Slack signature");
        assertThat(tenMinutesAgo).isNotEmpty();
    }

    @Test
    void a_body_over_128_kB_is_413_with_a_message_signed_or_not_and_opens_nothing() throws Exception {
        var big = "payload=" + "a".repeat(SlackEndpoint.MAX_BODY);
        var signed = slack.signer.sign("application/x-www-form-urlencoded", big).sendTo(slack.url);
        var unsigned = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(slack.url)).header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(big)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(signed.status()).isEqualTo(413);
        assertThat(signed.body()).contains("\"error\"").contains("larger than 128 kB");
        assertThat(unsigned.statusCode()).as("refused before the signature is looked at").isEqualTo(413);
        assertThat(slack.service.service().recent(java.util.Set.of(), 1)).isEmpty();
        var justUnder = "payload=" + "a".repeat(SlackEndpoint.MAX_BODY - "payload=".length());
        assertThat(slack.signer.sign("application/x-www-form-urlencoded", justUnder).sendTo(slack.url).status())
                .as("128 kB itself is read (and refused as unreadable)").isEqualTo(400);
    }

    @Test
    void a_malformed_payload_is_400_with_a_message() {
        var reply = slack.signer.sign("application/x-www-form-urlencoded", "payload=%7Bnot+json").sendTo(slack.url);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body()).contains("could not be read");
    }

    @Test
    void a_slash_command_without_a_person_is_400_with_a_message_and_changes_nothing() {
        var id = slack.open(DEV, "availability", OPS);
        var body = slack.signer.slashCommand(SlashCommand.emergency(SRE1, OPS, "approve " + id + " --team sre")
                .via(slack.fake)).body().replace("user_id=" + SRE1, "user_id=");

        var reply = slack.signer.sign("application/x-www-form-urlencoded", body).sendTo(slack.url);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body()).contains("\"error\"").contains("lacks its user_id");
        assertThat(slack.request(id).approvals()).isEmpty();
    }

    @Test
    void a_list_is_answered_in_the_ack_as_slacks_own_type_reads_it() {
        var id = slack.open(DEV, "availability", OPS);

        var reply = slack.command(REL1, "list");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        var answer = com.slack.api.util.json.GsonFactory.createSnakeCase()
                .fromJson(reply.body(), com.slack.api.app_backend.slash_commands.response.SlashCommandResponse.class);
        assertThat(answer.getResponseType()).isEqualTo("ephemeral");
        assertThat(answer.getText()).startsWith("Open emergency requests:").contains(id + " · Availability · pending");
    }

    @Test
    void another_slash_command_is_left_to_bolt_which_has_no_listener_for_it() {
        var other = new SlashCommand(slack.fake.teamId(), OPS, DEV, "dev", "/deploy", "list", slack.fake.newResponseUrl(),
                slack.fake.newTriggerId());

        var reply = slack.signer.slashCommand(other).sendTo(slack.url);

        assertThat(reply.status()).isEqualTo(404);
        assertThat(slack.fake.responseUrlPosts()).isEmpty();
    }

    @Test
    void an_unknown_button_is_answered_without_a_5xx() {
        var id = slack.open(DEV, "availability", OPS);
        int before = slack.fake.responseUrlPosts().size();
        var press = BlockAction.press(slack.card(OPS, id), "approve:sre", SRE1)
                .via(slack.fake);
        var body = slack.signer.blockAction(press).body().replace("approve%3Asre", "launch_rockets");

        var reply = slack.signer.sign("application/x-www-form-urlencoded", body).sendTo(slack.url);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(slack.awaitEphemeral(before)).contains("not one Countersign knows");
        assertThat(slack.request(id).approvals()).isEmpty();
    }

    @Test
    void a_forged_button_value_cannot_approve_for_a_team_the_presser_is_not_in() {
        var id = slack.open(DEV, "availability", OPS);
        int before = slack.fake.responseUrlPosts().size();
        var forged = BlockAction.press(slack.card(OPS, id), "approve:sre", REL1)
                .withValue(id + "|sre").via(slack.fake);

        slack.signer.blockAction(forged).sendTo(slack.url);

        assertThat(slack.awaitEphemeral(before)).contains("not a member of SRE");
        assertThat(slack.request(id).approvals()).isEmpty();
    }

    @Test
    void ack_latency_of_200_commands_is_measured() {
        var latencies = new ArrayList<Long>();
        for (int i = 0; i < 200; i++) {
            long start = System.nanoTime();
            var reply = slack.command(SRE1, i % 2 == 0 ? "list" : "help");
            latencies.add((System.nanoTime() - start) / 1_000);
            assertThat(reply.status()).isEqualTo(200);
        }
        latencies.sort(Long::compare);
        System.out.printf("slash command ack latency over 200: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                latencies.get(99) / 1000.0, latencies.get(197) / 1000.0, latencies.get(199) / 1000.0);
    }

    @Test
    void commands_typed_outside_the_security_channel_never_answer_with_a_confidential_rejection_reason() {
        var id = slack.open(DEV, "security", SECURITY);
        slack.service.service().reject(id, org.countersign.domain.Actor.slack(SEC1),
                "SECRET-REASON the token check is still bypassable");

        var approve = slack.command(OUTSIDER, "approve " + id);
        var cancel = slack.command(SRE1, "cancel " + id);
        var status = slack.command(SRE1, "status " + id);
        var reject = slack.command(SEC1, "reject " + id + " SECRET-REASON again");

        assertThat(approve.body()).contains("Nothing was recorded. " + id + " is confidential")
                .contains("only in the private security channel");
        assertThat(cancel.body()).contains(id + " is confidential");
        assertThat(status.body()).contains(id.toString()).contains("rejected");
        assertThat(reject.body()).contains(id + " is confidential: say that in the security channel, not here");
        for (var reply : java.util.List.of(approve, cancel, status, reject))
            assertThat(reply.body()).doesNotContain("SECRET-REASON").doesNotContain("API returns 500s");
    }

    @Test
    void in_the_security_channel_the_same_command_says_why() {
        var id = slack.open(DEV, "security", SECURITY);
        slack.service.service().reject(id, org.countersign.domain.Actor.slack(SEC1), "the token check is still bypassable");

        var approve = slack.signer.slashCommand(org.countersign.slack.fake.SlashCommand.emergency(SRE1, SECURITY,
                "approve " + id + " sre").via(slack.fake)).sendTo(slack.url);

        assertThat(approve.body()).contains("was rejected by erin: the token check is still bypassable");
    }

    @Test
    void every_verb_of_the_conversation_works_from_the_slash_command() {
        var id = slack.open(DEV, "availability", OPS);

        assertThat(slack.command(SRE1, "approve " + id + " sre").body()).contains("You approved " + id + " for SRE");
        assertThat(slack.command(REL1, "approve " + id).body()).contains("every team has signed");
        assertThat(slack.command(SRE1, "deploy " + id + " started").body()).contains("has started");
        assertThat(slack.command(SRE1, "deploy " + id + " succeeded").body()).contains("deployed");
        assertThat(slack.command(DEV, "close " + id + " proper fix in T1").body()).contains("You closed " + id);
        assertThat(slack.request(id).state()).isEqualTo(org.countersign.domain.State.CLOSED);
        assertThat(slack.command(DEV, "approve").body()).contains("Usage: /emergency approve EMG-n [team]");
    }
}
