package org.countersign.github;

import java.util.List;

/**
 * What a request GitHub opens is, from the policy's {@code github:} section: its reason (which decides the teams that
 * must approve, and whether it is confidential) and the environments Countersign gates (empty: every environment whose
 * protection rules list the App).
 */
public record GithubGate(String reason, List<String> environments) {
    public static final String DEFAULT_REASON = "availability";
    public static final GithubGate DEFAULT = new GithubGate(DEFAULT_REASON, List.of());

    public GithubGate {
        environments = List.copyOf(environments);
    }

    /** Whether a deployment to this environment is Countersign's to decide. */
    public boolean gates(String environment) {
        return environments.isEmpty() || environments.contains(environment);
    }
}
