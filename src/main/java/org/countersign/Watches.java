package org.countersign;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.countersign.app.KeyValues;
import org.countersign.chat.PrivacyWatch;
import org.countersign.web.Metrics;

/** The privacy checks of the security channel and room: each stopped with the service, counted in the metrics. */
record Watches(KeyValues kv, Duration interval, Clock clock, Metrics metrics, Main.Running running,
              List<PrivacyWatch> all) {
    Watches(KeyValues kv, Duration interval, Clock clock, Metrics metrics, Main.Running running) {
        this(kv, interval, clock, metrics, running, new java.util.concurrent.CopyOnWriteArrayList<>());
    }

    /** A watch of {@code probe}'s place, not started yet. */
    PrivacyWatch watch(PrivacyWatch.Probe probe) {
        var watch = new PrivacyWatch(probe, kv, interval, clock);
        all.add(watch);
        running.add(watch);
        metrics.watch(probe.platform(), watch);
        return watch;
    }

    /** Why confidential cards are held back now, one line per platform. */
    List<String> problems() { return all.stream().flatMap(w -> w.problem().stream()).toList(); }
}
