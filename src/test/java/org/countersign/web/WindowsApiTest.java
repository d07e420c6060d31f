package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Windows;
import org.countersign.domain.Workflow;
import org.countersign.store.DomainJson;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /api/windows} at a fixed time: where the windows and freezes stand, as JSON. */
class WindowsApiTest {
    static final Windows WINDOWS = new Windows(ZoneId.of("UTC"), List.of(new Windows.Weekly(
            EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY),
            LocalTime.of(7, 0), LocalTime.of(8, 0), "UTC morning backport window")), List.of(new Windows.Freeze(
            LocalDate.parse("2026-12-20"), LocalDate.parse("2027-01-04"), "End of year", List.of("security"))));
    private final HttpClient http = HttpClient.newHttpClient();
    private Javalin app;

    JsonNode windowsAt(String now, Windows windows) throws Exception {
        var store = TestRedis.store();
        var policy = TestPolicies.standard().withWindows(windows);
        var metrics = new Metrics(store::countByState);
        var service = new RequestService(store, new PolicyDirectory(policy), new Workflow(policy),
                Clock.fixed(Instant.parse(now), ZoneOffset.UTC), metrics);
        app = WebApp.create(service, store::ping, metrics, DomainJson.mapper(), List.of(), WebTesting.options())
                .start("127.0.0.1", 0);
        var response = http.send(WebTesting.authorized(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
                + "/api/windows"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return DomainJson.mapper().readTree(response.body());
    }

    @AfterEach
    void stop() { if (app != null) app.stop(); }

    @Test
    void on_a_sunday_night_nothing_is_open_and_the_next_is_monday_morning() throws Exception {
        var body = windowsAt("2026-11-29T22:00:00Z", WINDOWS);

        assertThat(body.path("now").asText()).isEqualTo("2026-11-29T22:00:00Z");
        assertThat(body.path("timeZone").asText()).isEqualTo("UTC");
        assertThat(body.path("open").isNull()).isTrue();
        assertThat(body.path("freeze").isNull()).isTrue();
        assertThat(body.path("next").path("start").asText()).isEqualTo("2026-11-30T07:00:00Z");
        assertThat(body.path("next").path("end").asText()).isEqualTo("2026-11-30T08:00:00Z");
        assertThat(body.path("sentence").asText())
                .isEqualTo("No deployment window is open; the next is Mon 07:00 UTC (in 9 h)");
        assertThat(body.path("today")).isEmpty();
        assertThat(body.path("upcoming")).hasSize(10);
        assertThat(body.path("freezes").get(0).path("to").asText()).isEqualTo("2027-01-04");
    }

    @Test
    void inside_a_window_it_is_open_with_todays_window_listed() throws Exception {
        var body = windowsAt("2026-11-30T07:30:00Z", WINDOWS);

        assertThat(body.path("open").path("label").asText()).isEqualTo("UTC morning backport window");
        assertThat(body.path("open").path("end").asText()).isEqualTo("2026-11-30T08:00:00Z");
        assertThat(body.path("today").get(0).path("start").asText()).isEqualTo("2026-11-30T07:00:00Z");
        assertThat(body.path("sentence").asText()).isEqualTo("A window is open now until 08:00 UTC: consider the normal train");
    }

    @Test
    void during_a_freeze_it_names_the_freeze_its_end_and_its_teams() throws Exception {
        var body = windowsAt("2027-01-04T12:00:00Z", WINDOWS);

        assertThat(body.path("open").isNull()).isTrue();
        assertThat(body.path("freeze").path("label").asText()).isEqualTo("End of year");
        assertThat(body.path("freeze").path("until").asText()).isEqualTo("2027-01-05T00:00:00Z");
        assertThat(body.path("freeze").path("teamLabels").get(0).asText()).isEqualTo("Security");
        assertThat(body.path("next").path("start").asText()).isEqualTo("2027-01-05T07:00:00Z");
        assertThat(body.path("sentence").asText()).isEqualTo("Deployment freeze: End of year (until 2027-01-04)");
    }

    @Test
    void without_windows_it_says_none_are_configured() throws Exception {
        var body = windowsAt("2026-11-29T22:00:00Z", Windows.none());

        assertThat(body.path("configured").asBoolean()).isFalse();
        assertThat(body.path("sentence").isNull()).isTrue();
        assertThat(body.path("upcoming")).isEmpty();
    }
}
