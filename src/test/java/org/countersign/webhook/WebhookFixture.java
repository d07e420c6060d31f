package org.countersign.webhook;

import static org.countersign.domain.TestPolicies.DEV;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.app.StreamConsumer.Retries;
import org.countersign.domain.Draft;
import org.countersign.domain.EventType;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.receipt.Receipts;
import org.countersign.receipt.SigningKeys;
import org.countersign.store.RedisEventFeed;
import org.countersign.store.RedisKeyValues;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.TestRedis;

/** Countersign's side of webhook tests: a request service, the events stream and key values on the real Redis. */
final class WebhookFixture implements AutoCloseable {
    /** Fast enough for tests: 10 ms doubling to 50 ms, giving up after 2 s. */
    static final Retries FAST = new Retries(Integer.MAX_VALUE, Duration.ofSeconds(2),
            Retries.exponential(Duration.ofMillis(10), Duration.ofMillis(50)));
    /** Long enough that a busy test JVM does not time out a healthy receiver, short enough to test timeouts. */
    static final Duration TIMEOUT = Duration.ofMillis(1500);
    static final Secret SECRET = Secret.of("it's a secret to everybody");

    final String prefix = TestRedis.uniquePrefix();
    final RedisRequestStore store = new RedisRequestStore(TestRedis.client(), prefix);
    final RedisEventFeed feed = new RedisEventFeed(TestRedis.client(), prefix);
    final RedisKeyValues kv = new RedisKeyValues(TestRedis.client(), prefix);
    final RequestService service;
    final Receipts receipts = new Receipts(SigningKeys.ephemeral());
    private final List<AutoCloseable> started = new ArrayList<>();

    /** The standard policy, with sre1 (SRE1) allowed to break the glass on availability and security requests. */
    WebhookFixture() { this(TestPolicies.withAftercare(), Clock.systemUTC()); }

    /** With another policy, and the clock the request service decides by (deliveries are signed by the real one). */
    WebhookFixture(org.countersign.domain.Policy policy, Clock clock) {
        service = new RequestService(store, new PolicyDirectory(policy), new Workflow(policy), clock);
    }

    /** A countersign-format integration with every event and the test secret. */
    static Integration integration(String name, URI url) {
        return new Integration(name, url, Set.of(), Integration.Format.COUNTERSIGN, "TEST_SECRET", SECRET, false);
    }

    static Integration integration(String name, URI url, Integration.Format format, boolean confidential,
                                   EventType... events) {
        return new Integration(name, url, Set.of(events), format, "TEST_SECRET", SECRET, confidential);
    }

    /** Starts delivering to these integrations as consumer {@code consumer}. */
    Webhooks start(String consumer, Retries retries, Integration... integrations) {
        var webhooks = new Webhooks(List.of(integrations), service, feed, Clock.systemUTC(), consumer, retries, TIMEOUT,
                receipts).start();
        started.add(webhooks);
        return webhooks;
    }

    Webhooks start(Integration... integrations) { return start("test", FAST, integrations); }

    <T extends AutoCloseable> T closeLater(T resource) {
        started.add(resource);
        return resource;
    }

    RequestId open(String reason) {
        return open(TestPolicies.draft(reason));
    }

    RequestId open(Draft draft) {
        return ((Outcome.Applied) service.open(DEV, draft)).request().id();
    }

    /** Opens an availability request and has SRE and Release Engineering approve it. */
    RequestId approved() {
        var id = open("availability");
        service.approve(id, TestPolicies.SRE1, "sre");
        service.approve(id, TestPolicies.REL1, "releng");
        return id;
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                // best effort: the next test has its own prefix
            }
        }
    }
}
