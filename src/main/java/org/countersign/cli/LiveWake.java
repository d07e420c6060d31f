package org.countersign.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Semaphore;

/**
 * Listens to the service's live events ({@code GET /events}, Server-Sent Events) and wakes the waiter whenever its
 * request changes, reconnecting with a backoff. Only a hint: the waiter reads the request itself, and polls anyway.
 */
final class LiveWake {
    private final HttpClient http;
    private final URI events;
    private final String token;
    private final String needle;
    private final Semaphore wake;
    private volatile boolean stopped;
    private Thread thread;

    LiveWake(HttpClient http, URI base, String token, String requestId, Semaphore wake) {
        this.http = http;
        this.events = base.resolve("/events");
        this.token = token;
        this.needle = "\"request\":\"" + requestId + "\"";
        this.wake = wake;
    }

    void start() {
        thread = new Thread(this::run, "countersign-wait-events");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() {
        stopped = true;
        if (thread != null) thread.interrupt();
    }

    private void run() {
        long backoff = 500;
        while (!stopped) {
            try {
                var b = HttpRequest.newBuilder(events).header("Accept", "text/event-stream");
                if (token != null) b.header("Authorization", "Bearer " + token);
                var response = http.send(b.build(), HttpResponse.BodyHandlers.ofLines());
                if (response.statusCode() == 404) return; // this server has no live events: polling it is
                if (response.statusCode() == 200) {
                    backoff = 500;
                    // Connected: whatever happened before is read by the waiter's next poll.
                    wake.release();
                    try (var lines = response.body()) {
                        var it = lines.iterator();
                        while (!stopped && it.hasNext())
                            if (it.next().contains(needle)) wake.release();
                    }
                } else {
                    response.body().close();
                }
            } catch (IOException | RuntimeException e) {
                // a restart, a proxy that cut the stream: reconnect below
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(backoff * 2, Duration.ofSeconds(30).toMillis());
        }
    }
}
