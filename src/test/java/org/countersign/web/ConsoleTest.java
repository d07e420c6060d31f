package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.web.WebFixture.json;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's endpoints over HTTP, as its page calls them, on the whole service with the example policy. */
class ConsoleTest {
    @TempDir
    static Path dataDir;
    static WebFixture web;

    @BeforeAll
    static void start() throws Exception {
        web = new WebFixture(dataDir, Map.of());
    }

    @AfterAll
    static void stop() {
        web.close();
    }

    static Map<String, Object> form(String as, String reason, String summary) {
        var form = new HashMap<String, Object>();
        form.put("as", as);
        form.put("reason", reason);
        form.put("summary", summary);
        form.put("changes", "https://gerrit.example.org/r/c/operations/+/123456\n987654");
        form.put("task", "T12345");
        form.put("rollback", "yes");
        return form;
    }

    private RequestId open(String as, String reason) throws Exception {
        var response = web.console("/console/requests", form(as, reason, "Revert the cache change"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return RequestId.parse(json(response).path("request").asText()).orElseThrow();
    }

    private static Map<String, Object> press(String as, String action, String team) {
        var body = new HashMap<String, Object>();
        body.put("as", as);
        body.put("action", action);
        body.put("team", team);
        return body;
    }

    @Test
    void the_page_lists_the_policys_console_people_including_the_developer_in_no_team() throws Exception {
        var fresh = web.browser(); // a first visit: the start-up link opened, no console cookie yet
        var page = fresh.get("/console");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("value=\"alice\"", "value=\"carol\"", "value=\"frank\"", "value=\"dev\"")
                .contains("dev · in no team").contains("alice · SRE");
        assertThat(page.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
                .startsWith(ConsoleGuard.CSRF_COOKIE + "=").containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict"));
    }

    @Test
    void help_lists_the_commands() throws Exception {
        var reply = json(web.console("/console/command", Map.of("as", "dev", "text", "/emergency help")));
        assertThat(reply.path("reply").asText()).contains("/emergency list").contains("/emergency status EMG-12")
                .contains("Rollback first");
    }

    @Test
    void emergency_with_a_reason_and_summary_opens_the_form_prefilled() throws Exception {
        var reply = json(web.console("/console/command", Map.of("as", "dev",
                "text", "/emergency availability API returns 500s")));
        assertThat(reply.path("form").path("reason").asText()).isEqualTo("availability");
        assertThat(reply.path("form").path("summary").asText()).isEqualTo("API returns 500s");
    }

    @Test
    void status_of_an_unknown_request_is_a_404_with_a_message() throws Exception {
        var response = web.console("/console/command", Map.of("as", "dev", "text", "/emergency status EMG-999"));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).path("error").asText()).startsWith("There is no request EMG-999");
    }

    @Test
    void status_without_an_id_says_how_to_write_one() throws Exception {
        var response = web.console("/console/command", Map.of("as", "dev", "text", "/emergency status soon"));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).contains("\"soon\"").contains("/emergency status EMG-12");
    }

    @Test
    void text_that_is_not_a_command_says_how_commands_start() throws Exception {
        var response = web.console("/console/command", Map.of("as", "dev", "text", "hello"));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).contains("Commands start with /emergency");
    }

    @Test
    void a_missing_field_is_reported_on_that_field_with_the_domains_message() throws Exception {
        var body = form("dev", "availability", "");
        body.remove("changes");
        body.remove("rollback");
        var response = web.console("/console/requests", body);
        assertThat(response.statusCode()).isEqualTo(400);
        var fields = json(response).path("fields");
        assertThat(fields.path("summary").asText()).isEqualTo("Say in one line what is broken and what the deploy fixes");
        assertThat(fields.path("changes").asText()).startsWith("List the changes to deploy");
        assertThat(fields.path("rollback").asText()).isEqualTo("Say whether this deploy is a rollback or revert");
    }

    @Test
    void a_summary_of_201_characters_is_refused_with_its_length() throws Exception {
        var response = web.console("/console/requests", form("dev", "availability", "x".repeat(201)));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("fields").path("summary").asText())
                .isEqualTo("Keep the summary to 200 characters (it has 201); put the rest in the details");
    }

    @Test
    void a_deployer_who_is_not_a_console_person_is_refused_on_that_field() throws Exception {
        var body = form("dev", "availability", "Revert");
        body.put("deployer", "mallory");
        var response = web.console("/console/requests", body);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("fields").path("deployer").asText()).contains("Pick the deployer");
    }

    @Test
    void a_request_opened_as_dev_is_approved_by_sre_then_releng() throws Exception {
        var id = open("dev", "availability");

        var alice = json(web.console("/console/requests/" + id + "/actions", press("alice", "approve", "sre")));
        var carol = json(web.console("/console/requests/" + id + "/actions", press("carol", "approve", "releng")));

        assertThat(alice.path("outcome").asText()).isEqualTo("applied");
        assertThat(carol.path("message").asText()).contains("every team has signed");
        var request = web.service.service().find(id).orElseThrow();
        assertThat(request.state()).isEqualTo(State.APPROVED);
        assertThat(request.requester().toString()).isEqualTo("console:dev");
        assertThat(request.approvals()).extracting(a -> a.by().toString())
                .containsExactly("console:alice", "console:carol");
    }

    @Test
    void the_requester_approving_their_own_request_is_refused_with_403() throws Exception {
        var id = open("dev", "availability");
        var response = web.console("/console/requests/" + id + "/actions", press("dev", "approve", "sre"));
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(json(response).path("error").asText())
                .isEqualTo("You opened " + id + ", so someone else must approve it (SRE and Release Engineering)");
    }

    @Test
    void approving_twice_says_already_approved_and_changes_nothing() throws Exception {
        var id = open("dev", "availability");
        web.console("/console/requests/" + id + "/actions", press("alice", "approve", "sre"));
        long version = web.service.service().find(id).orElseThrow().version();

        var again = web.console("/console/requests/" + id + "/actions", press("alice", "approve", "sre"));

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).path("outcome").asText()).isEqualTo("unchanged");
        assertThat(json(again).path("message").asText()).startsWith("You already approved " + id + " for SRE");
        assertThat(web.service.service().find(id).orElseThrow().version()).isEqualTo(version);
    }

    @Test
    void a_reject_without_a_reason_is_refused_and_with_one_rejects() throws Exception {
        var id = open("dev", "abuse");
        var bare = web.console("/console/requests/" + id + "/actions", press("bob", "reject", null));
        var body = press("bob", "reject", null);
        body.put("note", "Roll back instead");
        var reasoned = web.console("/console/requests/" + id + "/actions", body);

        assertThat(bare.statusCode()).isEqualTo(400);
        assertThat(json(bare).path("error").asText()).isNotBlank();
        assertThat(reasoned.statusCode()).isEqualTo(200);
        assertThat(web.service.service().find(id).orElseThrow().state()).isEqualTo(State.REJECTED);
    }

    @Test
    void the_edit_button_first_gets_the_current_changes_then_saving_them_clears_the_approvals() throws Exception {
        var id = open("dev", "availability");
        web.console("/console/requests/" + id + "/actions", press("alice", "approve", "sre"));
        var card = web.get("/console/cards/" + id + "?as=dev").body();
        assertThat(card).contains("data-action=\"edit\"").contains("data-action=\"withdraw\"");

        var form = web.console("/console/requests/" + id + "/actions", press("dev", "edit", null));
        var body = press("dev", "edit", null);
        body.put("changes", "https://gerrit.example.org/r/c/operations/+/123457\n\n");
        var saved = web.console("/console/requests/" + id + "/actions", body);

        assertThat(form.statusCode()).as(form.body()).isEqualTo(200);
        assertThat(json(form).path("edit").path("request").asText()).isEqualTo(id.toString());
        assertThat(json(form).path("edit").path("changes").toString())
                .isEqualTo("[\"https://gerrit.example.org/r/c/operations/+/123456\",\"987654\"]");
        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
        assertThat(json(saved).path("message").asText()).contains("approval(s) were cleared");
        var r = web.service.service().find(id).orElseThrow();
        assertThat(r.changes()).containsExactly("https://gerrit.example.org/r/c/operations/+/123457");
        assertThat(r.approvals()).isEmpty();
    }

    @Test
    void edit_is_refused_before_any_form_for_someone_who_may_not_and_typed_it_opens_the_form() throws Exception {
        var id = open("dev", "availability");

        var refused = web.console("/console/requests/" + id + "/actions", press("alice", "edit", null));
        var typed = json(web.console("/console/command", Map.of("as", "dev", "text", "/emergency edit " + id)));
        var bad = press("dev", "edit", null);
        bad.put("changes", "fix the cache");
        var invalid = web.console("/console/requests/" + id + "/actions", bad);

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(json(refused).path("error").asText()).isEqualTo("Only the requester or the deployer can edit the changes of " + id);
        assertThat(typed.path("edit").path("changes").size()).isEqualTo(2);
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(json(invalid).path("error").asText()).contains("is not a change");
        assertThat(web.service.service().find(id).orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void the_withdraw_button_takes_back_only_the_pressers_own_approval() throws Exception {
        var id = open("dev", "availability");
        web.console("/console/requests/" + id + "/actions", press("alice", "approve", "sre"));

        var someoneElse = web.console("/console/requests/" + id + "/actions", press("bob", "withdraw", null));
        assertThat(web.service.service().find(id).orElseThrow().approvals()).hasSize(1);
        var own = web.console("/console/requests/" + id + "/actions", press("alice", "withdraw", null));

        assertThat(someoneElse.statusCode()).isEqualTo(403);
        assertThat(json(someoneElse).path("error").asText()).startsWith("You have no approval on " + id);
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(json(own).path("outcome").asText()).isEqualTo("applied");
        assertThat(web.service.service().find(id).orElseThrow().approvals()).isEmpty();
        assertThat(web.get("/console/cards/" + id + "?as=dev").body()).doesNotContain("data-action=\"withdraw\"");
    }

    @Test
    void a_button_on_an_unknown_request_is_a_404() throws Exception {
        var response = web.console("/console/requests/EMG-99999/actions", press("alice", "approve", "sre"));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).path("error").asText()).isEqualTo("There is no request EMG-99999");
    }

    @Test
    void someone_not_in_the_policy_cannot_act() throws Exception {
        var response = web.console("/console/command", Map.of("as", "mallory", "text", "/emergency list"));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).startsWith("Pick who you are: one of alice, bob");
    }

    @Test
    void the_card_shows_the_same_buttons_as_slack() throws Exception {
        var id = open("dev", "data-loss");
        var card = web.get("/console/cards/" + id + "?as=alice").body();
        assertThat(card).contains(">Approve as SRE</button>", ">Approve as Release Engineering</button>", ">Reject</button>")
                .contains("data-action=\"approve\" data-team=\"sre\"");
    }

    @Test
    void a_confidential_card_is_redacted_for_someone_outside_its_teams() throws Exception {
        var id = open("alice", "security");
        var forDev = web.get("/console/cards/" + id + "?as=dev").body();
        var forFrank = web.get("/console/cards/" + id + "?as=frank").body();
        assertThat(forDev).doesNotContain("Revert the cache change").doesNotContain("<button").contains("Confidential");
        assertThat(forFrank).contains("Revert the cache change").contains(">Approve as Security</button>");
    }

    @Test
    void status_and_list_of_a_confidential_request_say_what_it_is_about_as_its_card_does() throws Exception {
        var id = open("alice", "security").toString();
        for (var text : new String[] {"/emergency status " + id, "/emergency list"}) {
            var forDev = lineOf(id, json(web.console("/console/command", Map.of("as", "dev", "text", text))));
            var forFrank = lineOf(id, json(web.console("/console/command", Map.of("as", "frank", "text", text))));
            assertThat(forDev).as(text).contains(id).doesNotContain("Revert the cache change");
            assertThat(forFrank).as(text).contains(id).contains("Revert the cache change");
        }
        var forDev = web.get("/console/cards/" + id + "?as=dev").body();
        assertThat(forDev).contains(id + " · Confidential").doesNotContain("Security issue");
    }

    /** The line of a reply that speaks of {@code id} (a list has one per request). */
    private static String lineOf(String id, com.fasterxml.jackson.databind.JsonNode reply) {
        return java.util.Arrays.stream(reply.path("reply").asText().split("\\R")).filter(l -> l.contains(id + " "))
                .findFirst().orElseThrow(() -> new AssertionError(id + " is not in " + reply));
    }

    @Test
    void what_people_typed_is_escaped_on_the_card() throws Exception {
        var response = web.console("/console/requests", form("dev", "availability", "<script>alert(1)</script> & co"));
        var id = json(response).path("request").asText();
        var card = web.get("/console/cards/" + id + "?as=dev").body();
        assertThat(card).doesNotContain("<script>").contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co");
    }

    @Test
    void a_post_without_the_pages_token_is_refused() throws Exception {
        web.csrf();
        var response = web.post("/console/command", "{\"as\":\"dev\",\"text\":\"/emergency list\"}",
                "Content-Type", "application/json");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(json(response).path("error").asText()).contains("reload /console");
    }

    @Test
    void a_post_from_another_origin_is_refused_even_with_the_token() throws Exception {
        var response = web.post("/console/command", "{\"as\":\"dev\",\"text\":\"/emergency list\"}",
                "Content-Type", "application/json", ConsoleGuard.CSRF_HEADER, web.csrf(), "Origin", "https://evil.example");
        assertThat(response.statusCode()).isEqualTo(403);
    }

    @Test
    void a_request_forwarded_by_a_proxy_is_not_local_and_gets_403() throws Exception {
        var response = web.get("/console", "X-Forwarded-For", "203.0.113.7");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(json(response).path("error").asText()).contains("only on this machine");
    }

    @Test
    void a_body_that_is_not_json_is_a_400() throws Exception {
        var response = web.post("/console/command", "as=dev&text=hi", "Content-Type", "application/json",
                ConsoleGuard.CSRF_HEADER, web.csrf());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).startsWith("Send a JSON object");
    }

    @Test
    void an_oversized_body_is_a_413_json_error_not_a_5xx() throws Exception {
        var big = web.console("/console/command", Map.of("as", "dev", "text", "x".repeat(70_000)));
        var huge = web.console("/console/command", Map.of("as", "dev", "text", "x".repeat(1_200_000)));
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(json(big).path("error").asText()).contains("64 KB");
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(json(huge).path("error").asText()).contains("larger than");
    }

    @Test
    void cancel_by_the_requester_cancels() throws Exception {
        var id = open("dev", "availability");
        var reply = web.console("/console/command", Map.of("as", "dev", "text", "/emergency cancel " + id));
        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(web.service.service().find(id).orElseThrow().state()).isEqualTo(State.CANCELLED);
    }

    @Test
    void someone_outside_a_confidential_requests_teams_never_hears_its_rejection_reason() throws Exception {
        var id = open("alice", "security");
        var reject = press("erin", "reject", null);
        reject.put("note", "SECRET-REASON the token check is still bypassable");
        assertThat(web.console("/console/requests/" + id + "/actions", reject).statusCode()).isEqualTo(200);

        var outsider = web.console("/console/requests/" + id + "/actions", press("dev", "approve", "sre"));
        var member = web.console("/console/requests/" + id + "/actions", press("bob", "approve", "sre"));

        assertThat(outsider.statusCode()).isEqualTo(409);
        assertThat(json(outsider).path("error").asText()).isEqualTo("Nothing was recorded. " + id + " is confidential, "
                + "so Countersign speaks of it only to its requester and the members of its teams.");
        assertThat(json(member).path("error").asText()).contains("SECRET-REASON");
        var status = web.console("/console/command", Map.of("as", "dev", "text", "/emergency status " + id));
        assertThat(status.body()).contains(id.toString()).doesNotContain("SECRET-REASON").doesNotContain("Revert the cache");
    }
}
