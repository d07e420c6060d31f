package org.countersign.webhook;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.countersign.app.EventFeed;
import org.countersign.app.RequestService;
import org.countersign.app.StreamConsumer;
import org.countersign.app.StreamConsumer.Retries;
import org.countersign.app.Telemetry;
import org.countersign.receipt.Receipts;

/**
 * Outbound webhooks: one consumer group per integration ({@code webhook:<name>}), so a slow or dead endpoint
 * delays only its own deliveries, never the others or the chat ack. At least once, in order per integration;
 * the event id is the delivery id on every try.
 */
public final class Webhooks implements AutoCloseable {
    /** 5 s per try; 1 s doubling to 15 min between tries, with jitter; dead-lettered after 24 h of failures. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);
    public static final Retries RETRIES = Retries.forAtLeast(Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofMinutes(15));

    private final List<Integration> integrations;
    private final RequestService service;
    private final EventFeed feed;
    private final Clock clock;
    private final String consumer;
    private final Retries retries;
    private final Duration timeout;
    private final HttpClient http;
    private final Receipts receipts;
    private final List<StreamConsumer> running = new ArrayList<>();
    private Telemetry telemetry = Telemetry.NONE;

    /**
     * @param consumer this instance's name among the consumers of each group
     * @param receipts signs the receipt an approval (or the end of an approved request) carries; null for none
     */
    public Webhooks(List<Integration> integrations, RequestService service, EventFeed feed, Clock clock, String consumer,
                    Receipts receipts) {
        this(integrations, service, feed, clock, consumer, RETRIES, TIMEOUT, receipts);
    }

    Webhooks(List<Integration> integrations, RequestService service, EventFeed feed, Clock clock, String consumer,
             Retries retries, Duration timeout, Receipts receipts) {
        this.receipts = receipts;
        this.integrations = List.copyOf(integrations);
        this.service = service;
        this.feed = feed;
        this.clock = clock;
        this.consumer = consumer;
        this.retries = retries;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Counts each delivery's tries by outcome there (before {@link #start()}). */
    public synchronized Webhooks counting(Telemetry telemetry) {
        this.telemetry = telemetry;
        return this;
    }

    /** Joins each integration's group and starts delivering on a thread per integration. */
    public synchronized Webhooks start() {
        for (var integration : integrations) {
            if (integration.format() == Integration.Format.IRC) continue; // the IRC bot says those lines
            var delivery = new WebhookDelivery(integration, service, http, timeout, clock, receipts, telemetry);
            running.add(new StreamConsumer(feed, integration.group(), consumer, delivery, retries).start());
        }
        return this;
    }

    public List<Integration> integrations() { return integrations; }

    @Override
    public synchronized void close() {
        running.forEach(StreamConsumer::close);
        running.clear();
    }
}
