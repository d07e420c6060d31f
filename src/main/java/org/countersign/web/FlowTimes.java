package org.countersign.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;

/**
 * How long requests take, as histograms, counted by the instance that applied the transition: from opened to
 * approved (at {@code request.approved}, break-glass included), and from approved to deployed (at a
 * {@code deploy.finished} that succeeded, from the last approval in the request's timeline).
 */
final class FlowTimes {
    static final Duration[] BUCKETS = {Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5),
            Duration.ofMinutes(10), Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1),
            Duration.ofHours(2), Duration.ofHours(4), Duration.ofHours(8), Duration.ofHours(24)};

    private final Timer toApproval;
    private final Timer toDeploy;
    private final Function<RequestId, List<Event>> timeline;

    /** @param timeline a request's events, oldest first; null when no store is at hand (no deploy times then) */
    FlowTimes(MeterRegistry registry, Function<RequestId, List<Event>> timeline) {
        this.timeline = timeline;
        toApproval = histogram(registry, "countersign.time.to.approval", "Time from a request opened to approved");
        toDeploy = histogram(registry, "countersign.time.to.deploy",
                "Time from a request approved to its deploy finished successfully");
    }

    private static Timer histogram(MeterRegistry registry, String name, String description) {
        return Timer.builder(name).description(description).serviceLevelObjectives(BUCKETS).register(registry);
    }

    void accept(Applied applied) {
        var r = applied.request();
        for (var e : applied.events()) {
            if (e.type() == EventType.REQUEST_APPROVED && r.created() != null) record(toApproval, r.created(), e.at());
            else if (e.type() == EventType.DEPLOY_FINISHED && e.state() == State.DEPLOYED && timeline != null)
                approvedAt(timeline.apply(r.id())).ifPresent(at -> record(toDeploy, at, e.at()));
        }
    }

    static java.util.Optional<Instant> approvedAt(List<Event> timeline) {
        Instant at = null;
        for (var e : timeline) if (e.type() == EventType.REQUEST_APPROVED) at = e.at();
        return java.util.Optional.ofNullable(at);
    }

    private static void record(Timer timer, Instant from, Instant to) {
        var took = Duration.between(from, to);
        if (!took.isNegative()) timer.record(took);
    }
}
