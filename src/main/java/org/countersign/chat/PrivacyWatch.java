package org.countersign.chat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.countersign.app.KeyValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that one platform's security channel or room is private, at start and every {@code interval}, on a thread of
 * its own. While the last check found it readable by others, or no check has succeeded, or the last success is older
 * than two intervals, {@link #problem()} says why: confidential requests are then refused and their cards held back.
 * Each change is logged (an error when it stops being private) and told once in the ops room, with no request's
 * text; when it is private again, {@link #whenPrivate} listeners post what was held back.
 */
public final class PrivacyWatch implements Privacy, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PrivacyWatch.class);
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
    /** After a failed call, the next try comes this soon at the latest. */
    static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(30);
    /** How long {@link #start} waits for the first answer, so a normal start is ready for security requests at once. */
    static final Duration FIRST_CHECK_WAIT = Duration.ofSeconds(5);
    /** An ops-room warning is repeated this often while the room stays exposed. */
    static final Duration TOLD_MEMORY = Duration.ofDays(1);

    /** One platform's side of the check. */
    public interface Probe {
        /** The platform's name, the prefix of its keys: {@code slack}. */
        String platform();

        /** The security channel's or room's id. */
        String place();

        /** {@code the security channel G0SECURE}. */
        String describe();

        /** The setting that names it ({@code SLACK_SECURITY_CHANNEL}), for what to do. */
        String setting();

        /**
         * Asks the platform now: empty when the place is private, else what makes it readable by others ({@code
         * Slack says is_private is false}). Throws when the platform did not answer or would not say.
         */
        Optional<String> exposure() throws Exception;

        /** Posts a short notice in the ops channel or room; the text never holds a request's text. */
        void tellOps(String text) throws Exception;
    }

    /** What the last checks found: {@code exposure} of the last answer (null: private), and the last failure. */
    private record Found(boolean answered, String exposure, Instant privateAt, String failure) {}

    private final Probe probe;
    private final KeyValues kv;
    private final Duration interval;
    private final Clock clock;
    private final ScheduledExecutorService checker;
    private final List<Runnable> whenPrivate = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstCheck = new CountDownLatch(1);
    private volatile Found found = new Found(false, null, null, null);
    private Boolean wasPrivate; // only the checker thread touches it

    public PrivacyWatch(Probe probe, KeyValues kv, Duration interval, Clock clock) {
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval <= 0: " + interval);
        this.probe = probe;
        this.kv = kv;
        this.interval = interval;
        this.clock = clock;
        this.checker = Executors.newSingleThreadScheduledExecutor(r -> {
            var t = new Thread(r, probe.platform() + "-privacy");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code listener} (on the checker's thread) each time the place is found private after it was not, or first. */
    public PrivacyWatch whenPrivate(Runnable listener) {
        whenPrivate.add(listener);
        return this;
    }

    /** Checks now, in the background, and again every interval; waits a little for the first answer. */
    public PrivacyWatch start() {
        schedule(Duration.ZERO);
        try {
            if (!firstCheck.await(FIRST_CHECK_WAIT.toMillis(), TimeUnit.MILLISECONDS))
                log.warn("{} has not answered yet whether {} is private; security requests are refused until it does",
                        probe.platform(), probe.describe());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return this;
    }

    @Override
    public Optional<String> problem() {
        var now = found;
        if (!now.answered())
            return Optional.of(probe.describe() + " could not be checked to be private yet"
                    + (now.failure() == null ? "" : " (" + now.failure() + ")"));
        if (now.exposure() != null) return Optional.of(probe.describe() + " is not private (" + now.exposure() + ")");
        if (now.failure() != null && !clock.instant().isBefore(now.privateAt().plus(trustedFor())))
            return Optional.of(probe.describe() + " has not been checked to be private since " + now.privateAt()
                    + " (" + now.failure() + ")");
        return Optional.empty();
    }

    /** A success is trusted this long while later checks fail. */
    Duration trustedFor() { return interval.multipliedBy(2); }

    /** One check, then the next one scheduled: sooner after a failure. */
    void check() {
        boolean failed = probeOnce();
        try {
            changed(problem());
        } finally {
            schedule(failed && RETRY_AFTER_FAILURE.compareTo(interval) < 0 ? RETRY_AFTER_FAILURE : interval);
        }
    }

    /**
     * Checks again now, on the checker's thread, besides the regular checks: for a platform that tells when the place
     * changed (IRC's MODE), so a channel that stops being secret is treated as open at once.
     */
    public void recheck() {
        try {
            checker.execute(() -> {
                probeOnce();
                changed(problem());
            });
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** One question to the platform; true when it failed. */
    private boolean probeOnce() {
        boolean failed = false;
        try {
            var exposure = probe.exposure();
            found = new Found(true, exposure.orElse(null), exposure.isEmpty() ? clock.instant() : found.privateAt(), null);
        } catch (Exception e) {
            failed = true;
            var last = found;
            found = new Found(last.answered(), last.exposure(), last.privateAt(), String.valueOf(e.getMessage()));
            log.warn("could not check that {} is private: {}", probe.describe(), e.getMessage());
        } finally {
            firstCheck.countDown();
        }
        return failed;
    }

    private void changed(Optional<String> problem) {
        boolean nowPrivate = problem.isEmpty();
        if (!nowPrivate) {
            var line = "Confidential cards are held back and security requests refused: {}. Make it private, or set {} "
                    + "to a private one";
            if (Boolean.FALSE.equals(wasPrivate)) log.warn(line, problem.get(), probe.setting());
            else log.error(line, problem.get(), probe.setting());
            // Every instance checks; the first to see it tells the ops room, once a day while it lasts.
            if (kvSays(() -> kv.putIfAbsent(toldKey(), "exposed", TOLD_MEMORY)))
                tell("⚠️ Countersign: " + problem.get() + ". Until it is private, confidential cards are held back and "
                        + "security requests are refused: make it private, or set " + probe.setting()
                        + " to a private one.");
        } else if (!Boolean.TRUE.equals(wasPrivate)) {
            log.info("{} is private: confidential cards go there", probe.describe());
            if (kvSays(() -> kv.get(toldKey()).isPresent())) {
                kvSays(() -> { kv.delete(toldKey()); return true; });
                tell("Countersign: " + probe.describe() + " is private again; confidential cards held back are "
                        + "posted there now.");
            }
            for (var listener : whenPrivate) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    log.warn("after {} turned private: {}", probe.describe(), e.toString());
                }
            }
        }
        wasPrivate = nowPrivate;
    }

    /** A question to the shared store; false when it cannot answer (the notice is then left out, the rest goes on). */
    private boolean kvSays(java.util.function.BooleanSupplier question) {
        try {
            return question.getAsBoolean();
        } catch (RuntimeException e) {
            log.warn("could not record the notice about {}: {}", probe.describe(), e.toString());
            return false;
        }
    }

    private void tell(String text) {
        try {
            probe.tellOps(text);
        } catch (Exception e) {
            log.warn("could not tell the {} ops room that {}: {}", probe.platform(), text, e.toString());
        }
    }

    private String toldKey() { return probe.platform() + ":privacy-told:" + probe.place(); }

    private void schedule(Duration after) {
        try {
            checker.schedule(this::check, after.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    @Override
    public void close() { checker.shutdownNow(); }
}
