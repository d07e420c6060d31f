package org.countersign.app;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves finished requests last changed more than the policy's {@code retain-for} ago to the {@link Archive}, a batch
 * at a time, so the live keys and indexes hold what people still look at and memory stops growing with history.
 * Several instances may sweep at once: each move is a compare-and-set on the request's version, so one moves it.
 */
public final class ArchiveSweeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ArchiveSweeper.class);
    static final int BATCH = 200;
    /** How often it sweeps (the first time a minute after start). */
    public static final Duration EVERY = Duration.ofHours(1);

    private final Archive archive;
    private final Supplier<Duration> retainFor;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        var t = new Thread(r, "archive-sweeper");
        t.setDaemon(true);
        return t;
    });

    /** @param retainFor the policy's {@code retain-for} now (read at every sweep, so a reload takes effect) */
    public ArchiveSweeper(Archive archive, Supplier<Duration> retainFor, Clock clock) {
        this.archive = archive;
        this.retainFor = retainFor;
        this.clock = clock;
    }

    /** Archives every request due now; how many this call moved. */
    public int sweepOnce() {
        var cutoff = clock.instant().minus(retainFor.get());
        int moved = 0;
        int skipped = 0; // opened before the cutoff, but changed since (or moved by another instance): left live
        while (true) {
            var due = archive.finishedOpenedBefore(cutoff, skipped, BATCH);
            for (var id : due) {
                if (archive.archive(id, cutoff)) moved++;
                else skipped++;
            }
            if (due.size() < BATCH) return moved;
        }
    }

    public ArchiveSweeper start(Duration interval) {
        timer.scheduleWithFixedDelay(this::sweepQuietly, Math.min(interval.toMillis(), 60_000), interval.toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    private void sweepQuietly() {
        try {
            long started = System.nanoTime();
            int n = sweepOnce();
            if (n > 0) log.info("archived {} finished request(s) older than retain-for {} in {} ms", n, retainFor.get(),
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
        } catch (RuntimeException e) {
            log.warn("archive sweep failed; will try again: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
