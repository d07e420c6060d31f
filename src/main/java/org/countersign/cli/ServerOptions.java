package org.countersign.cli;

import java.net.URI;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the service is and how to authenticate to it; each option falls back to an environment variable. */
final class ServerOptions {
    static final String DEFAULT_SERVER = "http://127.0.0.1:7000";

    @Option(names = "--server", paramLabel = "URL",
            description = "The Countersign service (default: $COUNTERSIGN_URL, else " + DEFAULT_SERVER + ")")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "A bearer token: an API token or the DASHBOARD_TOKEN (default: $COUNTERSIGN_TOKEN; "
                    + "prefer the variable, since arguments show in the process list)")
    String token;

    /** The base URL, without a trailing slash; a {@link Usage} when it is not an http(s) URL. */
    URI base(Map<String, String> env) {
        var raw = server != null ? server : env.getOrDefault("COUNTERSIGN_URL", DEFAULT_SERVER);
        URI uri;
        try {
            uri = URI.create(raw.strip().replaceAll("/+$", ""));
        } catch (IllegalArgumentException e) {
            throw new Usage("--server \"" + raw + "\" is not a URL; use one such as https://countersign.example.org");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null)
            throw new Usage("--server \"" + raw + "\" is not an http or https URL such as https://countersign.example.org");
        return uri;
    }

    /** The token, or null when none is given. */
    String token(Map<String, String> env) {
        var t = token != null ? token : env.get("COUNTERSIGN_TOKEN");
        return t == null || t.isBlank() ? null : t.strip();
    }

    /** A mistake in how the command was called: printed, and the command exits {@link Exit#USAGE}. */
    static final class Usage extends RuntimeException {
        Usage(String message) { super(message); }
    }
}
