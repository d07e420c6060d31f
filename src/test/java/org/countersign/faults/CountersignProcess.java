package org.countersign.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Countersign in a JVM of its own, started as a deployment starts it: {@code java -cp … org.countersign.Main}. */
final class CountersignProcess implements AutoCloseable {
    static final Duration START = Duration.ofSeconds(40);

    private final Process process;
    private final int port;
    private final Path log;

    private CountersignProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts it with exactly {@code env} (and PATH) and waits until /readyz says ready; its output goes to {@code log}. */
    static CountersignProcess start(Map<String, String> env, Path log) throws Exception {
        var started = launch(env, log);
        try {
            started.awaitReady();
        } catch (AssertionError | RuntimeException e) {
            started.close();
            throw new AssertionError(e.getMessage() + "\n" + started.logTail(), e);
        }
        return started;
    }

    /** Starts it as {@link #start} does without waiting for it, for a test of a start that must fail. */
    static CountersignProcess launch(Map<String, String> env, Path log) throws Exception {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // C1 only: the service starts in about half the time, and these tests measure recovery, not throughput.
        var builder = new ProcessBuilder(List.of(java, "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "org.countersign.Main"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(name -> !name.equals("PATH"));
        builder.environment().putAll(env);
        return new CountersignProcess(builder.start(), Integer.parseInt(env.get("PORT")), log);
    }

    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new AssertionError("Countersign exited with " + process.exitValue());
            try {
                if (Http.get(port, "/readyz").statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("Countersign was not ready within " + START);
    }

    int port() { return port; }

    long pid() { return process.pid(); }

    /** SIGKILL (what destroyForcibly sends on Linux): no shutdown hook runs, nothing is flushed. The exit status. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) throw new AssertionError("still alive after SIGKILL: " + pid());
        return process.exitValue();
    }

    /** Sends {@code signal} (HUP, TERM...) with kill(1), as an orchestrator or an operator would. */
    void signal(String signal) throws IOException, InterruptedException {
        var kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid())).inheritIO().start();
        if (kill.waitFor() != 0) throw new AssertionError("kill -" + signal + " " + pid() + " failed");
    }

    /** Waits for the process to end by itself; its exit status. */
    int awaitExit(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS))
            throw new AssertionError("still running after " + within + ": " + pid() + "\n" + logTail());
        return process.exitValue();
    }

    /** Everything it logged so far. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    String logTail() {
        try {
            var lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops it as an orchestrator would (SIGTERM), and kills it if it does not go. */
    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
