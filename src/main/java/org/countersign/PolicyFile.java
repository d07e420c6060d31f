package org.countersign;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.countersign.domain.Policy;
import org.countersign.domain.Policy.InvalidPolicy;
import org.countersign.github.GithubGate;
import org.countersign.webhook.Integration;

/**
 * Reads the policy file (see {@code infra/policy.example.yml} for every key). A file that cannot be used
 * gives one {@link InvalidPolicy} listing every problem, each as {@code file: where: what}. Teams, reasons and
 * people are read by {@link PolicyReader}, webhooks by {@link PolicyIntegrations}, problems kept by {@link PolicyProblems}.
 */
public final class PolicyFile {
    /** The example policy, packaged at the root of the jar; the default when POLICY_FILE is not set. */
    static final String DEFAULT_RESOURCE = "/policy.example.yml";

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** How SnakeYAML quotes the place of an error: the position, the line, and a caret under the column. */
    private static final Pattern YAML_MARK =
            Pattern.compile("\\s*in '[^']*', line (\\d+), column (\\d+):\\n[^\\n]*\\n[ \\t]*\\^");

    private PolicyFile() {}

    /** The policy, the outbound webhooks and what a GitHub deployment opens, of one policy file. */
    public record Loaded(Policy policy, List<Integration> integrations, GithubGate github) {
        public Loaded {
            integrations = List.copyOf(integrations);
        }

        public Loaded(Policy policy, List<Integration> integrations) {
            this(policy, integrations, GithubGate.DEFAULT);
        }
    }

    /** Reads and checks the policy at {@code path}; the integrations' secrets are not looked at. */
    public static Policy load(Path path) {
        return parse(text(path), path.toString(), null).policy();
    }

    /** The packaged example policy ({@code infra/policy.example.yml}). */
    public static Policy loadDefault() {
        return parse(defaultText(), "classpath:" + DEFAULT_RESOURCE, null).policy();
    }

    /** Reads the policy at {@code path} and its integrations, each secret read from the process environment. */
    public static Loaded read(Path path) { return read(path, System.getenv()); }

    /** Reads the policy at {@code path} and its integrations, each secret read from {@code env}. */
    public static Loaded read(Path path, Map<String, String> env) {
        return parse(text(path), path.toString(), env);
    }

    /** The packaged example policy and its integrations (none), secrets read from {@code env}. */
    public static Loaded readDefault(Map<String, String> env) {
        return parse(defaultText(), "classpath:" + DEFAULT_RESOURCE, env);
    }

    private static String text(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw invalid(path + ": no such file (set POLICY_FILE to an existing policy file, "
                    + "or leave it empty to use the packaged example)");
        } catch (CharacterCodingException e) {
            throw invalid(path + ": is not UTF-8 text");
        } catch (IOException e) {
            throw invalid(path + ": cannot be read: " + e);
        }
        return text;
    }

    private static String defaultText() {
        var source = "classpath:" + DEFAULT_RESOURCE;
        try (InputStream in = PolicyFile.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) throw invalid(source + ": not found; the jar was built without infra/policy.example.yml");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw invalid(source + ": cannot be read: " + e);
        }
    }

    /** Parses policy YAML; {@code source} names the file in problems. */
    static Policy parse(String yaml, String source) {
        return parse(yaml, source, null).policy();
    }

    /**
     * Parses policy YAML and its integrations; {@code env} holds their secrets, or is null to check only the
     * file (and then no integration is returned).
     */
    static Loaded parse(String yaml, String source, Map<String, String> env) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JacksonException e) {
            throw invalid(source + ": " + yamlError(e));
        }
        var loaded = new PolicyReader(source, env).read(root);
        return new Loaded(loaded.policy().withSha256(sha256(yaml)), loaded.integrations(), loaded.github());
    }

    /**
     * The SHA-256 of the file's bytes, which is what {@code sha256sum policy.yml} prints: the text was read as strict
     * UTF-8, so encoding it again gives the same bytes.
     */
    static String sha256(String yaml) {
        try {
            var digest = java.security.MessageDigest.getInstance("SHA-256").digest(yaml.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static InvalidPolicy invalid(String problem) { return new InvalidPolicy(List.of(problem)); }

    /** SnakeYAML's message with its quoted snippets turned into "(line 3, column 5)", on one line. */
    private static String yamlError(JacksonException e) {
        var message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (YAML_MARK.matcher(message).find()) {
            var text = YAML_MARK.matcher(message).replaceAll(" (line $1, column $2)");
            return "not valid YAML: " + text.strip().replaceAll("\\s*\\n\\s*", "; ");
        }
        var at = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ": ";
        return at + "not valid YAML: " + message.strip().replaceAll("\\s*\\n\\s*", "; ");
    }
}
