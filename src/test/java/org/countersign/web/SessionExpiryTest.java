package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.app.SessionStore;
import org.countersign.app.Throttle;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.DomainJson;
import org.countersign.store.RedisSessionStore;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session stops opening anything at its end, by the app's clock, whatever the browser still holds; and a provider
 * that cannot be reached is said so.
 */
class SessionExpiryTest {
    private final MovableClock clock = new MovableClock(Instant.parse("2026-03-01T09:00:00Z"));
    private final SessionStore sessions = new RedisSessionStore(TestRedis.client(), TestRedis.uniquePrefix());
    private final HttpClient http = HttpClient.newHttpClient();
    private Javalin app;

    @BeforeEach
    void start() {
        var store = TestRedis.store();
        var policy = TestPolicies.standard();
        var metrics = new Metrics(store::countByState);
        var service = new RequestService(store, new PolicyDirectory(policy), new Workflow(policy), clock, metrics);
        var oidc = new OidcSettings(URI.create("http://127.0.0.1:9/never-asked"), "countersign", null,
                URI.create("http://127.0.0.1:9/signin/callback"), Duration.ofHours(12));
        var options = new WebApp.Options(null, null, null, Throttle.none(), Throttle.none(),
                new WebApp.Identity(oidc, ApiTokens.NONE, sessions, clock));
        app = WebApp.create(service, store::ping, metrics, DomainJson.mapper(), List.of(), options).start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    private int status(String cookie) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/requests"));
        if (cookie != null) b.header("Cookie", Sessions.COOKIE + "=" + cookie);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void a_session_opens_the_api_until_its_end_and_not_after() throws Exception {
        var id = "Q".repeat(43);
        sessions.save(id, new SessionStore.Session("alice", "sub-alice", null, clock.instant(),
                clock.instant().plus(Duration.ofHours(12))));
        assertThat(status(id)).isEqualTo(200);
        clock.move(Duration.ofHours(12).minusSeconds(1));
        assertThat(status(id)).isEqualTo(200);
        clock.move(Duration.ofSeconds(1));
        assertThat(status(id)).isEqualTo(401);
        assertThat(status(null)).isEqualTo(401);
    }

    @Test
    void a_cookie_that_is_not_a_session_id_is_refused_without_a_lookup_going_wrong() throws Exception {
        assertThat(status("not-a-session")).isEqualTo(401);
        assertThat(status("%00%ff")).isEqualTo(401);
    }

    @Test
    void a_provider_that_does_not_answer_is_a_page_saying_so_not_a_failure_of_ours() throws Exception {
        var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/signin/oidc"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("The sign-in provider does not answer").contains("Try again in a minute")
                .doesNotContain("Exception");
    }

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) { this.now = start; }

        void move(Duration by) { now = now.plus(by); }

        @Override public Instant instant() { return now; }

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }

        @Override public Clock withZone(ZoneId zone) { return this; }
    }
}
