package org.countersign.bench;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * The load client: N threads, each with its own keep-alive connection, each sending its next request as soon
 * as the previous reply is in (a closed loop), until the time is up or the requests run out. Latency is the
 * time from writing a request to reading the end of its reply, in microseconds, into HdrHistogram. Every
 * request is sent at most once, so a phase over real clicks never presses a button twice.
 */
final class ClosedLoop {
    /** What a reply must look like to count as a success; anything else is an error. */
    @FunctionalInterface
    interface Check {
        boolean ok(int status, HttpConnection reply);
    }

    static final Check STATUS_200 = (status, reply) -> status == 200;
    static final Check EMPTY_200 = (status, reply) -> status == 200 && reply.bodyLength() == 0;

    /** One phase's outcome; {@code sentAtMicros[i]} and {@code ok[i]} are for request i, 0 when it was not sent. */
    record Result(String label, int threads, int sent, int ok, Duration elapsed, Histogram latency,
                  long[] sentAtMicros, boolean[] okFlags, String firstError, double cpuSeconds) {
        double throughput() { return sent / (elapsed.toNanos() / 1e9); }

        int errors() { return sent - ok; }

        double millis(double percentile) { return latency.getValueAtPercentile(percentile) / 1000.0; }
    }

    private ClosedLoop() {}

    /** Sends {@code requests} in order over {@code threads} connections for at most {@code duration}. */
    static Result run(String label, int port, int threads, Duration duration, List<byte[]> requests, Check check) {
        var next = new AtomicInteger();
        var sentAt = new long[requests.size()];
        var okFlags = new boolean[requests.size()];
        var histograms = new ArrayList<Histogram>();
        var firstError = new AtomicReference<String>();
        var ready = new CountDownLatch(threads);
        var go = new CountDownLatch(1);
        var done = new CountDownLatch(threads);
        var deadline = new long[1];
        var cpuNanos = new java.util.concurrent.atomic.AtomicLong();
        for (int t = 0; t < threads; t++) {
            var histogram = new Histogram(1, Duration.ofMinutes(2).toNanos() / 1000, 3);
            histograms.add(histogram);
            var worker = new Thread(() -> {
                try (var connection = new HttpConnection("127.0.0.1", port)) {
                    try {
                        connection.connect();
                    } catch (IOException e) {
                        firstError.compareAndSet(null, "connect: " + e);
                    }
                    ready.countDown();
                    go.await();
                    while (System.nanoTime() < deadline[0]) {
                        int i = next.getAndIncrement();
                        if (i >= requests.size()) break;
                        var wall = Instant.now();
                        sentAt[i] = wall.getEpochSecond() * 1_000_000 + wall.getNano() / 1_000;
                        long start = System.nanoTime();
                        int status;
                        try {
                            status = connection.exchange(requests.get(i));
                        } catch (IOException e) {
                            firstError.compareAndSet(null, e.toString());
                            status = -1;
                        }
                        histogram.recordValue(Math.max(1, (System.nanoTime() - start) / 1000));
                        okFlags[i] = status > 0 && check.ok(status, connection);
                        if (!okFlags[i] && status > 0)
                            firstError.compareAndSet(null, "HTTP " + status + ": " + abbreviate(connection.body()));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    // Its own CPU, read as it ends: the meter, reading after the phase, no longer sees the thread.
                    cpuNanos.addAndGet(java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
                    done.countDown();
                }
            }, "load-" + label + "-" + t);
            worker.setDaemon(true);
            worker.start();
        }
        try {
            ready.await();
            long start = System.nanoTime();
            deadline[0] = start + duration.toNanos();
            go.countDown();
            done.await();
            var elapsed = Duration.ofNanos(System.nanoTime() - start);
            var merged = new Histogram(1, Duration.ofMinutes(2).toNanos() / 1000, 3);
            histograms.forEach(merged::add);
            int sent = Math.min(next.get(), requests.size());
            int ok = 0;
            for (int i = 0; i < sent; i++) if (okFlags[i]) ok++;
            return new Result(label, threads, sent, ok, elapsed, merged, sentAt, okFlags, firstError.get(),
                    cpuNanos.get() / 1e9);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + label, e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
