package org.countersign.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** Sends exactly the bytes a test chose: any method, headers and body over HTTP/1.1, or raw bytes on a socket. */
final class Wire {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** What came back: the status, and the body as text. */
    record Reply(int status, String body) {}

    private Wire() {}

    static Reply send(String base, String method, String pathAndQuery, Map<String, String> headers, byte[] body) {
        var builder = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(builder::header);
        try {
            var response = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + pathAndQuery + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static Reply post(String base, String path, Map<String, String> headers, byte[] body) {
        return send(base, "POST", path, headers, body);
    }

    /**
     * Writes {@code bytes} to the port as they are (a request line or headers no HTTP client would send) and
     * reads the answer until the server closes or goes quiet; status 0 when nothing came back.
     */
    static Reply raw(int port, byte[] bytes) {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(3_000);
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            var out = new ByteArrayOutputStream();
            var in = socket.getInputStream();
            var buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) out.write(buffer, 0, n);
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // the server may keep the connection open or reset it: what came so far is the answer
            }
            var text = out.toString(StandardCharsets.UTF_8);
            int status = 0;
            if (text.startsWith("HTTP/1.")) {
                var parts = text.split(" ", 3);
                if (parts.length > 1) status = Integer.parseInt(parts[1].strip());
            }
            int bodyAt = text.indexOf("\r\n\r\n");
            return new Reply(status, bodyAt < 0 ? text : text.substring(bodyAt + 4));
        } catch (IOException e) {
            throw new UncheckedIOException("raw request failed", e);
        }
    }
}
