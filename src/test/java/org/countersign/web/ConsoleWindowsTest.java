package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.web.WebFixture.json;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console with the example policy's windows: {@code /emergency windows} and the form's line about them. */
class ConsoleWindowsTest {
    /** Whatever the time the test runs at, the line is one of these three. */
    static final String STANDING = "No deployment window is open; the next is (Mon|Tue|Wed|Thu) (07|13):00 UTC \\(in .+\\)"
            + "|A window is open now until (08|14):00 UTC: consider the normal train"
            + "|Deployment freeze: End of year \\(until 2027-01-04\\)";

    @TempDir
    static Path dataDir;
    static WebFixture web;

    @BeforeAll
    static void start() throws Exception { web = new WebFixture(dataDir, Map.of()); }

    @AfterAll
    static void stop() { web.close(); }

    @Test
    void slash_emergency_windows_lists_today_and_the_next_windows() throws Exception {
        var reply = json(web.console("/console/command", Map.of("as", "dev", "text", "/emergency windows")));

        assertThat(reply.path("reply").asText()).startsWith("Deployment windows (UTC):\n").contains("Today, ")
                .contains("Next: ").contains("UTC morning backport window").contains("Freezes: End of year, 2026-12-20 to 2027-01-04");
    }

    @Test
    void the_request_form_says_where_the_windows_stand() throws Exception {
        var reply = json(web.console("/console/command", Map.of("as", "dev", "text", "/emergency")));

        assertThat(reply.path("form").path("standing").asText()).matches(STANDING);
    }

    @Test
    void windows_with_more_words_is_a_usage_answer_not_a_form() throws Exception {
        var response = web.console("/console/command", Map.of("as", "dev", "text", "/emergency windows tomorrow"));

        assertThat(response.statusCode()).isBetween(400, 499);
        assertThat(response.body()).contains("\\\"tomorrow\\\" is one word too many").contains("/emergency windows");
    }
}
