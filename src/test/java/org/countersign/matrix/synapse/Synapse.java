package org.countersign.matrix.synapse;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Synapse, the reference homeserver, run from the Debian sid chroot {@code .ci/sid-chroot matrix-synapse} makes (in
 * {@code COUNTERSIGN_SID}, by default {@code $HOME/.cache/countersign/sid}): one per test JVM, started on first use on a
 * free port with a generated configuration (server name {@code localhost}, SQLite, no trusted key servers, rate limits
 * raised out of the way, a registration shared secret), stopped when the JVM ends. Users are registered through the
 * shared-secret admin API; every test registers its own, so tests share nothing but the process.
 */
public final class Synapse {
    public static final String SERVER_NAME = "localhost";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final AtomicInteger USERS = new AtomicInteger();
    private static Synapse shared;

    private final Path chroot;
    private final Path dir;
    private final String secret = UUID.randomUUID().toString();
    private final int port;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final String run = Long.toString(System.currentTimeMillis() % 100_000_000, 36);

    /**
     * The JVM's Synapse, started when first asked for. Without the chroot the calling test is skipped with how to make
     * it, or, under CI ({@code CI=true}), fails saying so: CI must not silently leave the real homeserver out.
     */
    public static synchronized Synapse shared() {
        if (shared != null) return shared;
        var chroot = chroot();
        var python = chroot.resolve("usr/lib/python3/dist-packages/synapse/app/homeserver.py");
        var problem = !Files.isRegularFile(python) ? "Synapse is not installed in " + chroot
                : !"root".equals(System.getProperty("user.name")) ? "starting Synapse in its chroot needs root" : null;
        if (problem != null) {
            var advice = problem + ": run .ci/sid-chroot matrix-synapse as root (COUNTERSIGN_SID names another chroot)";
            if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(advice);
            assumeTrue(false, advice);
        }
        try {
            shared = new Synapse(chroot);
        } catch (IOException e) {
            throw new IllegalStateException("could not start Synapse: " + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "synapse-stop"));
        return shared;
    }

    static Path chroot() {
        var configured = System.getenv("COUNTERSIGN_SID");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "countersign", "sid");
    }

    private Synapse(Path chroot) throws IOException {
        this.chroot = chroot;
        this.port = freePort();
        Files.createDirectories(chroot.resolve("tmp"));
        this.dir = Files.createTempDirectory(chroot.resolve("tmp"), "countersign-synapse-");
        var inside = "/" + chroot.relativize(dir);
        Files.writeString(dir.resolve("homeserver.yaml"), config(inside));
        Files.writeString(dir.resolve("log.yaml"), logConfig(inside));
        long started = System.nanoTime();
        var keys = command(inside, "--generate-keys").redirectOutput(dir.resolve("generate-keys.log").toFile())
                .start();
        try {
            if (!keys.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || keys.exitValue() != 0)
                throw new IOException("generating the signing key failed: " + tail("generate-keys.log"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        this.process = command(inside).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        awaitUp();
        System.out.printf("Synapse %s up on port %d in %d ms%n", version(), port,
                (System.nanoTime() - started) / 1_000_000);
    }

    private ProcessBuilder command(String inside, String... extra) {
        var command = new java.util.ArrayList<>(List.of("chroot", chroot.toString(), "/usr/bin/python3", "-m",
                "synapse.app.homeserver", "--config-path", inside + "/homeserver.yaml"));
        command.addAll(List.of(extra));
        var builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        builder.environment().put("LANG", "C.UTF-8");
        builder.environment().put("HOME", inside);
        return builder;
    }

    private String config(String inside) {
        var limits = new StringBuilder();
        var fast = "{per_second: 10000, burst_count: 100000}";
        for (var limit : List.of("rc_message", "rc_registration", "rc_admin_redaction", "rc_3pid_validation",
                "rc_joins_per_room", "rc_presence", "rc_delayed_event_mgmt", "rc_room_creation", "rc_reports"))
            limits.append(limit).append(": ").append(fast).append('\n');
        limits.append("rc_login: {address: ").append(fast).append(", account: ").append(fast)
                .append(", failed_attempts: ").append(fast).append("}\n");
        limits.append("rc_joins: {local: ").append(fast).append(", remote: ").append(fast).append("}\n");
        limits.append("rc_invites: {per_room: ").append(fast).append(", per_user: ").append(fast)
                .append(", per_issuer: ").append(fast).append("}\n");
        return """
                server_name: "%s"
                pid_file: %s/homeserver.pid
                public_baseurl: http://127.0.0.1:%d/
                listeners:
                  - port: %d
                    bind_addresses: ['127.0.0.1']
                    type: http
                    tls: false
                    x_forwarded: false
                    resources:
                      - names: [client]
                        compress: false
                database:
                  name: sqlite3
                  args:
                    database: %s/homeserver.db
                log_config: %s/log.yaml
                media_store_path: %s/media
                signing_key_path: %s/signing.key
                trusted_key_servers: []
                suppress_key_server_warning: true
                report_stats: false
                enable_metrics: false
                enable_registration: false
                registration_shared_secret: "%s"
                presence:
                  enabled: false
                """.formatted(SERVER_NAME, inside, port, port, inside, inside, inside, inside, secret) + limits;
    }

    private static String logConfig(String inside) {
        return """
                version: 1
                formatters:
                  precise:
                    format: '%%(asctime)s - %%(name)s - %%(lineno)d - %%(levelname)s - %%(message)s'
                handlers:
                  file:
                    class: logging.FileHandler
                    formatter: precise
                    filename: %s/homeserver.log
                root:
                  level: WARNING
                  handlers: [file]
                disable_existing_loggers: false
                """.formatted(inside);
    }

    private void awaitUp() throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IOException("Synapse exited (" + process.exitValue() + "): " + tail("stdout.log")
                    + "\n" + tail("homeserver.log"));
            try {
                var response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/_matrix/client/versions"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) return;
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            sleep(200);
        }
        stop();
        throw new IOException("Synapse did not answer within " + START_TIMEOUT.toSeconds() + " s: " + tail("stdout.log"));
    }

    private String tail(String log) {
        try {
            var lines = Files.readAllLines(dir.resolve(log));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no " + log + ")";
        }
    }

    public String baseUrl() { return "http://127.0.0.1:" + port; }

    /** What Synapse says it is ({@code GET /_synapse/admin/v1/server_version} needs an admin; the header will do). */
    private String version() {
        try {
            var response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/_matrix/client/versions")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.headers().firstValue("Server").orElse("?");
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    /** A new user, {@code @<name>-<n>:localhost}, unique in this run, logged in with an access token of its own. */
    public SynapseUser register(String name) {
        var localpart = name + "-" + run + "-" + USERS.incrementAndGet();
        var password = UUID.randomUUID().toString();
        try {
            var nonce = get("/_synapse/admin/v1/register").path("nonce").asText();
            var mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            var message = String.join("\0", nonce, localpart, password, "notadmin");
            var body = json.createObjectNode().put("nonce", nonce).put("username", localpart).put("password", password)
                    .put("admin", false).put("mac", HexFormat.of().formatHex(mac.doFinal(
                            message.getBytes(StandardCharsets.UTF_8))));
            var response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/_synapse/admin/v1/register"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200)
                throw new IllegalStateException("registering " + localpart + ": " + response.statusCode() + " "
                        + response.body());
            var answer = json.readTree(response.body());
            return new SynapseUser(baseUrl(), answer.path("user_id").asText(), answer.path("access_token").asText());
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("registering " + localpart + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        var response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return json.readTree(response.body());
    }

    private void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; the next run makes its own
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
