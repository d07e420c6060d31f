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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.countersign.app.EventFeed;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.DomainJson;
import org.countersign.store.RedisEventFeed;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.Test;

/**
 * The live stream starts from the events written after {@link LiveEvents#start}, not after its thread first reads:
 * an event written in between (a browser that connected and acted at once) is shown, not taken for the start.
 */
class LiveEventsStartTest {

    /** The real feed, whose first tail waits until the test lets it go. */
    static final class HeldFeed implements EventFeed {
        final EventFeed real;
        final CountDownLatch go = new CountDownLatch(1);

        HeldFeed(EventFeed real) { this.real = real; }

        @Override public Tail tail(String after, int count, Duration block) {
            try {
                go.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return real.tail(after, count, block);
        }

        @Override public String newest() { return real.newest(); }
        @Override public void join(String group) { real.join(group); }
        @Override public List<Delivery> unacknowledged(String g, String c, int n) { return real.unacknowledged(g, c, n); }
        @Override public List<Delivery> next(String g, String c, int n, Duration b) { return real.next(g, c, n, b); }
        @Override public List<Delivery> claimAbandoned(String g, String c, Duration i, int n) { return real.claimAbandoned(g, c, i, n); }
        @Override public void acknowledge(String g, Delivery d) { real.acknowledge(g, d); }
        @Override public void keep(String g, String c, Delivery d) { real.keep(g, c, d); }
        @Override public int handBack(String g, String c) { return real.handBack(g, c); }
        @Override public void deadLetter(String g, Delivery d, String r) { real.deadLetter(g, d, r); }
        @Override public List<DeadLetter> deadLettersOf(String g, int limit) { return real.deadLettersOf(g, limit); }
    }

    @Test
    void an_event_written_before_the_tail_first_reads_still_reaches_the_browser() throws Exception {
        var prefix = TestRedis.uniquePrefix();
        var store = new RedisRequestStore(TestRedis.client(), prefix);
        var feed = new HeldFeed(new RedisEventFeed(TestRedis.client(), prefix));
        var service = new RequestService(store, new PolicyDirectory(TestPolicies.standard()),
                new Workflow(TestPolicies.standard()), Clock.systemUTC());
        var live = new LiveEvents(feed, DomainJson.mapper()).start();
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

            var opened = service.open(TestPolicies.DEV, TestPolicies.draft("availability"));
            feed.go.countDown();

            assertThat(received.get(10, TimeUnit.SECONDS)).contains("request.opened")
                    .contains(((org.countersign.domain.Outcome.Applied) opened).request().id().toString());
            response.body().close();
        } finally {
            live.close();
            app.stop();
        }
    }
}
