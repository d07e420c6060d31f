package org.countersign.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.countersign.domain.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line without a service: usage, check-policy, and what each state means to a waiting pipeline. */
class CliTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run run(Map<String, String> env, String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = Cli.run(args, new PrintWriter(out), new PrintWriter(err), env);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void every_state_has_one_meaning_for_a_waiting_pipeline() {
        for (var state : State.values()) {
            var code = WaitCommand.exitFor(state);
            switch (state) {
                case PENDING -> assertThat(code).isEmpty();
                case REJECTED, CANCELLED -> assertThat(code).hasValue(Exit.REFUSED);
                case EXPIRED -> assertThat(code).hasValue(Exit.EXPIRED);
                default -> assertThat(code).as(state.name()).hasValue(Exit.OK);
            }
        }
    }

    @Test
    void no_command_and_unknown_commands_are_usage_errors_with_a_hint() {
        var none = run(Map.of());
        assertThat(none.code()).isEqualTo(Exit.USAGE);
        assertThat(none.err()).contains("Name a command");

        var unknown = run(Map.of(), "wiat", "EMG-1");
        assertThat(unknown.code()).isEqualTo(Exit.USAGE);
        assertThat(unknown.err()).contains("wiat").contains("wait");
    }

    @Test
    void help_lists_the_commands_and_the_exit_codes() {
        var help = run(Map.of(), "--help");
        assertThat(help.code()).isEqualTo(0);
        assertThat(help.out()).contains("wait", "report", "check-policy", "Exit codes", "5  server unreachable");
    }

    @Test
    void wait_refuses_a_malformed_id_duration_or_server_before_calling_anyone() {
        assertThat(run(Map.of(), "wait", "twelve")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(Exit.USAGE);
            assertThat(r.err()).contains("\"twelve\" is not a request id; use the form EMG-12");
        });
        assertThat(run(Map.of(), "wait", "EMG-1", "--timeout", "soon")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(Exit.USAGE);
            assertThat(r.err()).contains("--timeout \"soon\" is not a duration such as 90s");
        });
        assertThat(run(Map.of("COUNTERSIGN_URL", "ftp://example.org"), "wait", "EMG-1")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(Exit.USAGE);
            assertThat(r.err()).contains("is not an http or https URL");
        });
    }

    @Test
    void wait_gives_up_with_5_when_nothing_listens() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        var r = run(Map.of(), "wait", "EMG-1", "--server", "http://127.0.0.1:" + port, "--unreachable-after", "1s",
                "--quiet");
        assertThat(r.code()).isEqualTo(Exit.UNREACHABLE);
        assertThat(r.err()).contains("cannot reach 127.0.0.1:" + port).contains("gave up");
    }

    @Test
    void report_without_a_secret_says_which_to_set() {
        var r = run(Map.of(), "report", "EMG-1", "succeeded");
        assertThat(r.code()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("COUNTERSIGN_WEBHOOK_SECRET");

        var step = run(Map.of("COUNTERSIGN_WEBHOOK_SECRET", "0123456789abcdef"), "report", "EMG-1", "exploded");
        assertThat(step.code()).isEqualTo(Exit.USAGE);
        assertThat(step.err()).contains("\"exploded\" is not a deploy step; use started, succeeded, failed or rolled-back");
    }

    @Test
    void check_policy_accepts_the_example_and_lists_every_problem_of_a_bad_file() throws Exception {
        var good = run(Map.of(), "check-policy", Path.of("infra/policy.example.yml").toString());
        assertThat(good.code()).as(good.err()).isEqualTo(Exit.OK);
        assertThat(good.out()).contains("valid").contains("releng").contains("sre");

        var bad = dir.resolve("policy.yml");
        Files.writeString(bad, """
                teams:
                  sre: { label: SRE }
                reasons:
                  availability: { label: Availability, teams: [sre, nobody] }
                expire-after: soon
                """);
        var r = run(Map.of(), "check-policy", bad.toString());
        assertThat(r.code()).isEqualTo(Exit.REFUSED);
        assertThat(r.err()).contains("problems").contains("nobody").contains("expire-after");
        assertThat(r.err().lines().filter(l -> l.startsWith("  - ")).count()).isGreaterThanOrEqualTo(3);

        var missing = run(Map.of(), "check-policy", dir.resolve("absent.yml").toString());
        assertThat(missing.code()).isEqualTo(Exit.REFUSED);
        assertThat(missing.err()).contains("no such file");
    }

    @Test
    void the_wrapper_says_how_to_build_the_jar_when_it_is_missing() throws Exception {
        var process = new ProcessBuilder("sh", "bin/countersign", "--help").redirectErrorStream(true);
        process.environment().put("COUNTERSIGN_JAR", dir.resolve("absent.jar").toString());
        var started = process.start();
        var output = new String(started.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(started.waitFor()).isEqualTo(Exit.USAGE);
        assertThat(output).contains("absent.jar not found").contains("mvn -B -DskipTests package");
    }
}
