package org.countersign.github;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A {@code deployment_protection_rule} webhook's {@code requested} payload, as far as Countersign uses it, checked:
 * the callback must be the review endpoint of this very repository on the configured API, never any URL a payload
 * names.
 */
record ProtectionRule(String environment, String event, URI callback, long runId, String sha, String ref,
                      String repo, URI repoUrl, long installation, String sender) {
    static final int ENVIRONMENT_MAX = 255;
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}");
    private static final Pattern CALLBACK_PATH =
            Pattern.compile("/repos/([A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100})/actions/runs/([0-9]{1,19})/deployment_protection_rule");

    /** Input a sender can fix, answered 400 (or 422 for a callback Countersign will not call) with the message. */
    static final class Invalid extends RuntimeException {
        final int status;

        Invalid(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    static ProtectionRule parse(JsonNode json, URI apiUrl) {
        var environment = text(json, "environment", "the environment's name");
        if (environment.length() > ENVIRONMENT_MAX || environment.chars().anyMatch(Character::isISOControl))
            throw new Invalid(400, "\"environment\" must be an environment name of at most " + ENVIRONMENT_MAX
                    + " characters without control characters");
        var deployment = json.path("deployment");
        if (!deployment.isObject()) throw new Invalid(400, "\"deployment\" is missing: GitHub sends the deployment "
                + "(sha, ref, ...) with action \"requested\"");
        var sha = text(deployment, "deployment.sha", "the commit being deployed").toLowerCase(Locale.ROOT);
        if (!SHA.matcher(sha).matches()) throw new Invalid(400, "\"deployment.sha\" is not a 40-digit commit sha");
        var ref = text(deployment, "deployment.ref", "the branch, tag or sha deployed");
        if (ref.length() > 255) throw new Invalid(400, "\"deployment.ref\" is longer than 255 characters");
        var repository = json.path("repository");
        var repo = text(repository, "repository.full_name", "owner/name of the repository");
        if (!REPO.matcher(repo).matches()) throw new Invalid(400, "\"repository.full_name\" is not owner/name");
        var repoUrl = https(text(repository, "repository.html_url", "the repository's web address"), "repository.html_url");
        var installationId = json.path("installation").path("id");
        if (!installationId.canConvertToLong() || !installationId.isIntegralNumber() || installationId.longValue() < 1)
            throw new Invalid(400, "\"installation.id\" is missing: the webhook must come from the GitHub App's "
                    + "installation (set the protection rule on the App, not a repository webhook)");
        var callbackText = text(json, "deployment_callback_url", "where to review the rule");
        var callback = callback(callbackText, apiUrl, repo);
        var m = CALLBACK_PATH.matcher(callback.getRawPath().substring(basePath(apiUrl).length()));
        m.matches();
        long runId;
        try {
            runId = Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            throw new Invalid(422, "\"deployment_callback_url\" names a workflow run id beyond GitHub's (" + m.group(2) + ")");
        }
        var event = json.path("event").isTextual() ? json.path("event").textValue() : "";
        var sender = json.path("sender").path("login").isTextual() ? json.path("sender").path("login").textValue() : "";
        return new ProtectionRule(environment, clip(event, 50), callback, runId, sha, clip(ref, 255),
                repo, repoUrl, installationId.longValue(), clip(sender, 100));
    }

    /**
     * The callback, if it is {@code <api>/repos/<this repo>/actions/runs/<run>/deployment_protection_rule} on the
     * configured API (same scheme, host and port): anything else is refused, so a payload cannot make Countersign
     * send its installation token elsewhere.
     */
    static URI callback(String text, URI apiUrl, String repo) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new Invalid(400, "\"deployment_callback_url\" is not a URL");
        }
        var onApi = uri.getScheme() != null && uri.getScheme().equalsIgnoreCase(apiUrl.getScheme())
                && uri.getHost() != null && uri.getHost().equalsIgnoreCase(apiUrl.getHost())
                && port(uri) == port(apiUrl) && uri.getRawUserInfo() == null && uri.getRawQuery() == null
                && uri.getRawFragment() == null && uri.getRawPath() != null
                && uri.getRawPath().startsWith(basePath(apiUrl) + "/");
        if (!onApi) throw new Invalid(422, "\"deployment_callback_url\" is not on " + apiUrl + " (GITHUB_API_URL): "
                + "Countersign answers GitHub only there, never at an address a payload names");
        var m = CALLBACK_PATH.matcher(uri.getRawPath().substring(basePath(apiUrl).length()));
        if (!m.matches()) throw new Invalid(422, "\"deployment_callback_url\" is not a deployment protection rule "
                + "review (" + apiUrl + "/repos/OWNER/REPO/actions/runs/RUN/deployment_protection_rule)");
        if (!m.group(1).equalsIgnoreCase(repo)) throw new Invalid(422, "\"deployment_callback_url\" names another "
                + "repository than repository.full_name (" + repo + ")");
        return uri;
    }

    private static String basePath(URI apiUrl) {
        var path = apiUrl.getRawPath() == null ? "" : apiUrl.getRawPath();
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) return uri.getPort();
        return "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
    }

    private static URI https(String text, String field) {
        try {
            var uri = new URI(text);
            if (uri.getHost() != null && ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))
                    && text.length() <= 300 && !text.matches(".*[\\s<>\"].*"))
                return uri;
        } catch (URISyntaxException e) {
            // below
        }
        throw new Invalid(400, "\"" + field + "\" is not an https URL");
    }

    private static String text(JsonNode node, String where, String what) {
        var value = node.path(where.substring(where.lastIndexOf('.') + 1));
        var field = where;
        if (!value.isTextual() || value.textValue().isBlank())
            throw new Invalid(400, "\"" + field + "\" is missing or not text: it should hold " + what);
        return value.textValue().strip();
    }

    private static String clip(String s, int max) {
        var clean = s.replaceAll("\\p{Cntrl}", " ").strip();
        return clean.length() > max ? clean.substring(0, max) : clean;
    }

    /** The commit's address on GitHub's web side, the request's one change. */
    String commitUrl() {
        var base = repoUrl.toString();
        return (base.endsWith("/") ? base : base + "/") + "commit/" + sha;
    }

    String shortSha() { return sha.substring(0, 7); }
}
