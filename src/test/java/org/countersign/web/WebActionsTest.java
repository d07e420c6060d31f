package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.web.OidcFixture.email;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What signed-in people and named API tokens do: they act as {@code web:<person>} and {@code api:<name>} through the
 * same rules and timeline as a Slack click; sessions end at sign-out and can be revoked; the dashboard token reads.
 */
class WebActionsTest {
    @TempDir
    static java.nio.file.Path dir;
    static OidcFixture web;

    @BeforeAll
    static void start() throws Exception {
        web = new OidcFixture(dir, Map.of());
    }

    @AfterAll
    static void stop() {
        web.close();
    }

    private static OidcFixture.Browser signedIn(String address) throws Exception {
        var browser = web.browser();
        var back = browser.signIn("sub-" + address, email(address, true), "/");
        assertThat(back.statusCode()).as(back.body()).isEqualTo(303);
        return browser;
    }

    /** Opens a request from the console page, as the person signed in there. */
    private static String open(OidcFixture.Browser browser, String pickedAs) throws Exception {
        var form = new HashMap<String, Object>();
        form.put("as", pickedAs);
        form.put("reason", "availability");
        form.put("summary", "Revert the cache change");
        form.put("changes", "https://gerrit.example.org/r/c/operations/+/123456");
        form.put("rollback", "yes");
        var response = browser.postJson("/console/requests", form, ConsoleGuard.CSRF_HEADER, browser.csrf());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return json(response).path("request").asText();
    }

    private static HttpResponse<String> act(OidcFixture.Browser browser, String id, Map<String, ?> body,
                                            String... headers) throws Exception {
        return browser.postJson("/api/requests/" + id + "/actions", body, headers);
    }

    private static JsonNode request(String id) throws Exception {
        var response = web.browser().get("/api/requests/" + id, "Authorization", "Bearer " + OidcFixture.DASHBOARD_TOKEN);
        assertThat(response.statusCode()).isEqualTo(200);
        return json(response);
    }

    private static List<String> actors(JsonNode request) {
        var actors = new java.util.ArrayList<String>();
        request.path("timeline").forEach(e -> actors.add(e.path("type").asText() + " " + e.path("actor").asText()));
        return actors;
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return OidcFixture.JSON.readTree(response.body());
    }

    @Test
    void signed_in_people_open_and_approve_as_themselves_and_the_requester_cannot_approve() throws Exception {
        var alice = signedIn("alice@example.org");
        var id = open(alice, "carol"); // the console's picker is ignored: alice is signed in
        var own = act(alice, id, Map.of("action", "approve", "team", "sre"));
        assertThat(own.statusCode()).isEqualTo(403);
        assertThat(json(own).path("error").asText()).contains("You opened " + id);

        var carol = signedIn("carol@example.org"); // the policy spells her address Carol@Example.org
        var approved = act(carol, id, Map.of("action", "approve", "team", "releng"));
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        assertThat(json(approved).path("outcome").asText()).isEqualTo("applied");

        var bob = web.browser();
        assertThat(bob.signIn("sub-bob-7", Map.of(), "/").statusCode()).isEqualTo(303);
        assertThat(act(bob, id, Map.of("action", "approve", "team", "sre")).statusCode()).isEqualTo(200);

        var request = request(id);
        assertThat(request.path("state").asText()).isEqualTo("APPROVED");
        assertThat(actors(request)).contains("request.opened web:alice", "approval.added web:carol",
                "approval.added web:bob");
    }

    @Test
    void the_requester_edits_the_changes_which_clears_the_approvals_and_nobody_else_may() throws Exception {
        var alice = signedIn("alice@example.org");
        var id = open(alice, "alice");
        var carol = signedIn("carol@example.org");
        act(carol, id, Map.of("action", "approve", "team", "releng"));

        var notHers = act(carol, id, Map.of("action", "edit", "changes", List.of("123457")));
        var none = act(alice, id, Map.of("action", "edit"));
        var notAList = act(alice, id, Map.of("action", "edit", "changes", 123457));
        var notAChange = act(alice, id, Map.of("action", "edit", "changes", List.of("fix the cache")));
        var edited = act(alice, id, Map.of("action", "edit", "changes",
                List.of("https://gerrit.example.org/r/c/operations/+/123457", "987654")));

        assertThat(notHers.statusCode()).isEqualTo(403);
        assertThat(json(notHers).path("error").asText()).isEqualTo("Only the requester or the deployer can edit the changes of " + id);
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(json(none).path("error").asText()).startsWith("Give the new changes");
        assertThat(notAList.statusCode()).isEqualTo(400);
        assertThat(notAChange.statusCode()).isEqualTo(400);
        assertThat(json(notAChange).path("error").asText()).contains("\"fix the cache\" is not a change");
        assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
        assertThat(json(edited).path("outcome").asText()).isEqualTo("applied");
        var request = request(id);
        assertThat(request.path("changes").toString())
                .isEqualTo("[\"https://gerrit.example.org/r/c/operations/+/123457\",\"987654\"]");
        assertThat(actors(request)).endsWith("request.edited web:alice", "approvals.cleared web:alice");
    }

    @Test
    void an_approver_withdraws_their_own_approval_and_nobody_elses() throws Exception {
        var id = open(signedIn("alice@example.org"), "alice");
        var carol = signedIn("carol@example.org");
        act(carol, id, Map.of("action", "approve", "team", "releng"));

        var notHis = act(signedIn("dave@example.org"), id, Map.of("action", "withdraw"));
        var withdrawn = act(carol, id, Map.of("action", "withdraw", "team", "releng"));
        var again = act(carol, id, Map.of("action", "withdraw"));

        assertThat(notHis.statusCode()).isEqualTo(403);
        assertThat(withdrawn.statusCode()).as(withdrawn.body()).isEqualTo(200);
        assertThat(json(withdrawn).path("message").asText()).isEqualTo("You withdrew your approval of " + id
                + " for Release Engineering; it needs SRE and Release Engineering");
        assertThat(again.statusCode()).isEqualTo(403);
        assertThat(actors(request(id))).endsWith("approval.added web:carol", "approval.withdrawn web:carol");
    }

    @Test
    void one_signed_in_person_fills_one_team_slot() throws Exception {
        var id = open(signedIn("alice@example.org"), "alice");
        var dave = signedIn("dave@example.org");
        assertThat(act(dave, id, Map.of("action", "approve", "team", "sre")).statusCode()).isEqualTo(200);
        var second = act(dave, id, Map.of("action", "approve", "team", "releng"));
        assertThat(second.statusCode()).isEqualTo(403);
        assertThat(json(second).path("error").asText()).contains("one person fills one team slot");
        assertThat(request(id).path("state").asText()).isEqualTo("PENDING");
    }

    @Test
    void a_named_api_token_reports_the_deploy_and_the_timeline_names_the_pipeline() throws Exception {
        var id = open(signedIn("alice@example.org"), "alice");
        act(signedIn("carol@example.org"), id, Map.of("action", "approve", "team", "releng"));
        act(signedIn("dave@example.org"), id, Map.of("action", "approve", "team", "sre"));
        var pipeline = web.browser();
        var started = act(pipeline, id, Map.of("action", "deploy_started", "note", "build 812"),
                "Authorization", "Bearer " + OidcFixture.PIPELINE_TOKEN);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        assertThat(actors(request(id))).contains("deploy.started api:deploy-bot");
        assertThat(request(id).path("state").asText()).isEqualTo("DEPLOYING");
    }

    @Test
    void a_pipeline_token_does_not_approve() throws Exception {
        var id = open(signedIn("alice@example.org"), "alice");
        var approve = act(web.browser(), id, Map.of("action", "approve", "team", "sre"),
                "Authorization", "Bearer " + OidcFixture.PIPELINE_TOKEN);
        assertThat(approve.statusCode()).isEqualTo(403);
        assertThat(request(id).path("teams").toString()).doesNotContain("api:deploy-bot");
    }

    @Test
    void a_wrong_or_missing_token_is_401() throws Exception {
        var wrong = act(web.browser(), "EMG-1", Map.of("action", "cancel"),
                "Authorization", "Bearer " + OidcFixture.PIPELINE_TOKEN + "x");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(json(wrong).path("error").asText()).contains("Sign in");
        assertThat(act(web.browser(), "EMG-1", Map.of("action", "cancel")).statusCode()).isEqualTo(401);
        assertThat(web.browser().get("/api/requests", "Authorization", "Bearer " + OidcFixture.PIPELINE_TOKEN)
                .statusCode()).isEqualTo(200);
    }

    @Test
    void the_dashboard_token_still_reads_but_names_nobody_so_it_does_not_act() throws Exception {
        var browser = web.browser();
        assertThat(browser.get("/api/requests", "Authorization", "Bearer " + OidcFixture.DASHBOARD_TOKEN).statusCode())
                .isEqualTo(200);
        var acting = act(browser, "EMG-1", Map.of("action", "cancel"), "Authorization", "Bearer " + OidcFixture.DASHBOARD_TOKEN);
        assertThat(acting.statusCode()).isEqualTo(403);
        assertThat(json(acting).path("error").asText()).contains("names nobody");
    }

    @Test
    void bad_action_bodies_are_400_with_what_to_send() throws Exception {
        var id = open(signedIn("alice@example.org"), "alice");
        var carol = signedIn("carol@example.org");
        var unknown = act(carol, id, Map.of("action", "bless"));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).path("error").asText()).contains("Unknown action \"bless\"").contains("approve, withdraw, reject, cancel, edit");
        var notJson = carol.post("/api/requests/" + id + "/actions", "action=approve",
                "Content-Type", "application/x-www-form-urlencoded");
        assertThat(notJson.statusCode()).isEqualTo(400);
        var badId = act(carol, "nope", Map.of("action", "approve"));
        assertThat(badId.statusCode()).isEqualTo(400);
        var reject = act(carol, id, Map.of("action", "reject"));
        assertThat(reject.statusCode()).isEqualTo(400);
    }

    @Test
    void another_sites_page_cannot_act_with_the_session_cookie() throws Exception {
        var id = open(signedIn("alice@example.org"), "alice");
        var carol = signedIn("carol@example.org");
        var forged = act(carol, id, Map.of("action", "approve", "team", "releng"), "Origin", "https://evil.example");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(request(id).path("timeline").toString()).doesNotContain("web:carol");
    }

    @Test
    void signing_out_ends_the_session_in_redis_not_only_in_the_browser() throws Exception {
        var carol = signedIn("carol@example.org");
        var session = carol.cookie(Sessions.COOKIE);
        assertThat(carol.post("/signout", "").statusCode()).isEqualTo(303);
        var stolen = web.browser().get("/api/requests", "Cookie", Sessions.COOKIE + "=" + session);
        assertThat(stolen.statusCode()).isEqualTo(401);
    }

    @Test
    void signing_in_again_gives_a_fresh_session_id_and_ends_the_one_before() throws Exception {
        var browser = signedIn("carol@example.org");
        var before = browser.cookie(Sessions.COOKIE);
        assertThat(browser.signIn("sub-carol@example.org", email("carol@example.org", true), "/").statusCode()).isEqualTo(303);
        var after = browser.cookie(Sessions.COOKIE);
        assertThat(after).isNotEqualTo(before);
        assertThat(web.browser().get("/api/requests", "Cookie", Sessions.COOKIE + "=" + before).statusCode()).isEqualTo(401);
        assertThat(web.browser().get("/api/requests", "Cookie", Sessions.COOKIE + "=" + after).statusCode()).isEqualTo(200);
    }

    @Test
    void whoever_holds_the_dashboard_token_revokes_every_session_of_a_person() throws Exception {
        var one = signedIn("dave@example.org");
        var two = signedIn("dave@example.org");
        var alice = signedIn("alice@example.org");
        var notYours = alice.postJson("/api/sessions/revoke", Map.of("person", "dave"));
        assertThat(notYours.statusCode()).isEqualTo(403);
        assertThat(one.get("/api/requests").statusCode()).isEqualTo(200);

        var revoked = web.browser().postJson("/api/sessions/revoke", Map.of("person", "dave"),
                "Authorization", "Bearer " + OidcFixture.DASHBOARD_TOKEN);
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        assertThat(json(revoked).path("revoked").asInt()).isEqualTo(2);
        assertThat(one.get("/api/requests").statusCode()).isEqualTo(401);
        assertThat(two.get("/api/requests").statusCode()).isEqualTo(401);
        assertThat(alice.get("/api/requests").statusCode()).isEqualTo(200);
        var noPerson = web.browser().postJson("/api/sessions/revoke", Map.of(),
                "Authorization", "Bearer " + OidcFixture.DASHBOARD_TOKEN);
        assertThat(noPerson.statusCode()).isEqualTo(400);
    }

    @Test
    void a_signed_in_person_ends_their_own_sessions_everywhere() throws Exception {
        var here = signedIn("alice@example.org");
        var there = signedIn("alice@example.org");
        var ended = here.postJson("/api/sessions/revoke", Map.of("person", "alice"));
        assertThat(ended.statusCode()).isEqualTo(200);
        assertThat(there.get("/api/requests").statusCode()).isEqualTo(401);
    }

    @Test
    void the_console_shows_the_signed_in_person_and_no_picker() throws Exception {
        var page = signedIn("carol@example.org").get("/console");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("You are <strong>carol</strong>").contains("Release Engineering")
                .doesNotContain("<select id=\"as\"");
    }
}
