package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Prometheus's own checker on what we ship: {@code promtool check metrics} on the real {@code /metrics} of a service
 * that went through a whole flow ({@link ObservedService}), and {@code promtool check rules} and
 * {@code promtool test rules} on the alerting rules in {@code infra/prometheus}; {@code yamllint} on those files.
 * Debian's {@code prometheus} and {@code yamllint} packages have the tools ({@code .ci/run} installs them); without
 * them the tests are skipped, except under CI=true, where they fail.
 */
class PromtoolTest {
    static final Path RULES = Path.of("infra", "prometheus", "countersign-rules.yml");
    static final Path RULES_TEST = Path.of("infra", "prometheus", "countersign-rules.test.yml");

    @Test
    void the_real_metrics_after_a_whole_flow_pass_promtool_check_metrics() throws Exception {
        Tools.requireFrom("prometheus", "promtool");
        var scraped = Files.writeString(Files.createTempFile("countersign-metrics", ".txt"),
                ObservedService.shared().metrics());

        var result = run(scraped, "promtool", "check", "metrics");

        assertThat(result.output()).as("promtool's findings").isEmpty();
        assertThat(result.exit()).isZero();
    }

    @Test
    void promtool_would_refuse_the_names_micrometer_gives_by_default() throws Exception {
        Tools.requireFrom("prometheus", "promtool");
        var scraped = Files.writeString(Files.createTempFile("countersign-metrics", ".txt"), """
                # HELP system_cpu_count The number of processors available to the Java virtual machine
                # TYPE system_cpu_count gauge
                system_cpu_count 2.0
                """);

        var result = run(scraped, "promtool", "check", "metrics");

        assertThat(result.output()).contains("system_cpu_count").contains("_count");
    }

    @Test
    void the_alerting_rules_pass_promtool_check_rules() throws Exception {
        Tools.requireFrom("prometheus", "promtool");

        var result = run(null, "promtool", "check", "rules", RULES.toString());

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: 11 rules found");
    }

    @Test
    void the_alerting_rules_pass_their_promtool_unit_tests() throws Exception {
        Tools.requireFrom("prometheus", "promtool");

        var result = run(null, "promtool", "test", "rules", RULES_TEST.toString());

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void the_prometheus_files_pass_yamllint() throws Exception {
        Tools.requireFrom("yamllint", "yamllint");

        var result = run(null, "yamllint", "--strict", "-c", "infra/prometheus/.yamllint.yml", "infra/prometheus");

        assertThat(result.output()).isEmpty();
        assertThat(result.exit()).isZero();
    }

    record Result(int exit, String output) {}

    /** Runs the command in the project directory, {@code stdin} (or nothing) as its input, output and errors together. */
    static Result run(Path stdin, String... command) throws IOException, InterruptedException {
        var builder = new ProcessBuilder(List.of(command)).redirectErrorStream(true);
        if (stdin != null) builder.redirectInput(stdin.toFile());
        var process = builder.start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within 60 s: " + output);
        }
        return new Result(process.exitValue(), output.strip());
    }
}
