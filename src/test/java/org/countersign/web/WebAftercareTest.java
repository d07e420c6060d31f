package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.web.OidcFixture.email;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Break-glass and the review afterwards on the web: {@code POST /api/requests/{id}/actions} with {@code break_glass}
 * and {@code review}, {@code GET /api/reviews} and the dashboard, over real HTTP, a real sign-in and a real Redis, under
 * a policy where alice may break the glass, SRE reviews and break-glass requests wait for their review.
 */
class WebAftercareTest {
    static final String WHY = "The API is down for every reader and nobody in Release Engineering answers the page";

    @TempDir
    static java.nio.file.Path dir;
    static OidcFixture web;

    @BeforeAll
    static void start() throws Exception {
        web = new OidcFixture(dir, Map.of(), OidcFixture.POLICY + """
                break-glass: { people: [alice], reasons: [availability], min-reason: 40 }
                review: { teams: [sre], required-for: [break-glass] }
                """);
    }

    @AfterAll
    static void stop() {
        web.close();
    }

    @Test
    void break_glass_by_the_web_is_refused_to_others_and_short_reasons_and_the_review_gates_closing() throws Exception {
        var alice = signedIn("alice@example.org");
        var id = open(alice);

        var byDave = act(signedIn("dave@example.org"), id, Map.of("action", "break_glass", "reason", WHY));
        var tooShort = act(alice, id, Map.of("action", "break_glass", "reason", "down"));
        var byPipeline = act(web.browser(), id, Map.of("action", "break_glass", "reason", WHY),
                "Authorization", "Bearer " + OidcFixture.PIPELINE_TOKEN);
        assertThat(byDave.statusCode()).as(byDave.body()).isEqualTo(403);
        assertThat(tooShort.statusCode()).as(tooShort.body()).isEqualTo(400);
        assertThat(json(tooShort).path("error").asText()).contains("at least 40 characters");
        assertThat(byPipeline.statusCode()).as(byPipeline.body()).isEqualTo(403);
        assertThat(request(id).path("state").asText()).isEqualTo("PENDING");

        var broken = act(alice, id, Map.of("action", "break_glass", "reason", WHY));
        assertThat(broken.statusCode()).as(broken.body()).isEqualTo(200);
        assertThat(request(id).path("state").asText()).isEqualTo("APPROVED");
        assertThat(request(id).path("breakGlass").path("by").asText()).isEqualTo("web:alice");
        assertThat(request(id).path("breakGlass").path("reason").asText()).isEqualTo(WHY);

        var deployed = act(web.browser(), id, Map.of("action", "deployed"), "Authorization",
                "Bearer " + OidcFixture.PIPELINE_TOKEN);
        assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(200);
        var closeFirst = act(alice, id, Map.of("action", "close", "note", "proper fix in T999"));
        assertThat(closeFirst.statusCode()).isEqualTo(409);
        assertThat(json(closeFirst).path("error").asText()).contains("must be reviewed before it is closed");
        assertThat(act(alice, id, Map.of("action", "review", "follow_up", "T999")).statusCode()).isEqualTo(403);
        assertThat(reviews().toString()).contains(id);
        assertThat(dashboard()).contains("Awaiting review").contains("/requests/" + id);

        var bob = web.browser();
        assertThat(bob.signIn("sub-bob-7", Map.of(), "/").statusCode()).isEqualTo(303);
        var badLink = act(bob, id, Map.of("action", "review", "follow_up", "looks fine to me"));
        var reviewed = act(bob, id, Map.of("action", "review", "follow_up", "https://phabricator.example.org/T999"));
        var closed = act(alice, id, Map.of("action", "close", "note", "proper fix in T999"));

        assertThat(badLink.statusCode()).isEqualTo(400);
        assertThat(reviewed.statusCode()).as(reviewed.body()).isEqualTo(200);
        assertThat(request(id).path("review").path("followUp").asText()).isEqualTo("https://phabricator.example.org/T999");
        assertThat(reviews().toString()).doesNotContain("\"" + id + "\"");
        assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
        assertThat(request(id).path("state").asText()).isEqualTo("CLOSED");
    }

    @Test
    void reviews_need_the_dashboard_token_like_the_rest_of_the_api() throws Exception {
        assertThat(web.browser().get("/api/reviews").statusCode()).isEqualTo(401);
    }

    private static OidcFixture.Browser signedIn(String address) throws Exception {
        var browser = web.browser();
        var back = browser.signIn("sub-" + address, email(address, true), "/");
        assertThat(back.statusCode()).as(back.body()).isEqualTo(303);
        return browser;
    }

    private static String open(OidcFixture.Browser browser) throws Exception {
        var form = new HashMap<String, Object>();
        form.put("as", "alice");
        form.put("reason", "availability");
        form.put("summary", "Revert the cache change");
        form.put("changes", "https://gerrit.example.org/r/c/operations/+/123456");
        form.put("rollback", "yes");
        var response = browser.postJson("/console/requests", form, ConsoleGuard.CSRF_HEADER, browser.csrf());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return json(response).path("request").asText();
    }

    private static HttpResponse<String> act(OidcFixture.Browser browser, String id, Map<String, String> body,
                                            String... headers) throws Exception {
        return browser.postJson("/api/requests/" + id + "/actions", body, headers);
    }

    private static JsonNode request(String id) throws Exception {
        var response = web.browser().get("/api/requests/" + id, "Authorization", "Bearer " + OidcFixture.DASHBOARD_TOKEN);
        assertThat(response.statusCode()).isEqualTo(200);
        return json(response);
    }

    private static JsonNode reviews() throws Exception {
        var response = web.browser().get("/api/reviews", "Authorization", "Bearer " + OidcFixture.DASHBOARD_TOKEN);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    private static String dashboard() throws Exception {
        var response = web.browser().get("/", "Authorization", "Bearer " + OidcFixture.DASHBOARD_TOKEN);
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return OidcFixture.JSON.readTree(response.body());
    }
}
