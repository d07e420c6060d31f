package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.countersign.domain.TestPolicies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every protected route, however it is spelled, over real HTTP on the whole service: the canonical spelling answers
 * only with the token; a trailing or doubled slash, another case, a percent-encoding, a dot segment, a {@code ;} or a
 * backslash never reaches a protected page without it (and, with it, is refused rather than served: one spelling per
 * path, so the path checked is the path served).
 */
class RouteSpellingsTest {
    /** Method and canonical path of each protected route. */
    static final List<String[]> ROUTES = List.of(
            new String[] {"GET", "/"}, new String[] {"GET", "/requests/EMG-1"},
            new String[] {"GET", "/partials/dashboard"}, new String[] {"GET", "/partials/requests/EMG-1"},
            new String[] {"GET", "/events"}, new String[] {"GET", "/api/requests"},
            new String[] {"GET", "/api/requests/EMG-1"}, new String[] {"GET", "/api/webhooks/dead-letters"},
            new String[] {"GET", "/console"}, new String[] {"GET", "/console/cards"},
            new String[] {"GET", "/console/cards/EMG-1"}, new String[] {"POST", "/console/command"},
            new String[] {"POST", "/console/requests"}, new String[] {"POST", "/console/requests/EMG-1/actions"});
    static final String ACCEPT = "application/json, text/event-stream";

    @TempDir
    static Path dataDir;
    static WebFixture web;
    static String host;

    @BeforeAll
    static void start() throws Exception {
        web = new WebFixture(dataDir, Map.of());
        web.service.service().open(TestPolicies.DEV, TestPolicies.draft("availability"));
        host = "127.0.0.1:" + web.service.port();
    }

    @AfterAll
    static void stop() {
        web.close();
    }

    static Stream<Arguments> routes() {
        return ROUTES.stream().map(r -> Arguments.of(r[0], r[1]));
    }

    static Stream<Arguments> spellings() {
        return ROUTES.stream().flatMap(r -> variants(r[1]).stream().map(v -> Arguments.of(r[0], v)));
    }

    /** Other spellings of {@code path} that a server, a proxy or a browser might read as it. */
    static List<String> variants(String path) {
        var out = new ArrayList<String>();
        var rest = path.substring(1); // "api/requests", or "" for the dashboard
        out.add(path + "/");
        out.add("/" + path);
        out.add(path + "//");
        out.add("/./" + rest);
        out.add("/x/../" + rest);
        out.add("/%2e/" + rest);
        out.add("/%2E%2E/" + rest);
        out.add("/assets/../" + rest);
        out.add("/assets/..;/" + rest);
        out.add("/assets/%2e%2e/" + rest);
        out.add("/webhooks/..%2F" + rest);
        out.add("/healthz/../" + rest);
        out.add("/assets\\..\\" + rest);
        out.add(path + ";x=y");
        out.add(path + "%2F");
        out.add(path + "%2f.");
        if (!rest.isEmpty()) {
            out.add(path.toUpperCase(Locale.ROOT));
            out.add("/" + Character.toUpperCase(rest.charAt(0)) + rest.substring(1));
            out.add("/%" + Integer.toHexString(rest.charAt(0)) + rest.substring(1));
            out.add("/%" + Integer.toHexString(rest.charAt(0)).toUpperCase(Locale.ROOT) + rest.substring(1));
            out.add(path + "/.");
            out.add(path + "/%2e");
        }
        if (rest.contains("/")) {
            out.add(path.replaceFirst("(?<=.)/", "//"));
            out.add(path.replaceFirst("(?<=.)/", "%2F"));
            out.add(path.replaceFirst("(?<=.)/", "/./"));
            out.add(path.replaceFirst("(?<=.)/", "\\\\"));
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("routes")
    void each_protected_route_is_401_without_the_token_and_answers_with_it(String method, String path) {
        var without = Raw.send(web.service.port(), method, path, host, "Accept", ACCEPT);
        var with = Raw.send(web.service.port(), method, path, host, "Accept", ACCEPT, "Authorization", bearer());

        assertThat(without.status()).as(without.text()).isEqualTo(401);
        assertThat(without.body()).contains("\"error\"").contains("Sign in at /signin");
        // Past the token check: the console's POSTs want the page's token too (403), its cards whom you act as (400).
        assertThat(with.status()).as(with.text()).isEqualTo(method.equals("POST") ? 403
                : path.startsWith("/console/cards") ? 400 : 200);
        assertThat(served(with.text())).as(with.text()).isEqualTo(method.equals("GET") && !path.startsWith("/console/cards"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("spellings")
    void no_other_spelling_of_a_protected_route_answers_without_the_token(String method, String spelling) {
        var reply = Raw.send(web.service.port(), method, spelling, host, "Accept", ACCEPT);

        assertThat(reply.status()).as(reply.text()).isIn(400, 401, 404);
        assertThat(served(reply.text())).as(reply.text()).isFalse();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("spellings")
    void with_the_token_another_spelling_is_refused_with_a_message_not_served(String method, String spelling) {
        var reply = Raw.send(web.service.port(), method, spelling, host, "Accept", ACCEPT, "Authorization", bearer());

        assertThat(reply.status()).as(reply.text()).isIn(400, 404);
        assertThat(served(reply.text())).as(reply.text()).isFalse();
        // Ours say what to use instead; a few spellings Jetty refuses itself, before any route, with its own words.
        assertThat(reply.body()).containsAnyOf("\"error\"", "\"message\"", "Bad Request");
    }

    @Test
    void a_trailing_slash_is_told_the_path_to_use() {
        var reply = Raw.send(web.service.port(), "GET", "/events/", host, "Accept", ACCEPT, "Authorization", bearer());

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.body()).contains("No such page: /events/").contains("trailing").contains("try /events");
    }

    @Test
    void the_public_routes_stay_open_spelled_as_they_are() {
        for (var path : List.of("/healthz", "/readyz", "/metrics", "/assets/app.css", "/signin")) {
            var reply = Raw.send(web.service.port(), "GET", path, host);
            assertThat(reply.status()).as(path).isEqualTo(200);
        }
    }

    @Test
    void a_public_prefix_does_not_open_what_lies_beyond_it() {
        for (var path : List.of("/assets/../api/requests", "/webhooks/%2e%2e/api/requests", "/healthz/../api/requests",
                "/assets/..;/api/requests", "/.well-known/../api/requests", "/assets/%2Fapi/requests")) {
            var reply = Raw.send(web.service.port(), "GET", path, host, "Accept", ACCEPT);
            assertThat(reply.status()).as(path + ": " + reply.text()).isIn(400, 401, 404);
            assertThat(served(reply.text())).as(path).isFalse();
        }
    }

    /** Whether an answer carries what a protected route serves: a page, a stream, the API's lists or a request. */
    private static boolean served(String answer) {
        return answer.contains("text/event-stream") || answer.contains(": connected") || answer.contains("· Countersign</title>")
                || answer.contains("\"requests\"") || answer.contains("\"timeline\"") || answer.contains("\"deadLetters\"")
                || answer.contains("class=\"card");
    }

    private static String bearer() {
        return "Bearer " + web.service.startupToken().orElseThrow();
    }
}
