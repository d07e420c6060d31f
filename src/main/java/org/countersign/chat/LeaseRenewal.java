package org.countersign.chat;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.countersign.app.Leases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a held card lease from expiring while a platform call is slow (Slack's Retry-After waits, a homeserver that
 * hangs): renews it every third of its length until {@link #close}. A fast call ends before the first renewal, so it
 * costs no Redis command. Once a renewal finds the lease gone, {@link #lost} says so and renewing stops.
 */
final class LeaseRenewal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseRenewal.class);

    private final Leases leases;
    private final String lease;
    private final String holder;
    private final Duration ttl;
    private volatile ScheduledFuture<?> task;
    private volatile boolean lost;

    private LeaseRenewal(ScheduledExecutorService scheduler, Leases leases, String lease, String holder, Duration ttl) {
        this.leases = leases;
        this.lease = lease;
        this.holder = holder;
        this.ttl = ttl;
        long every = Math.max(1, ttl.toMillis() / 3);
        this.task = scheduler.scheduleAtFixedRate(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /** One daemon thread per publisher: renewals are rare and short. */
    static ScheduledExecutorService scheduler(String platform) {
        var scheduler = (ScheduledThreadPoolExecutor) Executors.newScheduledThreadPool(1, run -> {
            var thread = new Thread(run, platform + "-card-lease-renewal");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }

    /** Starts renewing {@code lease}, which {@code holder} holds for {@code ttl}. */
    static LeaseRenewal start(ScheduledExecutorService scheduler, Leases leases, String lease, String holder,
                              Duration ttl) {
        return new LeaseRenewal(scheduler, leases, lease, holder, ttl);
    }

    /** True once the lease expired under us: another instance may be working on the card now. */
    boolean lost() { return lost; }

    private void renew() {
        if (lost) return;
        try {
            if (leases.renew(lease, holder, ttl)) return;
            lost = true;
            log.warn("the lease {} of {} expired during a slow call; another instance may hold it now", lease, holder);
            var running = task;
            if (running != null) running.cancel(false);
        } catch (RuntimeException e) {
            // Redis unreachable for a moment: the lease may still be ours, so try again at the next tick.
            log.warn("could not renew the lease {}: {}", lease, e.getMessage());
        }
    }

    @Override
    public void close() { task.cancel(false); }
}
