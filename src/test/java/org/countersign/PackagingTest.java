package org.countersign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The packaging in infra/ is linted with the tools this machine has (yamllint, systemd-analyze) and holds what a
 * rolling deploy needs: two replicas, readiness on /readyz, liveness on /healthz, a disruption budget, a network
 * policy, a read-only root as a non-root user, the policy as a ConfigMap equal to the example, secrets as a Secret.
 * No registry for base images is reachable here, so the image itself is not built; helm is not in Debian, so the
 * chart's templates are rendered by the small subset of the template language they use (anything else fails).
 */
class PackagingTest {
    private static final Path INFRA = Path.of("infra");
    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void the_yaml_in_infra_passes_yamllint() throws Exception {
        var files = new ArrayList<String>(List.of("-c", "infra/.yamllint", "-f", "parsable", "--strict"));
        try (var k8s = Files.list(INFRA.resolve("kubernetes"))) {
            k8s.map(Path::toString).sorted().forEach(files::add);
        }
        files.addAll(List.of("infra/docker/compose.yml", "infra/helm/countersign/Chart.yaml",
                "infra/helm/countersign/values.yaml"));
        var out = run("yamllint", files);
        assertThat(out.code()).as("yamllint:\n" + out.text()).isZero();
    }

    @Test
    void the_systemd_unit_passes_systemd_analyze_verify_and_is_sandboxed() throws Exception {
        var unit = INFRA.resolve("systemd/countersign.service");
        var out = run("systemd-analyze", List.of("verify", unit.toString()));
        assertThat(out.code()).as("systemd-analyze verify:\n" + out.text()).isZero();
        assertThat(out.text()).as("no warnings").doesNotContain(unit.getFileName().toString());
        assertThat(Files.readAllLines(unit)).contains("DynamicUser=yes", "ProtectSystem=strict", "ProtectHome=yes",
                "NoNewPrivileges=yes", "ExecReload=/bin/kill -HUP $MAINPID", "CapabilityBoundingSet=");
    }

    @Test
    void the_kubernetes_manifests_run_two_probed_replicas_read_only_with_the_example_policy() throws Exception {
        var docs = new ArrayList<JsonNode>();
        try (var k8s = Files.list(INFRA.resolve("kubernetes"))) {
            for (var file : k8s.sorted().toList()) docs.addAll(documents(Files.readString(file)));
        }
        checkManifests(docs, "countersign-policy");
        var policy = byKind(docs, "ConfigMap").path("data").path("policy.yml").asText();
        assertThat(policy).isEqualTo(Files.readString(INFRA.resolve("policy.example.yml")));
        assertThat(byKind(docs, "Secret").path("stringData").has("REDIS_URL")).isTrue();
    }

    @Test
    void the_helm_chart_renders_to_the_same_shape() throws Exception {
        var chart = INFRA.resolve("helm/countersign");
        var values = YAML.readTree(chart.resolve("values.yaml").toFile());
        var policy = Files.readString(INFRA.resolve("policy.example.yml"));
        var docs = new ArrayList<JsonNode>();
        try (var templates = Files.list(chart.resolve("templates"))) {
            for (var file : templates.sorted().toList())
                docs.addAll(documents(render(Files.readString(file), "cs", values, policy)));
        }
        checkManifests(docs, "cs-policy");
        assertThat(byKind(docs, "ConfigMap").path("data").path("policy.yml").asText()).isEqualTo(policy);
    }

    @Test
    void the_dockerfile_builds_in_two_stages_and_runs_the_jar_as_the_procfile_does_as_a_non_root_user()
            throws Exception {
        var lines = Files.readAllLines(INFRA.resolve("docker/Dockerfile"));
        assertThat(lines.stream().filter(l -> l.startsWith("FROM "))).hasSize(2);
        assertThat(lines).anyMatch(l -> l.matches("USER [1-9][0-9]*:[1-9][0-9]*"));
        assertThat(lines).anyMatch(l -> l.startsWith("HEALTHCHECK ")).anyMatch(l -> l.contains("/healthz"));
        assertThat(lines).anyMatch(l -> l.contains("-XX:MaxRAMPercentage="));
        assertThat(lines).contains("ENTRYPOINT [\"sh\", \"-c\", \"exec java $JAVA_OPTS -jar /app/countersign.jar\"]");
        assertThat(Files.readString(Path.of("Procfile")).strip()).isEqualTo("web: MALLOC_ARENA_MAX=2 java -XX:+UseSerialGC -Xmx96m -Xss512k -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=48m"
                + " -XX:TrimNativeHeapInterval=1000 -XX:+ExitOnOutOfMemoryError"
                + " $JAVA_OPTS -jar target/countersign.jar");
    }

    private static void checkManifests(List<JsonNode> docs, String configMap) {
        assertThat(docs).extracting(d -> d.path("kind").asText()).contains("Deployment", "Service",
                "PodDisruptionBudget", "NetworkPolicy", "ConfigMap");
        var deployment = byKind(docs, "Deployment");
        assertThat(deployment.path("spec").path("replicas").asInt()).isGreaterThanOrEqualTo(2);
        var pod = deployment.path("spec").path("template").path("spec");
        var container = pod.path("containers").get(0);
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
        assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(container.path("envFrom").get(0).path("secretRef").has("name")).as("secrets from a Secret").isTrue();
        assertThat(pod.path("volumes").findValuesAsText("name")).contains(configMap);
        assertThat(byKind(docs, "PodDisruptionBudget").path("spec").path("minAvailable").asInt()).isEqualTo(1);
    }

    private static JsonNode byKind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind));
    }

    private static List<JsonNode> documents(String yaml) throws Exception {
        var docs = new ArrayList<JsonNode>();
        try (var parser = new YAMLFactory().createParser(yaml)) {
            var it = new ObjectMapper().readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                var doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) docs.add(doc);
            }
        }
        return docs;
    }

    private static final Pattern ACTION = Pattern.compile("\\{\\{\\s*(.*?)\\s*}}");

    /** The chart's templates' subset of Go templates: .Release.Name, .Values paths, toJson, required ... | indent. */
    private static String render(String template, String release, JsonNode values, String policy) {
        var m = ACTION.matcher(template);
        var out = new StringBuilder();
        while (m.find()) {
            var action = m.group(1);
            String value;
            if (action.equals(".Release.Name")) value = release;
            else if (action.startsWith(".Values.")) value = at(values, action).asText();
            else if (action.startsWith("toJson .Values.")) value = at(values, action.substring(7)).toString();
            else if (action.matches("required \"[^\"]*\" \\.Values\\.policy \\| indent \\d+")) {
                var pad = " ".repeat(Integer.parseInt(action.replaceAll(".* ", "")));
                value = policy.lines().map(l -> l.isEmpty() ? l : pad + l).reduce((a, b) -> a + "\n" + b).orElse("");
            } else throw new AssertionError("a template action this test cannot render: {{ " + action + " }}");
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static JsonNode at(JsonNode values, String path) {
        var node = values;
        for (var key : path.substring(".Values.".length()).split("\\.")) node = node.path(key);
        if (node.isMissingNode()) throw new AssertionError("no value " + path + " in values.yaml");
        return node;
    }

    private record Run(int code, String text) {}

    private static Run run(String tool, List<String> args) throws Exception {
        boolean present = Files.isExecutable(Path.of("/usr/bin", tool)) || Files.isExecutable(Path.of("/bin", tool));
        if (!present && "true".equals(System.getenv("CI")))
            throw new AssertionError(tool + " is missing: .ci/run installs it (apt-get install -y " + tool + ")");
        assumeTrue(present, tool + " is not installed here (apt-get install -y " + tool + ")");
        var command = new ArrayList<String>(List.of(tool));
        command.addAll(args);
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        var text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) throw new AssertionError(tool + " did not finish");
        return new Run(process.exitValue(), text);
    }
}
