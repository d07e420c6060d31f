package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.web.OidcFixture.email;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.countersign.domain.Actor;
import org.countersign.domain.Draft;
import org.countersign.domain.Outcome;
import org.countersign.domain.Platform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A confidential request over HTTP, by the one disclosure rule: the dashboard token (which names nobody), a pipeline's
 * token and a signed-in person in none of its teams get its id, state and teams only, in the list and alone, on the
 * pages too; a signed-in member of one of its teams, and its requester, get all of it.
 */
class ConfidentialApiTest {
    static final String SECRET = "Patch the auth bypass in the login form";
    static final String POLICY = OidcFixture.POLICY.replace("""
            reasons:
            """, """
              security: { label: Security, console-users: [erin] }
            reasons:
              security:     { label: Security issue, teams: [sre, releng, security], confidential: true }
            """).replace("""
              dev:   { console: dev, email: dev@example.org }
            """, """
              dev:   { console: dev, email: dev@example.org }
              erin:  { console: erin, email: erin@example.org }
            """);
    static final List<String> ANYONE_SEES = List.of("id", "state", "confidential", "redacted", "teams", "informed");

    @TempDir
    static Path dir;
    static OidcFixture web;
    static String id;

    @BeforeAll
    static void start() throws Exception {
        assertThat(POLICY).contains("erin:").contains("confidential: true");
        web = new OidcFixture(dir, Map.of(), POLICY);
        var service = web.service.service();
        var opened = (Outcome.Applied) service.open(new Actor(Platform.CONSOLE, "carol"), new Draft("security", SECRET,
                "Reproduced with a crafted header", List.of("https://gerrit.example.org/r/c/operations/+/99"), "T9", true,
                null, null));
        id = opened.request().id().toString();
        service.approve(opened.request().id(), new Actor(Platform.CONSOLE, "bob"), "sre");
    }

    @AfterAll
    static void stop() {
        web.close();
    }

    @Test
    void the_dashboard_token_gets_its_id_state_and_teams_only_in_the_list_and_alone() throws Exception {
        var browser = web.browser();
        var bearer = new String[] {"Authorization", "Bearer " + OidcFixture.DASHBOARD_TOKEN};

        assertHidden(one(browser.get("/api/requests/" + id, bearer).body()));
        assertHidden(inList(browser.get("/api/requests", bearer).body()));
        var page = browser.get("/requests/" + id, bearer).body();
        assertThat(page).doesNotContain(SECRET).doesNotContain("bob").doesNotContain("carol").contains("Security");
    }

    @Test
    void a_pipeline_token_gets_its_id_state_and_teams_only() throws Exception {
        var bearer = new String[] {"Authorization", "Bearer " + OidcFixture.PIPELINE_TOKEN};

        assertHidden(one(web.browser().get("/api/requests/" + id, bearer).body()));
    }

    @Test
    void a_signed_in_person_in_none_of_its_teams_gets_its_id_state_and_teams_only() throws Exception {
        var dev = web.browser();
        assertThat(dev.signIn("sub-dev-1", email("dev@example.org", true), "/").statusCode()).isEqualTo(303);

        assertHidden(one(dev.get("/api/requests/" + id).body()));
        assertHidden(inList(dev.get("/api/requests").body()));
        assertThat(dev.get("/requests/" + id).body()).doesNotContain(SECRET);
    }

    @Test
    void a_signed_in_member_of_security_sees_its_details_its_approvers_and_its_timeline() throws Exception {
        var erin = web.browser();
        assertThat(erin.signIn("sub-erin-1", email("erin@example.org", true), "/").statusCode()).isEqualTo(303);

        var body = one(erin.get("/api/requests/" + id).body());
        assertThat(body.path("redacted").asBoolean()).isFalse();
        assertThat(body.path("summary").asText()).isEqualTo(SECRET);
        assertThat(body.path("requester").asText()).isEqualTo("console:carol");
        assertThat(body.path("teams").get(0).path("approvals").get(0).path("by").asText()).isEqualTo("console:bob");
        assertThat(body.path("timeline").findValuesAsText("type")).contains("request.opened", "approval.added");
        assertThat(inList(erin.get("/api/requests").body()).path("summary").asText()).isEqualTo(SECRET);
        assertThat(erin.get("/requests/" + id).body()).contains(SECRET).contains("crafted header");
    }

    @Test
    void the_requester_signed_in_sees_its_details() throws Exception {
        var carol = web.browser();
        assertThat(carol.signIn("sub-carol-1", email("carol@example.org", true), "/").statusCode()).isEqualTo(303);

        assertThat(one(carol.get("/api/requests/" + id).body()).path("summary").asText()).isEqualTo(SECRET);
    }

    private static JsonNode one(String body) throws Exception { return OidcFixture.JSON.readTree(body); }

    private static JsonNode inList(String body) throws Exception {
        for (var r : OidcFixture.JSON.readTree(body).path("requests")) if (r.path("id").asText().equals(id)) return r;
        throw new AssertionError(id + " is not in the list: " + body);
    }

    /** Id, state and teams (labels, quorum, how many approved): no text, no person, no time. */
    private static void assertHidden(JsonNode r) {
        var names = new ArrayList<String>();
        r.fieldNames().forEachRemaining(names::add);
        assertThat(names).as(r.toString()).containsExactlyInAnyOrderElementsOf(ANYONE_SEES);
        assertThat(r.path("redacted").asBoolean()).isTrue();
        assertThat(r.path("state").asText()).isEqualTo("PENDING");
        assertThat(r.path("teams").findValuesAsText("team")).containsExactly("sre", "releng", "security");
        assertThat(r.path("teams").get(0).path("approved").asInt()).isEqualTo(1);
        assertThat(r.toString()).doesNotContain(SECRET).doesNotContain("console:").doesNotContain("gerrit")
                .doesNotContainPattern("\\d{4}-\\d\\d-\\d\\dT");
    }
}
