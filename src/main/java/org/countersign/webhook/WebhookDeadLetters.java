package org.countersign.webhook;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.countersign.app.EventFeed;

/**
 * {@code GET /api/webhooks/dead-letters?limit=100}: the deliveries each integration gave up on, newest first, with
 * why. Only ids and types are shown: an event's text may belong to a confidential request.
 */
public final class WebhookDeadLetters implements Consumer<RoutesConfig> {
    public static final String PATH = "/api/webhooks/dead-letters";
    static final int LIMIT_MAX = 1000;

    private final List<Integration> integrations;
    private final EventFeed feed;

    public WebhookDeadLetters(List<Integration> integrations, EventFeed feed) {
        this.integrations = List.copyOf(integrations);
        this.feed = feed;
    }

    /** One delivery an integration gave up on. */
    public record Letter(String integration, String delivery, String type, String request, Instant occurredAt,
                         String reason, Instant at) {}

    /** The newest {@code limit} dead letters of every integration together, newest first. */
    public List<Letter> list(int limit) {
        var letters = new ArrayList<Letter>();
        for (var integration : integrations)
            for (var d : feed.deadLettersOf(integration.group(), limit))
                letters.add(d.event() != null ? new Letter(integration.name(), d.event().id(), d.event().type().wire(),
                        d.event().request().toString(), d.event().at(), d.reason(), d.at())
                        // an entry this version could not read, or one trimmed away: what its stream fields said
                        : new Letter(integration.name(), d.raw().getOrDefault("id", d.deliveryId()), d.raw().get("type"),
                        d.raw().get("request"), null, d.reason(), d.at()));
        letters.sort(Comparator.comparing(Letter::at).reversed());
        return letters.size() > limit ? List.copyOf(letters.subList(0, limit)) : letters;
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.get(PATH, this::handle);
    }

    private void handle(Context ctx) {
        var raw = ctx.queryParam("limit");
        int limit = 100;
        if (raw != null && !raw.isBlank()) {
            try {
                limit = Integer.parseInt(raw.strip());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > LIMIT_MAX) {
                ctx.status(400).json(Map.of("error", "limit must be a whole number from 1 to " + LIMIT_MAX
                        + ", not \"" + raw + "\""));
                return;
            }
        }
        ctx.json(Map.of("deadLetters", list(limit)));
    }
}
