package org.countersign.store;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import redis.clients.jedis.Jedis;

/**
 * Real Redis topologies from the machine's packages (Debian's {@code redis-server} and {@code redis-sentinel}), each
 * server a process of its own on a free loopback port with its own directory: one server with the configuration a test
 * gives, a master with replicas watched by Sentinels, or a Cluster. Outside CI a missing package skips the test with
 * the command that installs it; with {@code CI=true} it fails, as {@code .ci/run} installs them.
 */
public final class RealRedis {
    public static final String MASTER = "mymaster";
    static final Duration UP = Duration.ofSeconds(30);

    private RealRedis() {}

    /** The command that runs {@code program} ({@code redis-server}, {@code redis-sentinel}, {@code redis-cli}). */
    public static List<String> command(String program) {
        var home = System.getenv("COUNTERSIGN_REDIS_BIN"); // another build's binaries, e.g. Redis 8 from sid
        var path = home != null ? Path.of(home, program) : Path.of("/usr/bin", program);
        if (!Files.isExecutable(path)) {
            missing(program + " is not installed at " + path + " (apt-get install -y redis-server redis-sentinel; "
                    + ".ci/run does)");
        }
        return List.of(path.toString());
    }

    /**
     * The command that runs {@code program} from the Debian sid chroot ({@code .ci/sid-chroot redis-server} makes it, in
     * COUNTERSIGN_SID or {@code $HOME/.cache/countersign/sid}), which has Redis 8: sid's binary through sid's own dynamic
     * loader and libraries (this machine's are older), outside the chroot, so it reads the test's files as any other.
     */
    public static List<String> fromSid(String program) {
        var configured = System.getenv("COUNTERSIGN_SID");
        var root = configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "countersign", "sid");
        var arm = System.getProperty("os.arch").equals("aarch64");
        var libs = arm ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        var loader = root.resolve(arm ? "lib/ld-linux-aarch64.so.1" : "lib64/ld-linux-x86-64.so.2");
        var binary = root.resolve("usr/bin").resolve(program);
        if (!Files.isExecutable(binary) || !Files.exists(loader))
            missing(program + " is not in the sid chroot at " + root + " (run .ci/sid-chroot redis-server as root; "
                    + ".ci/run does)");
        return List.of(loader.toString(), "--library-path", root.resolve("lib").resolve(libs) + ":"
                + root.resolve("usr/lib").resolve(libs), binary.toString());
    }

    private static void missing(String why) {
        if ("true".equals(System.getenv("CI"))) throw new AssertionError(why);
        Assumptions.abort(why);
    }

    /** One redis-server started with {@code config} lines (such as {@code maxmemory-policy allkeys-lru}). */
    public static Server server(Path dir, String... config) throws IOException {
        return Server.start(dir, "redis-server", command("redis-server"), List.of(config));
    }

    /** As {@link #server(Path, String...)}, run by {@code command} (such as {@link #fromSid}'s). */
    public static Server server(List<String> command, Path dir, String... config) throws IOException {
        return Server.start(dir, "redis-server", command, List.of(config));
    }

    /** A running redis-server or redis-sentinel; closing it kills it. */
    public static final class Server implements AutoCloseable {
        volatile Process process; // another one after restart()
        final int port;
        final Path dir;
        private final List<String> command;
        private final String program;

        private Server(Process process, int port, Path dir, List<String> command, String program) {
            this.process = process;
            this.port = port;
            this.dir = dir;
            this.command = List.copyOf(command);
            this.program = program;
        }

        static Server start(Path dir, String program, List<String> config) throws IOException {
            return start(dir, program, command(program), config);
        }

        static Server start(Path dir, String program, List<String> run, List<String> config) throws IOException {
            int port = freePort();
            var home = dir.resolve(program + "-" + port);
            Files.createDirectories(home);
            var lines = new ArrayList<>(List.of("port " + port, "bind 127.0.0.1", "dir " + home, "daemonize no",
                    "save \"\"", "appendonly no", "logfile \"\""));
            lines.addAll(config);
            var conf = home.resolve(program + ".conf");
            Files.write(conf, lines);
            var command = new ArrayList<>(run);
            command.add(conf.toString());
            var server = new Server(launch(command, home), port, home, command, program);
            try {
                server.awaitAnswer();
            } catch (RuntimeException | AssertionError e) {
                server.close();
                throw e;
            }
            return server;
        }

        private static Process launch(List<String> command, Path home) throws IOException {
            return new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("log").toFile())).start();
        }

        private void awaitAnswer() {
            var running = process;
            await("redis on port " + port + " answers", UP, () -> {
                if (!running.isAlive()) throw new AssertionError(program + " exited: " + log());
                try (var jedis = new Jedis("127.0.0.1", port, 500)) {
                    return "PONG".equals(jedis.ping());
                } catch (RuntimeException e) {
                    return false;
                }
            });
        }

        /** Starts it again after {@link #kill()}, on the same port with the same configuration and directory. */
        public void restart() throws IOException {
            if (process.isAlive()) throw new IllegalStateException("redis on " + port + " is still running");
            process = launch(command, dir);
            try {
                awaitAnswer();
            } catch (RuntimeException | AssertionError e) {
                close();
                throw e;
            }
        }

        public int port() { return port; }

        public String url() { return "redis://127.0.0.1:" + port; }

        /** A connection of its own; close it. */
        public Jedis jedis() { return new Jedis("127.0.0.1", port, 2_000); }

        public boolean alive() { return process.isAlive(); }

        /** SIGKILL: nothing is written, no replica or Sentinel is told. */
        public void kill() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(10, TimeUnit.SECONDS)) throw new AssertionError("redis on " + port + " outlived SIGKILL");
        }

        public String log() {
            try {
                return Files.readString(dir.resolve("log"));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Waits until {@code condition} holds, polling every 50 ms; fails saying what did not happen. */
    public static void await(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + within + ": " + what);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what, e);
            }
        }
    }
}
