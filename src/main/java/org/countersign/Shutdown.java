package org.countersign;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.countersign.web.Draining;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM, as a rolling deploy sends it: the instance says it is not ready and refuses new changes at once, hands its
 * leases back (the Matrix sync is taken by another instance within a second or two), lets the changes in flight be
 * answered and the events in delivery finish, hands the events it still held back to the other instances, and exits 0.
 */
final class Shutdown {
    private static final Logger log = LoggerFactory.getLogger(Shutdown.class);
    /** How long the changes in flight (Slack acks, API calls) may take to be answered before the rest stops anyway. */
    static final Duration IN_FLIGHT = Duration.ofSeconds(10);

    private Shutdown() {}

    /** On SIGTERM, {@link Main.Running#stop} and exit 0; a second SIGTERM while stopping changes nothing. */
    static void onSigterm(Main.Running running) {
        var once = new AtomicBoolean();
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> {
                if (!once.compareAndSet(false, true)) return;
                var stopping = new Thread(() -> {
                    running.stop();
                    System.exit(0);
                }, "countersign-sigterm");
                stopping.start();
            });
        } catch (IllegalArgumentException e) {
            log.warn("SIGTERM cannot be handled here ({}); it stops the service without draining", e.getMessage());
        }
    }

    static void drain(Draining draining, List<AutoCloseable> handOver, Main.Running running) {
        long started = System.nanoTime();
        draining.begin();
        log.info("Stopping: not ready, new changes refused; handing back {} lease(s), {} change(s) in flight",
                handOver.size(), draining.inFlight());
        for (var part : handOver) {
            try {
                part.close();
            } catch (Exception e) {
                log.warn("while handing back: {}", e.toString());
            }
        }
        try {
            if (!draining.awaitIdle(IN_FLIGHT))
                log.warn("{} change(s) still unanswered after {}; stopping anyway", draining.inFlight(), IN_FLIGHT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running.close();
        log.info("Stopped in {} ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
    }
}
