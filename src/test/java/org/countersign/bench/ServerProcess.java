package org.countersign.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server under test in a JVM of its own, started from the benchmark's classpath, so its memory can be read
 * from {@code /proc/<pid>/status} and its CPU is not mixed with the load client's.
 */
final class ServerProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Process process;
    private final int port;

    private ServerProcess(String name, Process process, int port) {
        this.name = name;
        this.process = process;
        this.port = port;
    }

    /** Starts {@code mainClass} with {@code env} added (PORT is set here) and waits until {@code readyPath} answers 200. */
    static ServerProcess start(String name, String mainClass, List<String> jvmArgs, Map<String, String> env,
                               String readyPath, Path log) {
        int port = freePort();
        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // Only what we pass: a developer's own SLACK_* or REDIS_URL must not leak into the service under test.
        builder.environment().keySet().removeIf(k -> k.startsWith("SLACK_") || k.startsWith("REDIS_")
                || k.equals("POLICY_FILE") || k.equals("DATA_DIR") || k.equals("BIND_HOST")
                || k.equals("EXPIRY_SWEEP_INTERVAL") || k.equals("JAVA_TOOL_OPTIONS"));
        builder.environment().putAll(env);
        builder.environment().put("PORT", String.valueOf(port));
        try {
            Files.createDirectories(log.getParent());
            var server = new ServerProcess(name, builder.start(), port);
            server.awaitReady(readyPath, log);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    int port() { return port; }

    long pid() { return process.pid(); }

    /** Peak resident memory since start or the last {@link #resetPeak}, in MiB ({@code VmHWM}). */
    double peakRssMib() { return statusKib("VmHWM") / 1024.0; }

    double rssMib() { return statusKib("VmRSS") / 1024.0; }

    /** Starts a new peak: Linux resets VmHWM to the current RSS when 5 is written to clear_refs. */
    void resetPeak() {
        try {
            Files.writeString(Path.of("/proc", String.valueOf(pid()), "clear_refs"), "5");
        } catch (IOException e) {
            System.out.println("  (cannot reset the peak RSS of " + name + ": " + e.getMessage() + ")");
        }
    }

    private long statusKib(String field) {
        try {
            for (var line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status")))
                if (line.startsWith(field + ":"))
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the memory of " + name, e);
        }
        throw new IllegalStateException("no " + field + " in /proc/" + pid() + "/status");
    }

    private void awaitReady(String path, Path log) {
        var uri = URI.create("http://127.0.0.1:" + port + path);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive())
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " at start; see " + log);
            try {
                var reply = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (reply.statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting " + name, e);
            }
            sleep(100);
        }
        close();
        throw new IllegalStateException(name + " was not ready within 60 s; see " + log);
    }

    /** Stops it as Ctrl-C would (SIGTERM, so shutdown hooks run), forcibly after 20 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    static int freePort() {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
