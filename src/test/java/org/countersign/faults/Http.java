package org.countersign.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GETs to a Countersign on loopback, and waiting for it to be ready. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Http() {}

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return get(port, path, null);
    }

    /** With {@code Authorization: Bearer <token>} when {@code token} is not null (the API needs one). */
    static HttpResponse<String> get(int port, String path, String token) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5));
        if (token != null) request.header("Authorization", "Bearer " + token);
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls /readyz until it answers 200; how long that took. */
    static Duration awaitReady(int port, Duration within) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + within.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                var ready = get(port, "/readyz");
                if (ready.statusCode() == 200) return Duration.ofNanos(System.nanoTime() - start);
                last = ready.statusCode() + " " + ready.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("/readyz on port " + port + " not 200 within " + within + "; last: " + last);
    }

    static int freePort() throws IOException {
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
