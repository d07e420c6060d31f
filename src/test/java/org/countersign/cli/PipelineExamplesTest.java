package org.countersign.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.countersign.domain.State;
import org.junit.jupiter.api.Test;

/**
 * The examples in infra/examples stay true to the product: every command line they run parses, and every
 * state they branch on exists and means what {@code countersign wait} says it means.
 */
class PipelineExamplesTest {
    static final Path DIR = Path.of("infra/examples");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    /** The states on which {@code wait} exits 0: what every example must treat as approved. */
    static Set<State> approved() {
        var states = EnumSet.noneOf(State.class);
        for (var s : State.values())
            if (WaitCommand.exitFor(s).orElse(-1) == Exit.OK) states.add(s);
        return states;
    }

    static Set<State> states(String list) {
        var states = EnumSet.noneOf(State.class);
        for (var name : list.split("[,\\s\"\\[\\]]+"))
            if (!name.isBlank() && !name.equals("result") && !name.equals("in")) states.add(State.valueOf(name));
        return states;
    }

    @Test
    void every_countersign_command_in_the_examples_parses() throws Exception {
        var commands = new ArrayList<List<String>>();
        try (var files = Files.list(DIR)) {
            for (var file : files.filter(f -> f.toString().endsWith(".yml")).toList())
                strings(YAML.readTree(file.toFile()), commands);
        }
        // The Argo CD hook runs the image's entry point with its args.
        var hook = YAML.readTree(DIR.resolve("argocd-presync-hook.yml").toFile());
        var args = new ArrayList<String>();
        hook.at("/spec/template/spec/containers/0/args").forEach(a -> args.add(a.asText()));
        commands.add(args);

        assertThat(commands).hasSizeGreaterThanOrEqualTo(8);
        for (var command : commands)
            assertThatCode(() -> Cli.commandLine(Map.of()).parseArgs(command.toArray(String[]::new)))
                    .as(String.join(" ", command)).doesNotThrowAnyException();
        assertThat(commands.stream().map(c -> c.get(0)).collect(Collectors.toSet())).contains("wait", "report");
    }

    @Test
    void the_argo_rollouts_metric_treats_states_as_countersign_wait_does() throws Exception {
        var metric = YAML.readTree(DIR.resolve("argo-rollouts-analysis.yml").toFile()).at("/spec/metrics/0");
        var success = states(metric.path("successCondition").asText());
        var failure = states(metric.path("failureCondition").asText());
        assertThat(success).isEqualTo(approved());
        assertThat(failure).isEqualTo(EnumSet.of(State.REJECTED, State.CANCELLED, State.EXPIRED));
        assertThat(metric.at("/provider/web/url").asText()).contains("/api/requests/{{args.request}}");
        assertThat(metric.at("/provider/web/jsonPath").asText()).isEqualTo("{$.state}");
    }

    @Test
    void the_spinnaker_stage_treats_states_as_countersign_wait_does() throws Exception {
        var stage = JSON.readTree(DIR.resolve("spinnaker-webhook-stage.json").toFile());
        assertThat(states(stage.path("successStatuses").asText())).isEqualTo(approved());
        var undecidedOrDone = new TreeSet<State>(states(stage.path("canceledStatuses").asText()));
        undecidedOrDone.addAll(states(stage.path("terminalStatuses").asText()));
        undecidedOrDone.addAll(approved());
        undecidedOrDone.add(State.PENDING);
        assertThat(undecidedOrDone).containsExactlyInAnyOrder(State.values());
        assertThat(stage.path("url").asText()).contains("/api/requests/${parameters.request}");
        assertThat(stage.path("statusJsonPath").asText()).isEqualTo("$.state");
    }

    /** Every {@code countersign.jar ...} command line in the text values of a YAML tree, as arguments. */
    private static void strings(JsonNode node, List<List<String>> commands) {
        if (node.isTextual()) {
            for (var part : node.asText().split("&&|\\|\\||\\n|;")) {
                int at = part.indexOf("-jar countersign.jar ");
                if (at < 0) continue;
                var words = Arrays.stream(part.substring(at + "-jar countersign.jar ".length()).strip().split("\\s+"))
                        .map(w -> w.replaceAll("^\"|\"$", "")).filter(w -> !w.isEmpty() && !w.equals("true"))
                        .toList();
                commands.add(words);
            }
        }
        node.forEach(child -> strings(child, commands));
    }
}
