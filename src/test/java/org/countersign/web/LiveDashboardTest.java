package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.countersign.domain.Actor;
import org.countersign.domain.Draft;
import org.countersign.domain.Outcome;
import org.countersign.domain.Platform;
import org.countersign.domain.RequestId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's pages and its Server-Sent Events, on the whole service. */
class LiveDashboardTest {
    static final Actor DEV = new Actor(Platform.CONSOLE, "dev");
    static final Actor ALICE = new Actor(Platform.CONSOLE, "alice");
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

    private static RequestId open(String reason, String summary) {
        var draft = new Draft(reason, summary, null, List.of("https://gerrit.example.org/r/c/operations/+/123456"),
                null, true, null, null);
        return ((Outcome.Applied) web.service.service().open(DEV, draft)).request().id();
    }

    @Test
    void an_event_reaches_a_connected_browser_without_the_requests_text() throws Exception {
        var lines = java.util.Collections.synchronizedList(new ArrayList<String>());
        var connected = new CompletableFuture<Void>();
        var received = new CompletableFuture<String>();
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(web.base + "/events"))
                .header("Accept", "text/event-stream").headers(web.bearer()).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        var reader = new Thread(() -> {
            try (var in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                    if (line.startsWith(": connected")) connected.complete(null);
                    if (line.startsWith("data:") && line.contains("approval.added")) received.complete(line);
                }
                lines.add("(the server ended the stream)");
            } catch (Exception e) {
                received.completeExceptionally(e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        connected.get(5, TimeUnit.SECONDS);

        var id = open("security", "Patch the auth bypass in the login form");
        web.service.service().approve(id, ALICE, "sre");

        String data;
        try {
            data = received.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no approval.added event for " + id + " within 10 s; the stream sent: " + lines, e);
        }
        assertThat(data).contains("\"request\":\"" + id + "\"").contains("\"state\":\"PENDING\"");
        assertThat(String.join("\n", lines)).contains("event: request").doesNotContain("auth bypass");
        response.body().close();
    }

    @Test
    void open_requests_come_first_with_their_teams_and_time_to_expiry() throws Exception {
        var done = open("abuse", "Block the spam wave");
        web.service.service().cancel(done, DEV, "stopped by itself");
        var waiting = open("availability", "API returns 500s since the cache deploy");

        var page = web.get("/").body();

        assertThat(page.indexOf("data-id=\"" + waiting + "\"")).isGreaterThan(0)
                .isLessThan(page.indexOf("data-id=\"" + done + "\""));
        assertThat(page).contains("API returns 500s since the cache deploy").contains("SRE <span class=\"quorum\">0/1</span>")
                .contains(">in 59 min</time>").contains("<span class=\"state state-cancelled\">cancelled</span>");
    }

    @Test
    void a_confidential_request_shows_only_its_id_state_and_teams() throws Exception {
        var id = open("security", "Patch the auth bypass in the login form");
        var overview = web.get("/").body();
        var detail = web.get("/requests/" + id).body();
        assertThat(overview).contains("data-id=\"" + id + "\"").doesNotContain("auth bypass");
        assertThat(detail).contains("Confidential").contains("Security <span class=\"quorum\">")
                .doesNotContain("auth bypass").doesNotContain("gerrit").doesNotContain("console:dev");
    }

    @Test
    void the_request_page_has_every_field_and_the_timeline_with_platforms_and_utc_times() throws Exception {
        var id = open("availability", "<b>Revert</b> the cache change");
        web.service.service().approve(id, ALICE, "sre");

        var page = web.get("/requests/" + id).body();

        assertThat(page).contains("&lt;b&gt;Revert&lt;/b&gt; the cache change").doesNotContain("<b>Revert</b>")
                .contains("<a href=\"https://gerrit.example.org/r/c/operations/+/123456\"")
                .contains("<span class=\"platform\">console:dev</span>")
                .contains("opened the request").contains("approved as SRE")
                .containsPattern("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC");
    }

    @Test
    void an_unknown_request_page_is_a_404_page_with_a_message() throws Exception {
        var response = web.get("/requests/EMG-99999");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("There is no request EMG-99999").contains("Back to the dashboard");
    }

    @Test
    void a_malformed_request_id_is_a_400_page() throws Exception {
        var response = web.get("/requests/%3Cscript%3E");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("&quot;&lt;script&gt;&quot; is not a request id").doesNotContain("<script>");
    }

    @Test
    void pages_forbid_inline_scripts_and_framing() throws Exception {
        var csp = web.get("/").headers().firstValue("Content-Security-Policy").orElse("");
        assertThat(csp).contains("default-src 'self'").contains("frame-ancestors 'none'");
    }

    @Test
    void the_partial_is_the_overview_without_the_page() throws Exception {
        var partial = web.get("/partials/dashboard");
        assertThat(partial.statusCode()).isEqualTo(200);
        assertThat(partial.body()).startsWith("<section class=\"open\">").doesNotContain("<html");
    }

    @SuppressWarnings("unused")
    private static Duration unused() { return Duration.ZERO; }
}
