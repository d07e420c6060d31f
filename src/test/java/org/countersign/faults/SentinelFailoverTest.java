package org.countersign.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.app.StoreUnavailable;
import org.countersign.domain.Actor;
import org.countersign.domain.Approval;
import org.countersign.domain.Outcome;
import org.countersign.domain.Platform;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.countersign.store.RealRedis;
import org.countersign.store.RealSentinel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as Main starts it on a Sentinel-watched master (Debian's redis-server and redis-sentinel: a master, two
 * replicas, three Sentinels) with REDIS_MIN_REPLICAS=1, taking approvals from a few threads; the master is killed with
 * SIGKILL in the middle. The service finds the new master through Sentinel by itself, and every approval it
 * acknowledged is still there. The figures go to target/failover.txt.
 */
class SentinelFailoverTest {
    static final int THREADS = 4;
    static final Duration BEFORE_KILL = Duration.ofMillis(1_500);
    static final Duration RECOVERY = Duration.ofSeconds(30);
    static final int WRITES_AFTER_RECOVERY = 40;
    static final Actor DEV = new Actor(Platform.CONSOLE, "dev");
    static final Actor ALICE = new Actor(Platform.CONSOLE, "alice");
    static final Actor CAROL = new Actor(Platform.CONSOLE, "carol");

    @TempDir
    Path dir;

    /** An approval the service answered Applied to, and when the call began. */
    record Acked(RequestId id, String team, Actor by, long startedNanos) {}

    @Test
    void a_master_killed_in_the_middle_of_approvals_is_replaced_through_sentinel_and_no_acknowledged_approval_is_lost()
            throws Exception {
        try (var topology = RealSentinel.start(dir, 2, 3)) {
            var env = new HashMap<String, String>();
            env.put("REDIS_URL", topology.url());
            env.put("REDIS_MIN_REPLICAS", "1");
            env.put("PORT", String.valueOf(Http.freePort()));
            env.put("DATA_DIR", dir.resolve("data").toString());
            try (var countersign = Main.start(Config.fromEnv(env))) {
                var service = countersign.service();
                var acked = new ConcurrentLinkedQueue<Acked>();
                var opened = new ConcurrentLinkedQueue<RequestId>();
                var failures = new AtomicInteger();
                var broken = new ConcurrentLinkedQueue<String>();
                var stop = new AtomicBoolean();
                var killedAt = new AtomicLong(Long.MAX_VALUE);
                var workers = new ArrayList<Thread>();
                for (int t = 0; t < THREADS; t++) {
                    var worker = new Thread(() -> {
                        while (!stop.get()) {
                            var open = untilApplied(stop, failures, () -> service.open(DEV, TestPolicies.draft("availability")));
                            if (open == null) return;
                            if (!(open instanceof Outcome.Applied)) continue;
                            var id = ((Outcome.Applied) open).request().id();
                            opened.add(id);
                            for (var step : List.of(new Object[] {ALICE, "sre"}, new Object[] {CAROL, "releng"})) {
                                var by = (Actor) step[0];
                                var team = (String) step[1];
                                long[] began = new long[1];
                                var outcome = untilApplied(stop, failures, () -> {
                                    began[0] = System.nanoTime();
                                    return service.approve(id, by, team);
                                });
                                    if (outcome == null) return;
                                if (outcome instanceof Outcome.Applied) acked.add(new Acked(id, team, by, began[0]));
                            }
                        }
                    }, "approver-" + t);
                    worker.setUncaughtExceptionHandler((thread, e) -> broken.add(thread.getName() + ": " + trace(e)));
                    worker.start();
                    workers.add(worker);
                }

                Thread.sleep(BEFORE_KILL.toMillis());
                var oldMaster = topology.master().port();
                int ackedBeforeKill = acked.size();
                killedAt.set(System.nanoTime());
                topology.master().kill();
                RealRedis.await(WRITES_AFTER_RECOVERY + " approvals acknowledged after the kill", RECOVERY,
                        () -> acked.stream().filter(a -> a.startedNanos() > killedAt.get()).count() >= WRITES_AFTER_RECOVERY);
                stop.set(true);
                for (var worker : workers) worker.join(10_000);

                assertThat(topology.masterPortNow()).as("Sentinel's master after the failover").isNotEqualTo(oldMaster);
                double recovered = acked.stream().filter(a -> a.startedNanos() > killedAt.get())
                        .mapToLong(Acked::startedNanos).min().orElseThrow() - killedAt.get();
                var lost = new ArrayList<Acked>();
                for (var a : acked) {
                    var request = service.find(a.id());
                    if (request.isEmpty() || request.get().approvals().stream()
                            .noneMatch(x -> x.team().equals(a.team()) && x.by().equals(a.by())))
                        lost.add(a);
                }
                var missingRequests = opened.stream().filter(id -> service.find(id).isEmpty()).toList();
                var figures = String.format(Locale.ROOT, """
                        Sentinel failover (Debian redis-server %s: a master, 2 replicas, 3 Sentinels; \
                        down-after-milliseconds %d, failover-timeout %d), REDIS_MIN_REPLICAS=1, %d threads
                        seconds from SIGKILL to the first acknowledged write after it: %.2f
                        approvals acknowledged: %d (%d before the kill); kept after the failover: %d; lost: %d
                        requests opened: %d; missing after the failover: %d
                        calls refused while the master was gone (the caller told to try again): %d
                        """, redisVersion(topology), RealSentinel.DOWN_AFTER.toMillis(), RealSentinel.FAILOVER_TIMEOUT.toMillis(), THREADS, recovered / 1e9,
                        acked.size(), ackedBeforeKill, acked.size() - lost.size(), lost.size(), opened.size(),
                        missingRequests.size(), failures.get());
                Files.createDirectories(Path.of("target"));
                Files.writeString(Path.of("target", "failover.txt"), figures);
                System.out.print(figures);

                assertThat(broken).as("approver threads that broke").isEmpty();
                assertThat(ackedBeforeKill).as("approvals before the kill").isPositive();
                assertThat(lost).as("acknowledged approvals missing after the failover").isEmpty();
                assertThat(missingRequests).as("opened requests missing after the failover").isEmpty();
                for (var id : opened.stream().distinct().toList())
                    assertThat(service.find(id).orElseThrow().approvals()).extracting(Approval::person)
                            .doesNotHaveDuplicates();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n" + topology.logs(), e);
            }
        }
    }

    /**
     * Calls {@code action} until the service answers, trying again when it says the store is unavailable, as a person
     * would; null once told to stop. A refusal is a bug on a first try, but not after a failed one, which may have been
     * recorded (so the request is approved already).
     */
    private static Outcome untilApplied(AtomicBoolean stop, AtomicInteger failures, Supplier<Outcome> action) {
        boolean failedBefore = false;
        while (!stop.get()) {
            try {
                var outcome = action.get();
                if (!(outcome instanceof Outcome.Applied) && !failedBefore)
                    throw new AssertionError("not applied on a first try: " + outcome);
                return outcome;
            } catch (StoreUnavailable e) {
                failedBefore = true;
                failures.incrementAndGet(); // the master is gone: the caller was told to try again
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    return null;
                }
            }
        }
        return null;
    }

    /** The exception and the first frames where it was thrown (a stack overflow's whole trace is too long to read). */
    private static String trace(Throwable e) {
        var text = new StringBuilder(e.toString());
        var frames = e.getStackTrace();
        for (int i = 0; i < Math.min(frames.length, 40); i++) text.append("\n\tat ").append(frames[i]);
        return text.toString();
    }

    private static String redisVersion(RealSentinel topology) {
        var port = topology.masterPortNow();
        var server = topology.servers().stream().filter(s -> s.port() == port).findFirst().orElseThrow();
        try (var jedis = server.jedis()) {
            return jedis.info("server").lines().filter(l -> l.startsWith("redis_version:")).findFirst()
                    .map(l -> l.substring("redis_version:".length()).strip()).orElse("?");
        }
    }
}
