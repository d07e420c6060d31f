package org.countersign.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the machine's cores went during a phase: the CPU time of the service's threads (by what they do), of Redis
 * (INFO's {@code used_cpu_*}) and of this JVM (the fake Slack and the load client; this JVM's main thread, JIT and GC
 * are left out), read before and after.
 * Throughput on a shared 2-core machine swings from run to run; the CPU an op costs each part swings far less, so it is
 * what a change is judged by. Threads are told apart by the name Linux keeps ({@code /proc/<pid>/task/<tid>/comm}, 15
 * characters); a thread that ended during the phase is counted in its process's "other".
 */
final class CpuMeter {
    /** The parts of a phase's CPU, in the order the report shows them. */
    static final List<String> PARTS = List.of("service: request threads", "service: card publisher",
            "service: JIT", "service: GC", "service: other", "Redis", "fake Slack", "load client");

    private static final double TICK_SECONDS = 0.01; // USER_HZ is 100 on Linux

    private final long servicePid;
    private final RedisProbe redis;

    /** @param redis null where the phase uses no Redis (the bare endpoint) */
    CpuMeter(long servicePid, RedisProbe redis) {
        this.servicePid = servicePid;
        this.redis = redis;
    }

    /** CPU seconds so far, by part. */
    Map<String, Double> read() {
        var parts = new LinkedHashMap<String, Double>();
        PARTS.forEach(p -> parts.put(p, 0.0));
        double serviceTotal = processSeconds(servicePid);
        double named = 0;
        for (var thread : threads(servicePid).entrySet()) {
            var part = servicePart(thread.getKey());
            if (part == null) continue;
            parts.merge(part, thread.getValue(), Double::sum);
            named += thread.getValue();
        }
        parts.put("service: other", serviceTotal - named);
        parts.put("Redis", redis == null ? 0 : redis.cpuSeconds());
        // This JVM less the thread reading (the benchmark's main thread) and its compiler and collector threads: the fake
        // Slack's request threads, which Jetty lets end when idle, and the load client's, which end with their phase
        // (perOp takes the load client's own out).
        double notFake = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9;
        long self = ProcessHandle.current().pid();
        for (var thread : threads(self).entrySet()) {
            var part = servicePart(thread.getKey());
            if ("service: JIT".equals(part) || "service: GC".equals(part)) notFake += thread.getValue();
        }
        parts.put("fake Slack", processSeconds(self) - notFake);
        return parts;
    }

    /**
     * {@code after - before}, per op of {@code load}, in microseconds of one core; the load client's own threads
     * have ended by then, so their CPU is what {@link ClosedLoop} read from each as it ended (and is taken out of
     * this JVM's, which is the fake Slack's).
     */
    static Map<String, Double> perOp(Map<String, Double> before, Map<String, Double> after, ClosedLoop.Result load) {
        var diff = new LinkedHashMap<String, Double>();
        long ops = Math.max(1, load.ok());
        for (var part : PARTS)
            diff.put(part, (after.get(part) - before.get(part)) * 1e6 / ops);
        diff.put("load client", load.cpuSeconds() * 1e6 / ops);
        diff.put("fake Slack", diff.get("fake Slack") - diff.get("load client"));
        return diff;
    }

    static double service(Map<String, Double> perOp) {
        return perOp.entrySet().stream().filter(e -> e.getKey().startsWith("service:")).mapToDouble(Map.Entry::getValue).sum();
    }

    private static String servicePart(String thread) {
        if (isJetty(thread)) return "service: request threads";
        // The card publisher's reader and lanes ("events-slack-cards", "events-slack-cards-lane") and OkHttp's own threads.
        if (thread.startsWith("events-slack-ca") || thread.startsWith("OkHttp")) return "service: card publisher";
        if (thread.startsWith("C1 Compiler") || thread.startsWith("C2 Compiler")) return "service: JIT";
        // The serial collector collects in the VM thread (which also runs the JVM's other safepoint work).
        if (thread.startsWith("VM Thread") || thread.startsWith("GC Thread")) return "service: GC";
        return null;
    }

    /** Jetty's request threads, as Javalin names them, or Jetty's own default name. */
    private static boolean isJetty(String thread) {
        return thread.startsWith("JettyServerThre") || thread.startsWith("qtp");
    }

    /** CPU seconds of each live thread of {@code pid}, summed by name. */
    private static Map<String, Double> threads(long pid) {
        var byName = new LinkedHashMap<String, Double>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (var task : tasks.toList()) {
                try {
                    var name = Files.readString(task.resolve("comm")).strip();
                    byName.merge(name, seconds(Files.readString(task.resolve("stat"))), Double::sum);
                } catch (NoSuchFileException e) {
                    // the thread ended meanwhile: its time is in the process's total
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the threads of " + pid, e);
        }
        return byName;
    }

    private static double processSeconds(long pid) {
        try {
            return seconds(Files.readString(Path.of("/proc", String.valueOf(pid), "stat")));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the CPU time of " + pid, e);
        }
    }

    /** utime + stime of a {@code stat} line; the name in parentheses may hold spaces, so fields count from its end. */
    static double seconds(String stat) {
        var fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields[0] is the state (field 3 of proc(5)); utime and stime are fields 14 and 15.
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * TICK_SECONDS;
    }
}
