package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.web.WebFixture.json;

import java.nio.file.Path;
import java.util.Map;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Break-glass, review and reviews typed in the local console, under the example policy (alice may break the glass). */
class ConsoleAftercareTest {
    static final String WHY = "The API is down for every reader and nobody in Release Engineering answers the page";

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

    @Test
    void break_glass_is_refused_to_bob_accepted_from_alice_and_the_review_waits_for_someone_else_in_sre() throws Exception {
        var response = web.console("/console/requests", ConsoleTest.form("dev", "availability", "Revert the cache change"));
        var id = RequestId.parse(json(response).path("request").asText()).orElseThrow();

        var byBob = web.console("/console/command", Map.of("as", "bob", "text", "/emergency break-glass " + id + " " + WHY));
        var byAlice = web.console("/console/command", Map.of("as", "alice", "text", "/emergency break-glass " + id + " " + WHY));
        assertThat(byBob.statusCode()).isEqualTo(403);
        assertThat(json(byBob).path("error").asText()).contains("not one of the people the policy lets break the glass");
        assertThat(byAlice.statusCode()).as(byAlice.body()).isEqualTo(200);
        assertThat(web.service.service().find(id).orElseThrow().state()).isEqualTo(State.APPROVED);

        web.console("/console/command", Map.of("as", "alice", "text", "/emergency deploy " + id + " succeeded"));
        var listed = json(web.console("/console/command", Map.of("as", "dev", "text", "/emergency reviews")));
        var byAliceReview = web.console("/console/command", Map.of("as", "alice", "text", "/emergency review " + id + " T1"));
        var byBobReview = web.console("/console/command", Map.of("as", "bob", "text", "/emergency review " + id + " T1"));

        assertThat(listed.path("reply").asText()).contains("Awaiting their review").contains(id.toString());
        assertThat(byAliceReview.statusCode()).isEqualTo(403);
        assertThat(byBobReview.statusCode()).as(byBobReview.body()).isEqualTo(200);
        assertThat(web.service.service().find(id).orElseThrow().review().person()).isEqualTo("bob");
    }
}
