package org.countersign.github;

import io.javalin.config.RoutesConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import org.countersign.app.EventFeed;
import org.countersign.app.KeyValues;
import org.countersign.app.RequestService;
import org.countersign.app.StreamConsumer;
import org.countersign.app.StreamConsumer.Retries;

/**
 * Countersign as a GitHub App's custom deployment protection rule: the webhook route ({@code POST /webhooks/github})
 * and the consumer that answers GitHub when a request is decided. Start it, mount it with the adapters, close it to stop.
 */
public final class GithubDeployments implements Consumer<RoutesConfig>, AutoCloseable {
    /** 1 s doubling to 15 min between tries, for at least 24 h: GitHub keeps a run waiting for up to 30 days. */
    public static final Retries RETRIES = Retries.forAtLeast(Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofMinutes(15));
    public static final String PATH = GithubWebhook.PATH;

    private final EventFeed feed;
    private final String instance;
    private final GithubAnswers answers;
    private final GithubWebhook webhook;
    private final Retries retries;
    private StreamConsumer consumer;

    public GithubDeployments(GithubSettings settings, GithubGate gate, RequestService service, KeyValues kv,
                             EventFeed feed, Clock clock, String instance) {
        this(settings, gate, service, kv, feed, clock, instance, RETRIES);
    }

    public GithubDeployments(GithubSettings settings, GithubGate gate, RequestService service, KeyValues kv,
                             EventFeed feed, Clock clock, String instance, Retries retries) {
        this.feed = feed;
        this.instance = instance;
        this.retries = retries;
        var links = new Links(kv, instance);
        this.answers = new GithubAnswers(service, links, new GithubApp(settings, clock), retries);
        this.webhook = new GithubWebhook(settings.webhookSecret(), settings.apiUrl(), gate,
                new Gates(service, links, gate), links, answers, kv);
    }

    /** Joins the {@code github} consumer group of the events stream and starts answering. */
    public synchronized GithubDeployments start() {
        if (consumer == null) consumer = new StreamConsumer(feed, GithubAnswers.GROUP, instance, answers, retries).start();
        return this;
    }

    @Override
    public void accept(RoutesConfig routes) { webhook.accept(routes); }

    @Override
    public synchronized void close() {
        if (consumer != null) consumer.close();
        answers.close();
    }
}
