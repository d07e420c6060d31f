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
 * policy, no Slack: so the console is on), and an HTTP client with its own cookies, like one browser.
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
        // As a person does: open the start-up line's console URL once, which leaves the console's cookie.
        var consoleUrl = service.consoleUrl().filter(url -> url.contains("?token=")).orElse(null);
        if (consoleUrl != null) {
            var opened = http.send(HttpRequest.newBuilder(URI.create(consoleUrl)).build(), HttpResponse.BodyHandlers.ofString());
            if (opened.statusCode() != 303) throw new AssertionError("the start-up URL did not open the console: "
                    + opened.statusCode() + " " + opened.body());
        }
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
                Console.CSRF_HEADER, csrf());
    }

    /** What came back to {@link #raw}: the status, the head (status line and headers) and the body. */
    record Raw(int status, String head, String body) {
        JsonNode json() throws Exception { return JSON.readTree(body); }
    }

    /**
     * Sends exactly this request on a socket of its own: any Host, and paths no URI class would leave as they are.
     * {@code headers} are name, value pairs; Host defaults to this server's own.
     */
    Raw raw(String method, String path, String body, String... headers) throws Exception {
        var head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
        boolean host = false;
        for (int i = 0; i + 1 < headers.length; i += 2) {
            host |= headers[i].equalsIgnoreCase("Host");
            head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        if (!host) head.append("Host: 127.0.0.1:").append(service.port()).append("\r\n");
        var bytes = body == null ? new byte[0] : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (body != null) head.append("Content-Length: ").append(bytes.length).append("\r\n");
        head.append("Connection: close\r\n\r\n");
        try (var socket = new java.net.Socket("127.0.0.1", service.port())) {
            socket.setSoTimeout(3_000);
            var out = socket.getOutputStream();
            out.write(head.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.write(bytes);
            out.flush();
            var received = new java.io.ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(received);
            } catch (java.net.SocketTimeoutException e) {
                // a stream that stays open (live events): what came so far is the answer
            }
            var all = received.toByteArray();
            var text = new String(all, java.nio.charset.StandardCharsets.ISO_8859_1); // one char a byte
            int end = text.indexOf("\r\n\r\n");
            var responseHead = end < 0 ? text : text.substring(0, end);
            var rest = end < 0 ? "" : text.substring(end + 4);
            if (responseHead.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) rest = dechunk(rest);
            return new Raw(Integer.parseInt(text.split(" ", 3)[1]), responseHead,
                    new String(rest.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static String dechunk(String chunked) {
        var out = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int eol = chunked.indexOf("\r\n", at);
            if (eol < 0) break;
            int size = Integer.parseInt(chunked.substring(at, eol).strip(), 16);
            if (size == 0) break;
            out.append(chunked, eol + 2, Math.min(chunked.length(), eol + 2 + size));
            at = eol + 2 + size + 2;
        }
        return out.toString();
    }

    /**
     * The same route spelled as a router or a proxy might still take it: a trailing or doubled slash, upper case,
     * percent-encoded letters, and a public prefix walked back with {@code ..}.
     */
    static java.util.List<String> spellings(String path) {
        var out = new java.util.LinkedHashSet<String>();
        out.add(path);
        out.add(path + "/");
        out.add("/" + path);
        int second = path.indexOf('/', 1);
        if (second > 0) out.add(path.substring(0, second) + "/" + path.substring(second));
        out.add(path.toUpperCase(java.util.Locale.ROOT));
        if (path.length() > 1) {
            out.add("/" + Character.toUpperCase(path.charAt(1)) + path.substring(2) + "/");
            out.add("/%" + Integer.toHexString(path.charAt(1)) + path.substring(2));
            out.add(path.substring(0, path.length() - 1) + "%" + Integer.toHexString(path.charAt(path.length() - 1)).toUpperCase());
        }
        out.add("/assets/.." + path);
        out.add("/healthz/%2e%2e" + path);
        return java.util.List.copyOf(out);
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    /** A second client with cookies of its own, like another browser. */
    static final class Browser {
        private final String base;
        private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
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
