package org.countersign.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.countersign.Config;
import org.countersign.Main;

/**
 * The whole service started as Main starts it (embedded Redis under a temp data directory, the packaged example
 * policy, no Slack: so the console is on), and an HTTP client with its own cookies, like one browser. Without
 * DASHBOARD_TOKEN that client has opened the start-up link, as the person who started Countersign would.
 */
final class WebFixture implements AutoCloseable {
    private static final Pattern CSRF = Pattern.compile("data-csrf=\"([0-9a-f]+)\"");
    static final ObjectMapper JSON = new ObjectMapper();

    final Main.Running service;
    final String base;
    final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private String csrf;

    WebFixture(Path dataDir, Map<String, String> extra) throws Exception {
        var env = new HashMap<String, String>();
        env.put("DATA_DIR", dataDir.toString());
        env.put("PORT", String.valueOf(freePort()));
        env.putAll(extra);
        service = Main.start(Config.fromEnv(env));
        base = "http://127.0.0.1:" + service.port();
        if (service.startupToken().isPresent()) openStartupLink(http, service);
    }

    /** Opens the start-up link as a browser would: its answer sets the session cookie and leads to the clean URL. */
    static void openStartupLink(HttpClient client, Main.Running service) throws Exception {
        var link = service.startupLink();
        var response = client.send(HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 303)
            throw new AssertionError("the start-up link " + link + " answered " + response.statusCode() + " " + response.body());
    }

    /** {@code Authorization: Bearer <this run's token>}, for a client without the cookie. */
    String[] bearer() {
        return new String[] {"Authorization", "Bearer " + service.startupToken().orElseThrow()};
    }

    /** A second client that has opened the start-up link too, like another window of the same person's browser. */
    Browser browser() throws Exception {
        var browser = new Browser(base);
        openStartupLink(browser.http, service);
        return browser;
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(base + path));
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Loads the console page once, as a browser would, for its cookie and token. */
    String csrf() throws Exception {
        if (csrf == null) {
            var page = get("/console");
            var m = CSRF.matcher(page.body());
            if (!m.find()) throw new AssertionError("no token on the console page: " + page.statusCode() + " " + page.body());
            csrf = m.group(1);
        }
        return csrf;
    }

    /** A POST from the console page: JSON body, the page's token. */
    HttpResponse<String> console(String path, Object body) throws Exception {
        return post(path, JSON.writeValueAsString(body), "Content-Type", "application/json",
                ConsoleGuard.CSRF_HEADER, csrf());
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    /** A second client with cookies of its own, like another browser. */
    static final class Browser {
        private final String base;
        final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();

        Browser(String base) { this.base = base; }

        HttpResponse<String> get(String path) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(String path, String body, String... headers) throws Exception {
            var b = HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body));
            if (headers.length > 0) b.headers(headers);
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    static int freePort() throws Exception {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        service.close();
    }
}
