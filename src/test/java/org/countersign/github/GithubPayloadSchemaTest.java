package org.countersign.github;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The payloads the GitHub tests send are GitHub's: checked against the schemas GitHub publishes in the npm package
 * {@code @octokit/openapi-webhooks} ({@code .ci/run} installs it; without it this test is skipped, except with
 * {@code CI=true}). Set {@code OCTOKIT_OPENAPI_WEBHOOKS} to the package's directory to use another copy.
 */
class GithubPayloadSchemaTest {
    static final String VERSION = "12.1.0";
    static final String SPEC_ID = "https://github.com/octokit/openapi-webhooks/api.github.com.json";
    static Schema requested;

    @BeforeAll
    static void schema() {
        var spec = specFile();
        if (!Files.isRegularFile(spec)) {
            var hint = "GitHub's webhook schemas are not installed at " + spec + ": run npm install --prefix "
                    + "~/.cache/countersign/npm @octokit/openapi-webhooks@" + VERSION + " (.ci/run does)";
            if ("true".equals(System.getenv("CI"))) throw new AssertionError(hint);
            Assumptions.abort(hint);
        }
        String text;
        try {
            text = Files.readString(spec, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // The OpenAPI document is one JSON Schema 2020-12 resource: its $refs (#/components/schemas/...) resolve in it.
        var registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemas(java.util.Map.of(SPEC_ID, text)));
        requested = registry.getSchema(SchemaLocation.of(SPEC_ID
                + "#/components/schemas/webhook-deployment-protection-rule-requested"));
    }

    static Path specFile() {
        var configured = System.getenv("OCTOKIT_OPENAPI_WEBHOOKS");
        var dir = configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "countersign", "npm", "node_modules", "@octokit",
                "openapi-webhooks");
        return dir.resolve("generated").resolve("api.github.com.json");
    }

    @Test
    void the_requested_payload_the_tests_send_is_valid_under_githubs_schema() {
        var payload = GithubPayloads.requested("https://api.github.com", GithubPayloads.sha(), "production", 42);
        var errors = requested.validate(new String(GithubPayloads.bytes(payload), StandardCharsets.UTF_8), InputFormat.JSON);
        assertThat(errors).as(errors.toString()).isEmpty();
    }

    @Test
    void the_schema_would_catch_a_payload_that_is_not_githubs() {
        var payload = GithubPayloads.requested("https://api.github.com", GithubPayloads.sha(), "production", 42);
        payload.put("action", "approved");
        payload.remove("sender");
        ((com.fasterxml.jackson.databind.node.ObjectNode) payload.get("repository")).remove("full_name"); // behind a $ref
        var errors = requested.validate(new String(GithubPayloads.bytes(payload), StandardCharsets.UTF_8), InputFormat.JSON);
        assertThat(errors.toString()).contains("action").contains("sender").contains("full_name");
    }
}
