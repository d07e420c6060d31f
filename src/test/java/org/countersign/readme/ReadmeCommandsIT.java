package org.countersign.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.countersign.slack.fake.FakeSlack;
import org.countersign.slack.fake.SlackSigner;
import org.countersign.slack.fake.SlashCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;

/**
 * The README's Quick start, Connect to Slack and Deployment commands, read out of README.md and run in order as a
 * person would: the jar that {@code mvn -B -DskipTests package} built (this runs under failsafe, after package),
 * started as the guide says, ready and answering; Slack against the fake Slack with real signatures. Only what a
 * person fills in (secrets, the Redis address, a free port instead of 7000) is the test's own.
 */
class ReadmeCommandsIT {
    private static final Duration START = Duration.ofSeconds(120);
    private static final String DASHBOARD_TOKEN = "readme-dashboard-token-5c2e9a71";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir Path dir;
    private final List<Process> started = new ArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private Readme readme;

    @BeforeEach
    void read() throws IOException {
        readme = Readme.read();
        assertThat(Path.of("target/countersign.jar")).as("built by mvn -B -DskipTests package").exists();
    }

    @AfterEach
    void stop() throws Exception {
        for (var p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (int i = closing.size() - 1; i >= 0; i--) closing.get(i).close();
    }

    @Test
    void the_quick_start_runs_the_service_answers_its_curl_lines_and_stops_on_sigterm_without_a_maven_error()
            throws Exception {
        var quick = readme.section("Quick start");
        var blocks = Readme.shBlocks(quick);
        var run = blocks.get(0).stream().map(Readme::command).filter(l -> l.contains("exec:exec")).findFirst().orElseThrow();
        int port = freePort();
        var log = dir.resolve("quick-start.log");

        var mvn = start(run, Path.of("").toAbsolutePath(), Map.of("PORT", String.valueOf(port),
                "DATA_DIR", dir.resolve("data").toString()), log);
        var link = awaitLog(log, Pattern.compile("console on (http://127\\.0\\.0\\.1:" + port
                + "/console\\?token=([0-9a-f]+))\\)"), mvn);
        assertThat(quick).contains("The start-up line ends with the **console** link");

        var token = link.group(2);
        var script = new ArrayList<String>();
        for (var line : blocks.get(1)) {
            var cmd = line.replace("localhost:7000", "localhost:" + port);
            script.add(cmd.startsWith("TOKEN=") ? "TOKEN=" + token : cmd);
        }
        var answers = sh(String.join("\n", script), Path.of("").toAbsolutePath(), Map.of());
        assertThat(answers).contains("\"status\":\"ready\"").contains("{\"requests\":[").contains("countersign_");

        var service = mvn.descendants().filter(h -> commandLine(h).contains("org.countersign.Main")).findFirst()
                .orElseThrow(() -> new AssertionError("no service process under " + run));
        new ProcessBuilder("kill", "-TERM", String.valueOf(service.pid())).start().waitFor();
        assertThat(mvn.waitFor(60, TimeUnit.SECONDS)).as("mvn ended after SIGTERM").isTrue();
        var output = Files.readString(log);
        assertThat(mvn.exitValue()).as(output).isZero();
        assertThat(output).contains("Countersign stopped").doesNotContain("[ERROR]").doesNotContain("BUILD FAILURE");
    }

    @Test
    void the_slack_path_builds_copies_the_policy_starts_the_jar_and_opens_the_form_in_the_fake_slack() throws Exception {
        var connect = readme.section("Connect to Slack");
        var work = workDir();
        var redis = redis();

        // Step 1: where Slack can reach it, with the settings it names.
        var step1 = Readme.step(connect, 1);
        var env = new HashMap<String, String>();
        for (var span : Readme.inlineCode(step1))
            if (span.matches("[A-Z_]+=\\S+")) env.put(span.substring(0, span.indexOf('=')), span.substring(span.indexOf('=') + 1));
        assertThat(env).containsEntry("BIND_HOST", "0.0.0.0");
        assertThat(Readme.inlineCode(step1)).contains("REDIS_URL", "PUBLIC_URL", "DASHBOARD_TOKEN");
        int port = freePort();
        env.put("REDIS_URL", redis);
        env.put("PUBLIC_URL", "https://countersign.example.org");
        env.put("DASHBOARD_TOKEN", DASHBOARD_TOKEN);
        env.put("PORT", String.valueOf(port));

        // Step 5: copy the example policy and check it, as written.
        var step5 = Readme.step(connect, 5);
        var copy = Readme.inlineCode(step5).stream().filter(s -> s.startsWith("cp ")).findFirst().orElseThrow();
        var check = Readme.inlineCode(step5).stream().filter(s -> s.contains("check-policy")).findFirst().orElseThrow();
        sh(copy, work, Map.of());
        assertThat(work.resolve("policy.yml")).hasSameTextualContentAs(Path.of("infra/policy.example.yml"));
        sh(check, work, Map.of());

        // Step 6: build (done: this runs after package), the exports, and the jar.
        var step6 = Readme.shBlocks(Readme.step(connect, 6)).get(0);
        assertThat(step6.get(0)).isEqualTo("mvn -B -DskipTests package");
        var fake = new FakeSlack("xoxb-readme-bot-token");
        closing.add(fake);
        for (var line : step6.stream().filter(l -> l.startsWith("export ")).toList())
            for (var pair : line.substring("export ".length()).trim().split("\\s+")) {
                var name = pair.substring(0, pair.indexOf('='));
                var value = pair.substring(pair.indexOf('=') + 1);
                env.put(name, switch (name) {
                    case "SLACK_SIGNING_SECRET" -> "readme-signing-secret";
                    case "SLACK_BOT_TOKEN" -> "xoxb-readme-bot-token";
                    default -> {
                        assertThat(value).as(name + " is given as written").doesNotContain("…");
                        yield value;
                    }
                });
            }
        fake.withChannel(env.get("SLACK_CHANNEL"), "emergencies").withPrivateChannel(env.get("SLACK_SECURITY_CHANNEL"),
                "security");
        env.put("SLACK_API_URL", fake.baseUrl());
        var java = step6.stream().filter(l -> l.startsWith("java ")).findFirst().orElseThrow();
        var log = work.resolve("service.log");
        var service = start(java, work, env, log);
        awaitReady(port, service, log);

        var said = Readme.inlineCode(Readme.step(connect, 6)).stream().filter(s -> s.startsWith("Slack on, cards in"))
                .findFirst().orElseThrow();
        assertThat(Files.readString(log)).contains(said).doesNotContain(DASHBOARD_TOKEN);

        // Step 7: /emergency opens the form; the console is off with Slack on.
        var signer = new SlackSigner("readme-signing-secret");
        var reply = signer.slashCommand(SlashCommand.emergency("U0SRE1", env.get("SLACK_CHANNEL"), "").via(fake))
                .sendTo(URI.create("http://127.0.0.1:" + port + "/slack/events"));
        assertThat(reply.status()).isEqualTo(200);
        fake.awaitCalls("views.open", 1, Duration.ofSeconds(15));
        assertThat(connect).contains("the local console is off");
        assertThat(get(port, "/console", DASHBOARD_TOKEN).statusCode()).isEqualTo(404);
        assertThat(get(port, "/api/requests", DASHBOARD_TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void the_procfile_line_runs_the_jar_beyond_loopback_with_its_settings_and_refuses_without_a_token() throws Exception {
        var deployment = readme.section("Deployment");
        var spans = Readme.inlineCode(deployment);
        var procfile = spans.stream().filter(s -> s.startsWith("web: ")).findFirst().orElseThrow().substring(5);
        // The line the README gives is the Procfile's, and it runs the packaged jar with the platform's JAVA_OPTS.
        // (Markdown folds a code span's line break into a space, so the spaces are compared as one.)
        assertThat(("web: " + procfile).replaceAll("\\s+", " "))
                .isEqualTo(Files.readString(Path.of("Procfile")).strip().replaceAll("\\s+", " "));
        assertThat(procfile).contains(" $JAVA_OPTS -jar target/countersign.jar");
        assertThat(spans).contains("BIND_HOST=0.0.0.0", "REDIS_URL", "POLICY_FILE", "PUBLIC_URL", "DASHBOARD_TOKEN");
        var work = workDir();
        Files.copy(Path.of("infra/policy.example.yml"), work.resolve("policy.yml"));
        int port = freePort();
        var env = new HashMap<>(Map.of("BIND_HOST", "0.0.0.0", "REDIS_URL", redis(), "POLICY_FILE", "policy.yml",
                "PUBLIC_URL", "https://countersign.example.org", "PORT", String.valueOf(port),
                "JAVA_OPTS", "-XX:TieredStopAtLevel=1"));

        var refused = start(procfile, work, env, work.resolve("refused.log"));
        assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.exitValue()).isNotZero();
        assertThat(Files.readString(work.resolve("refused.log"))).contains("set DASHBOARD_TOKEN");

        env.put("DASHBOARD_TOKEN", DASHBOARD_TOKEN);
        var log = work.resolve("procfile.log");
        var service = start(procfile, work, env, log);
        awaitReady(port, service, log);
        assertThat(get(port, "/api/requests", DASHBOARD_TOKEN).statusCode()).isEqualTo(200);
        assertThat(get(port, "/api/requests", null).statusCode()).isEqualTo(401);
    }

    // ---- running things as a shell would ---------------------------------------------------------------------

    /** A directory with the repository's infra/, bin/ and target/ in it, for commands that write files. */
    private Path workDir() throws IOException {
        var work = Files.createDirectories(dir.resolve("work"));
        for (var name : List.of("infra", "bin", "target"))
            Files.createSymbolicLink(work.resolve(name), Path.of(name).toAbsolutePath());
        return work;
    }

    private String redis() throws IOException {
        int port = freePort();
        var redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"")
                .setting("appendonly no").setting("dir " + dir.toAbsolutePath()).build();
        redis.start();
        closing.add(redis::stop);
        return "redis://127.0.0.1:" + port;
    }

    private Process start(String command, Path cwd, Map<String, String> env, Path log) throws IOException {
        var builder = new ProcessBuilder("sh", "-c", command).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        var process = builder.start();
        started.add(process);
        return process;
    }

    /** Runs a script to its end; its output, which must end with exit status 0. */
    private String sh(String script, Path cwd, Map<String, String> env) throws Exception {
        var log = Files.createTempFile(dir, "sh", ".log");
        var process = start("set -e\n" + script, cwd, env, log);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(script).isTrue();
        var output = Files.readString(log);
        assertThat(process.exitValue()).as(script + "\n" + output).isZero();
        return output;
    }

    private static java.util.regex.MatchResult awaitLog(Path log, Pattern line, Process process) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            var m = line.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (m.find()) return m.toMatchResult();
            if (!process.isAlive()) throw new AssertionError("ended with " + process.exitValue() + ":\n" + Files.readString(log));
            Thread.sleep(200);
        }
        throw new AssertionError("no line " + line + " within " + START + ":\n" + Files.readString(log));
    }

    private static void awaitReady(int port, Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new AssertionError("ended with " + process.exitValue() + ":\n" + Files.readString(log));
            try {
                if (get(port, "/readyz", null).statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not ready within " + START + ":\n" + Files.readString(log));
    }

    private static HttpResponse<String> get(int port, String path, String token) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        if (token != null) request.header("Authorization", "Bearer " + token);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** What the process was started with (Linux's /proc, whole, where ProcessHandle.Info may cut it). */
    private static String commandLine(ProcessHandle process) {
        try {
            return Files.readString(Path.of("/proc", String.valueOf(process.pid()), "cmdline")).replace('\0', ' ');
        } catch (IOException gone) {
            return process.info().commandLine().orElse("");
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
