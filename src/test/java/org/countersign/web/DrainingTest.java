package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.DomainJson;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The web side of a SIGTERM, in the real WebApp on real HTTP: not ready at once, new changes refused, old ones awaited. */
class DrainingTest {
    private final Draining draining = new Draining();
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final HttpClient http = HttpClient.newHttpClient();
    private Javalin app;

    @BeforeEach
    void start() {
        var store = new RedisRequestStore(TestRedis.client(), TestRedis.uniquePrefix());
        var service = new RequestService(store, new PolicyDirectory(TestPolicies.standard()),
                new Workflow(TestPolicies.standard()), Clock.systemUTC());
        Consumer<RoutesConfig> slow = routes -> {
            routes.post("/slack/events", ctx -> {
                entered.countDown();
                release.await(10, TimeUnit.SECONDS);
                ctx.result("");
            });
        };
        app = WebApp.create(service, () -> draining.problem().or(store::ping), new Metrics(store::countByState),
                DomainJson.mapper(), List.of(draining, slow), WebTesting.options()).start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        release.countDown();
        app.stop();
    }

    @Test
    void once_draining_readyz_answers_503_at_once() throws Exception {
        assertThat(get("/readyz").statusCode()).isEqualTo(200);

        draining.begin();

        var ready = get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("shutting down");
    }

    @Test
    void a_new_change_while_draining_is_refused_with_503_and_when_to_try_again() throws Exception {
        draining.begin();

        var opened = send(WebTesting.authorized(request("/api/requests")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"availability\",\"summary\":\"x\"}")));

        assertThat(opened.statusCode()).isEqualTo(503);
        assertThat(opened.body()).contains(Draining.MESSAGE);
        assertThat(opened.headers().firstValue("Retry-After")).hasValue("5");
    }

    @Test
    void a_slash_command_while_draining_is_answered_in_words_the_person_sees() throws Exception {
        draining.begin();

        var command = send(request("/slack/events").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("command=%2Femergency&text=&user_id=U0DEV1")));

        assertThat(command.statusCode()).isEqualTo(200);
        assertThat(command.body()).contains("\"response_type\":\"ephemeral\"").contains(Draining.MESSAGE);
        assertThat(entered.getCount()).as("the command never reached its handler").isEqualTo(1);
    }

    @Test
    void reads_still_answer_while_draining() throws Exception {
        draining.begin();

        assertThat(send(WebTesting.authorized(request("/api/requests")).GET()).statusCode()).isEqualTo(200);
    }

    @Test
    void a_change_in_flight_when_draining_begins_is_answered_and_waited_for() throws Exception {
        var inFlight = http.sendAsync(request("/slack/events").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        draining.begin();

        assertThat(draining.inFlight()).isEqualTo(1);
        assertThat(draining.awaitIdle(Duration.ofMillis(200))).as("idle while a change is in flight").isFalse();
        release.countDown();
        assertThat(draining.awaitIdle(Duration.ofSeconds(5))).isTrue();
        assertThat(inFlight.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(1)).until(() -> draining.inFlight() == 0);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).timeout(Duration.ofSeconds(10));
    }

    private HttpResponse<String> get(String path) throws Exception { return send(request(path).GET()); }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
