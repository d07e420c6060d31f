package org.countersign.app;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;

/** Where requests live. Every change is written whole, with its timeline entries and events, or not at all. */
public interface RequestStore {
    /** A fresh, never reused id. */
    RequestId nextId();

    Optional<EmergencyRequest> find(RequestId id);

    /**
     * {@link #find}, after one action of {@code caller} is counted by {@code limiter} under {@code rate}: the read an
     * action on a request starts with. When the count is refused, nothing is read. A store on the limiter's Redis does
     * both in one round trip.
     */
    default RateLimiter.Counted<Optional<EmergencyRequest>> find(RequestId id, RateLimiter limiter, String caller,
                                                                 RateLimiter.Limit rate) {
        var wait = limiter.tryAcquire(caller, rate);
        return wait.isPresent() ? RateLimiter.Counted.held(wait.get()) : RateLimiter.Counted.read(find(id));
    }

    /**
     * Writes the request, appends its events to its timeline and to the events stream, and updates the
     * indexes, in one atomic step. {@code expectedVersion} is the version the change was computed from
     * (0 to create); returns false, writing nothing, when the stored version is another.
     */
    boolean save(EmergencyRequest request, long expectedVersion, List<Event> events);

    /** The request's events, oldest first. */
    List<Event> timeline(RequestId id);

    /** The most recently opened requests in any of {@code states} (all states when empty), newest first. */
    List<EmergencyRequest> recent(Set<State> states, int limit);

    /**
     * {@link #recent}, after one action of {@code caller} is counted by {@code limiter} under {@code rate}; when the
     * count is refused, nothing is read. A store on the limiter's Redis does both in one round trip.
     */
    default RateLimiter.Counted<List<EmergencyRequest>> recent(Set<State> states, int limit, RateLimiter limiter,
                                                               String caller, RateLimiter.Limit rate) {
        var wait = limiter.tryAcquire(caller, rate);
        return wait.isPresent() ? RateLimiter.Counted.held(wait.get()) : RateLimiter.Counted.read(recent(states, limit));
    }

    /** Every request, oldest first, {@code limit} from {@code offset}: how the audit export walks the history. */
    List<EmergencyRequest> opened(long offset, int limit);

    /** The timelines of {@code ids}, in that order. */
    default List<List<Event>> timelines(List<RequestId> ids) {
        return ids.stream().map(this::timeline).toList();
    }

    /**
     * Requests whose {@link EmergencyRequest#deadline() deadline} is at or before {@code now}, soonest first: pending
     * ones past their expiry, approved ones whose approvals went stale.
     */
    List<RequestId> dueForExpiry(Instant now, int limit);

    Map<State, Long> countByState();

    /** The highest request number handed out so far (0 before the first). */
    long highestNumber();

    /**
     * Every request numbered {@code from} to {@code from + count - 1} that exists, live or {@link Archive archived}, with
     * its timeline, by number: how the audit export walks the whole history.
     */
    List<Kept> history(long from, int count);

    /** A request and its timeline, oldest event first. */
    record Kept(EmergencyRequest request, List<Event> timeline) {}
}
