package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.domain.Outcome;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.DomainJson;
import org.countersign.store.RawStream;
import org.countersign.store.RedisEventFeed;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.Test;

/** The live dashboard reads on past a stream entry it cannot read (written by a newer instance), instead of stopping. */
class LiveEventsUnreadableTest {

    @Test
    void an_event_after_an_unreadable_entry_still_reaches_the_browser() throws Exception {
        var prefix = TestRedis.uniquePrefix();
        var store = new RedisRequestStore(TestRedis.client(), prefix);
        var service = new RequestService(store, new PolicyDirectory(TestPolicies.standard()),
                new Workflow(TestPolicies.standard()), Clock.systemUTC());
        var live = new LiveEvents(new RedisEventFeed(TestRedis.client(), prefix), DomainJson.mapper()).start();
        var app = Javalin.create(c -> c.routes.sse("/events", live::connect)).start("127.0.0.1", 0);
        try {
            var connected = new CompletableFuture<Void>();
            var received = new CompletableFuture<String>();
            var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + app.port() + "/events")).header("Accept", "text/event-stream").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            var reader = new Thread(() -> {
                try (var in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.startsWith(": connected")) connected.complete(null);
                        if (line.startsWith("data:")) received.complete(line);
                    }
                } catch (Exception e) {
                    received.completeExceptionally(e);
                }
            });
            reader.setDaemon(true);
            reader.start();
            connected.get(5, TimeUnit.SECONDS);

            RawStream.add(prefix, Map.of("type", "request.teleported", "request", "EMG-1", "id", "EMG-1/9/0",
                    "event", "{\"id\":\"EMG-1/9/0\",\"type\":\"REQUEST_TELEPORTED\"}"));
            var opened = ((Outcome.Applied) service.open(TestPolicies.DEV, TestPolicies.draft("availability"))).request().id();

            assertThat(received.get(10, TimeUnit.SECONDS)).contains("request.opened").contains(opened.toString());
            response.body().close();
        } finally {
            live.close();
            app.stop();
        }
    }
}
