package org.countersign.app;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.countersign.domain.Event;

/**
 * The events stream as consumer groups see it: each group gets every event at least once, and an event
 * stays pending for its group until acknowledged, so side effects survive restarts.
 */
public interface EventFeed {
    /** Creates the group if it does not exist yet; a new group starts with the events written after now. */
    void join(String group);

    /** Events this consumer received before and has not acknowledged yet (after a restart), oldest first. */
    List<Delivery> unacknowledged(String group, String consumer, int count);

    /** Events no consumer of the group has received yet, waiting up to {@code block} for one. */
    List<Delivery> next(String group, String consumer, int count, Duration block);

    /** Takes over events another consumer received but left unacknowledged for longer than {@code idle}. */
    List<Delivery> claimAbandoned(String group, String consumer, Duration idle, int count);

    void acknowledge(String group, Delivery delivery);

    /** Acknowledges every one of {@code deliveries}: a feed that can, in one call. */
    default void acknowledge(String group, List<Delivery> deliveries) {
        for (var delivery : deliveries) acknowledge(group, delivery);
    }

    /**
     * Keeps {@code delivery} ours while we still work on it (retrying a peer that is down): resets its idle time, so
     * another consumer's {@link #claimAbandoned} does not take it and deliver it a second time.
     */
    void keep(String group, String consumer, Delivery delivery);

    /**
     * Hands back every event this consumer holds and has not acknowledged (it is stopping): another consumer's next
     * {@link #claimAbandoned} takes them at once, as if they had long been idle. How many there were.
     */
    int handBack(String group, String consumer);

    /** Keeps an event the group gave up on, with the reason, where people can see it. */
    void deadLetter(String group, Delivery delivery, String reason);

    /** What the group set aside, newest first, at most {@code limit}. */
    List<DeadLetter> deadLettersOf(String group, int limit);

    /**
     * Every event written after stream position {@code after} (null: after the newest one now), waiting up to
     * {@code block} for one, without a consumer group: for live views, where each instance shows every event to
     * its own browsers and nothing is acknowledged. Pass the answer's position to the next call to miss nothing.
     */
    Tail tail(String after, int count, Duration block);

    /** The position of the newest event now ({@code 0-0} when there is none): {@link #tail} from it reads what comes next. */
    String newest();

    /**
     * Each consumer group's backlog now, by group name: read at a metrics scrape, so it asks the store for little. Empty
     * when nothing has joined yet.
     */
    default List<Backlog> backlogs() { return List.of(); }

    /**
     * A group's backlog: events written that no consumer of the group has received yet ({@code lag}), received but not
     * acknowledged ({@code pending}), and set aside ({@code deadLetters}).
     */
    record Backlog(String group, long lag, long pending, long deadLetters) {}

    /** Events read by {@link #tail}, and the position to read on from. */
    record Tail(String position, List<Delivery> deliveries) {
        public Tail {
            deliveries = List.copyOf(deliveries);
        }
    }

    /** An event as delivered to a consumer; {@code deliveryId} is its position in the stream. */
    record Delivery(String deliveryId, Event event) {}

    /**
     * An event a group gave up on, why, and when. An entry that could not be read (or was gone) has no {@code event}
     * but the stream entry's fields as they were, {@code raw} (empty when nothing was left of it).
     */
    record DeadLetter(String deliveryId, Event event, String reason, Instant at, java.util.Map<String, String> raw) {
        public DeadLetter {
            raw = raw == null ? java.util.Map.of() : java.util.Map.copyOf(raw);
        }

        public DeadLetter(String deliveryId, Event event, String reason, Instant at) {
            this(deliveryId, event, reason, at, null);
        }
    }
}
