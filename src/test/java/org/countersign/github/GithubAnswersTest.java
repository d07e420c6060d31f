package org.countersign.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.domain.TestPolicies.REL1;
import static org.countersign.domain.TestPolicies.SEC1;
import static org.countersign.domain.TestPolicies.SRE1;
import static org.countersign.github.GithubPayloads.INSTALLATION;
import static org.countersign.github.GithubPayloads.REPO;

import io.javalin.Javalin;
import java.net.URI;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.app.StreamConsumer.Retries;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.github.fake.FakeGithub;
import org.countersign.store.DomainJson;
import org.countersign.store.RedisEventFeed;
import org.countersign.store.RedisKeyValues;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.TestRedis;
import org.countersign.web.Metrics;
import org.countersign.web.WebApp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What GitHub hears about confidential and expired requests, and from how many instances: the route in the WebApp, on real Redis. */
class GithubAnswersTest {
    static final String SECRET = "github-webhook-secret-0123456789";
    static final String APP_ID = "777";
    static final Retries FAST = new Retries(Integer.MAX_VALUE, Duration.ofSeconds(20),
            Retries.exponential(Duration.ofMillis(20), Duration.ofMillis(100)));
    static KeyPair keys;

    private final String prefix = TestRedis.uniquePrefix();
    private final MovableClock clock = new MovableClock(Instant.now());
    private final RedisRequestStore store = new RedisRequestStore(TestRedis.client(), prefix);
    private final RequestService service = new RequestService(store, new PolicyDirectory(TestPolicies.standard()),
            new Workflow(TestPolicies.standard()), clock);
    private FakeGithub github;
    private GithubDeployments first;
    private GithubDeployments second;
    private Javalin app;

    @BeforeAll
    static void keys() { keys = GithubPayloads.keyPair(); }

    @BeforeEach
    void start() {
        github = new FakeGithub(APP_ID, (RSAPublicKey) keys.getPublic()).installed(INSTALLATION, REPO);
        var settings = new GithubSettings(APP_ID, (java.security.interfaces.RSAPrivateKey) keys.getPrivate(),
                SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8), URI.create(github.url()));
        var gate = new GithubGate("security", List.of());
        var kv = new RedisKeyValues(TestRedis.client(), prefix);
        var feed = new RedisEventFeed(TestRedis.client(), prefix);
        // Two instances on one Redis: each decision is answered once.
        first = new GithubDeployments(settings, gate, service, kv, feed, Clock.systemUTC(), "one", FAST).start();
        second = new GithubDeployments(settings, gate, service, kv, feed, Clock.systemUTC(), "two", FAST).start();
        app = WebApp.create(service, store::ping, new Metrics(store::countByState), DomainJson.mapper(), List.of(first))
                .start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        app.stop();
        first.close();
        second.close();
        github.close();
    }

    @Test
    void a_confidential_requests_rejection_reason_never_reaches_github() {
        var id = open(1001);
        var request = service.find(id).orElseThrow();
        assertThat(request.confidential()).isTrue();

        service.reject(id, SRE1, "CVE-2026-0001 is still exploitable through the admin API");

        var review = reviewOf(1001);
        assertThat(review.state()).isEqualTo("rejected");
        assertThat(review.comment()).contains(id + " was rejected in Countersign by slack:U0SRE1")
                .contains("confidential").doesNotContain("CVE").doesNotContain(request.summary());
    }

    @Test
    void a_confidential_approval_names_the_teams_and_people_only_and_is_sent_once_by_two_instances() throws Exception {
        var id = open(1002);

        service.approve(id, SRE1, "sre");
        service.approve(id, REL1, "releng");
        service.approve(id, SEC1, "security");

        var review = reviewOf(1002);
        assertThat(review.state()).isEqualTo("approved");
        assertThat(review.comment()).contains("SRE (slack:U0SRE1)").contains("Security (slack:U0SEC1)")
                .doesNotContain("Deploy ");
        Thread.sleep(500);
        assertThat(github.reviews()).filteredOn(r -> r.runId() == 1002).hasSize(1);
        assertThat(github.reviewCalls()).isEqualTo(1);
    }

    @Test
    void an_expired_request_tells_github_rejected_with_what_was_missing() {
        var id = open(1003);
        service.approve(id, SRE1, "sre");
        clock.advance(Duration.ofMinutes(61));

        service.expire(id);

        var review = reviewOf(1003);
        assertThat(review.state()).isEqualTo("rejected");
        assertThat(review.comment()).startsWith(id + " expired in Countersign: still needed Release Engineering and Security");
    }

    @Test
    void an_installation_token_near_its_expiry_is_replaced_before_it_is_used() {
        github.tokenLifetime(Duration.ofMinutes(4)); // within the 5-minute margin: never reused
        var a = open(1004);
        var b = open(1005);

        service.reject(a, SRE1, "no");
        reviewOf(1004);
        service.reject(b, SRE1, "no");
        reviewOf(1005);

        assertThat(github.issued()).hasSize(2);
        assertThat(github.refusals()).isEmpty();
    }

    private RequestId open(long run) {
        var payload = GithubPayloads.requested(github.url(), GithubPayloads.sha(), "production", run);
        var answer = GithubPayloads.deliver(app.port(), SECRET, "deployment_protection_rule", payload);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return RequestId.parse(GithubDeploymentsTest.json(answer).path("request").asText()).orElseThrow();
    }

    private FakeGithub.Review reviewOf(long run) {
        return await().atMost(Duration.ofSeconds(20)).until(
                () -> github.reviews().stream().filter(r -> r.runId() == run).findFirst(), java.util.Optional::isPresent).get();
    }

    /** A clock the test moves by hand. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) { now = start; }

        void advance(Duration by) { now = now.plus(by); }

        @Override public Instant instant() { return now; }

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }

        @Override public Clock withZone(ZoneId zone) { return this; }
    }
}
