package org.countersign.web;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.countersign.app.EventFeed;
import org.countersign.app.RequestStore;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.State;

/**
 * What the metrics read from Redis at each scrape, so every instance reports the shared truth: requests by state,
 * pending requests nobody approved yet and how soon they expire, each consumer group's backlog, and whether Redis
 * answered. When Redis does not answer, the last values stay and {@code countersign_redis_up} is 0.
 */
final class StoreGauges {
    /** The windows {@code countersign_requests_pending_unapproved_expiring{within}} counts in. */
    static final Map<String, Duration> EXPIRING_WITHIN = Map.of("5m", Duration.ofMinutes(5), "15m",
            Duration.ofMinutes(15), "1h", Duration.ofHours(1));
    /** At most this many pending requests are read at a scrape. */
    static final int PENDING_READ_MAX = 1000;

    private final MeterRegistry registry;
    private final Supplier<Map<State, Long>> countByState;
    private final RequestStore store;
    private final EventFeed feed;
    private final Clock clock;
    private final Map<State, AtomicLong> byState = new EnumMap<>(State.class);
    private final AtomicLong unapproved = new AtomicLong();
    private final Map<String, AtomicLong> expiring = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong[]> groups = new ConcurrentHashMap<>();
    private final AtomicLong redisUp = new AtomicLong(1);

    /** @param store and {@code feed}: null to report requests by state only (what tests of other parts need) */
    StoreGauges(MeterRegistry registry, Supplier<Map<State, Long>> countByState, RequestStore store, EventFeed feed,
                Clock clock) {
        this.registry = registry;
        this.countByState = countByState;
        this.store = store;
        this.feed = feed;
        this.clock = clock;
        for (var state : State.values()) {
            var value = new AtomicLong();
            byState.put(state, value);
            Gauge.builder("countersign.requests", value, AtomicLong::get)
                    .description("Stored requests by state").tag("state", state.name()).register(registry);
        }
        Gauge.builder("countersign.redis.up", redisUp, AtomicLong::get)
                .description("1 when this instance's last scrape read Redis, else 0").register(registry);
        if (store == null) return;
        Gauge.builder("countersign.requests.pending.unapproved", unapproved, AtomicLong::get)
                .description("Pending requests that no team has approved yet").register(registry);
        EXPIRING_WITHIN.forEach((label, d) -> Gauge.builder("countersign.requests.pending.unapproved.expiring",
                        expiring.computeIfAbsent(label, k -> new AtomicLong()), AtomicLong::get)
                .description("Pending requests that no team has approved yet and that expire within the window")
                .tag("within", label).register(registry));
    }

    /** Reads everything afresh; on a Redis failure keeps the last values and says Redis is down. */
    void refresh() {
        try {
            var counts = countByState.get();
            byState.forEach((state, value) -> value.set(counts.getOrDefault(state, 0L)));
            if (store != null) pending(store.recent(Set.of(State.PENDING), PENDING_READ_MAX));
            if (feed != null) feed.backlogs().forEach(this::backlog);
            redisUp.set(1);
        } catch (RuntimeException e) {
            redisUp.set(0);
        }
    }

    private void pending(List<EmergencyRequest> requests) {
        var now = clock.instant();
        var none = requests.stream().filter(r -> r.approvals().isEmpty() && r.expires() != null).toList();
        unapproved.set(none.size());
        EXPIRING_WITHIN.forEach((label, d) -> expiring.get(label).set(none.stream()
                .filter(r -> !r.expires().isAfter(now.plus(d))).count()));
    }

    private void backlog(EventFeed.Backlog b) {
        var values = groups.computeIfAbsent(b.group(), this::register);
        values[0].set(b.lag());
        values[1].set(b.pending());
        values[2].set(b.deadLetters());
    }

    private AtomicLong[] register(String group) {
        var values = new AtomicLong[] {new AtomicLong(), new AtomicLong(), new AtomicLong()};
        Gauge.builder("countersign.consumer.lag", values[0], AtomicLong::get).tag("group", group)
                .description("Events in the stream that no consumer of the group has received yet").register(registry);
        Gauge.builder("countersign.consumer.pending", values[1], AtomicLong::get).tag("group", group)
                .description("Events the group received and has not acknowledged yet (being handled or retried)")
                .register(registry);
        Gauge.builder("countersign.consumer.dead.letters", values[2], AtomicLong::get).tag("group", group)
                .description("Events the group gave up on and set aside (GET /api/webhooks/dead-letters lists a "
                        + "webhook's)").register(registry);
        return values;
    }
}
