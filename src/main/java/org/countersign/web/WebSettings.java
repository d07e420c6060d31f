package org.countersign.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The dashboard's and the console's settings from the environment.
 *
 * @param dashboardToken the token people sign in with, or null: then the server must listen on loopback only
 * @param console        {@code CONSOLE=on|off}, or null to decide from whether a chat platform is configured
 * @param publicUrl      {@code PUBLIC_URL}: the address people and proxies reach Countersign by, or null (loopback
 *                       names only)
 * @param trustedProxies {@code TRUSTED_PROXIES}: the blocks whose {@code X-Forwarded-For}/{@code Forwarded} is believed
 * @param oidc           sign-in through an OpenID Connect provider, or null when off
 * @param apiTokens      the named API tokens of scripts and pipelines
 */
public record WebSettings(String dashboardToken, Boolean console, URI publicUrl, List<String> trustedProxies,
                          OidcSettings oidc, ApiTokens apiTokens) {
    static final int TOKEN_MIN = 16;

    public WebSettings {
        trustedProxies = List.copyOf(trustedProxies);
    }

    public WebSettings(String dashboardToken, Boolean console) {
        this(dashboardToken, console, null, List.of(), null, ApiTokens.NONE);
    }

    /** As {@link #fromEnv(Map, String, Function, List)}, reading durations in ISO-8601 only. */
    public static WebSettings fromEnv(Map<String, String> env, String bindHost, List<String> problems) {
        return fromEnv(env, bindHost, WebSettings::isoDuration, problems);
    }

    /**
     * Reads DASHBOARD_TOKEN, CONSOLE, PUBLIC_URL, TRUSTED_PROXIES, the OIDC_* settings, SESSION_TTL, API_TOKENS and
     * API_TOKENS_FILE, adding what is wrong to {@code problems}; {@code bindHost} may be null.
     */
    public static WebSettings fromEnv(Map<String, String> env, String bindHost,
                                      Function<String, Optional<Duration>> durations, List<String> problems) {
        var token = value(env, "DASHBOARD_TOKEN");
        var publicUrl = publicUrl(value(env, "PUBLIC_URL"), problems);
        var oidc = OidcSettings.fromEnv(name -> value(env, name), publicUrl, durations, problems);
        var apiTokens = ApiTokens.read(value(env, "API_TOKENS"), value(env, "API_TOKENS_FILE"), problems);
        if (token != null && token.length() < TOKEN_MIN)
            problems.add("DASHBOARD_TOKEN is " + token.length() + " characters long: use at least " + TOKEN_MIN
                    + " random characters (e.g. openssl rand -hex 24)");
        boolean signInSet = token != null || value(env, "OIDC_ISSUER") != null;
        if (!signInSet && bindHost != null && !isLoopback(bindHost))
            problems.add("BIND_HOST='" + bindHost + "' makes the dashboard and API reachable from other machines: "
                    + "set DASHBOARD_TOKEN too (people sign in with it) or OIDC_ISSUER (people sign in with your identity "
                    + "provider), or unset BIND_HOST to listen on 127.0.0.1 only");
        Boolean console = null;
        var consoleText = value(env, "CONSOLE");
        if (consoleText != null) {
            switch (consoleText.toLowerCase(Locale.ROOT)) {
                case "on", "true", "yes", "1" -> console = true;
                case "off", "false", "no", "0" -> console = false;
                default -> problems.add("CONSOLE='" + consoleText + "': expected on or off (default: on when neither "
                        + "Slack nor Matrix is configured)");
            }
        }
        var proxies = ClientAddress.parse(value(env, "TRUSTED_PROXIES"), problems).blocks();
        return new WebSettings(token, console, publicUrl, proxies, oidc, apiTokens);
    }

    /** Whether people sign in with an OpenID Connect provider. */
    public boolean signInOn() { return oidc != null; }

    private static Optional<Duration> isoDuration(String text) {
        try {
            return Optional.of(Duration.parse(text));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code https://countersign.example.org}: a scheme and a host, perhaps a port, nothing else. */
    private static URI publicUrl(String text, List<String> problems) {
        if (text == null) return null;
        var expected = "PUBLIC_URL='" + text + "': expected the address people reach Countersign by, a scheme and a "
                + "host such as https://countersign.example.org or http://10.0.0.5:7000";
        try {
            var uri = new URI(text);
            var path = uri.getRawPath() == null ? "" : uri.getRawPath();
            if (uri.getHost() != null && uri.getScheme() != null && uri.getScheme().matches("(?i)https?")
                    && uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null
                    && (path.isEmpty() || path.equals("/")))
                return path.isEmpty() ? uri : URI.create(text.substring(0, text.length() - 1));
            problems.add(expected + (path.length() > 1 ? " (without a path: Countersign is served from /)" : ""));
        } catch (URISyntaxException e) {
            problems.add(expected + " (" + e.getReason() + ")");
        }
        return null;
    }

    public Optional<String> dashboardTokenOpt() { return Optional.ofNullable(dashboardToken); }

    /** Whether the local console is on: as CONSOLE says, else only when no chat platform is configured. */
    public boolean consoleOn(boolean chatConfigured) { return console != null ? console : !chatConfigured; }

    /** A host name or address that only this machine can reach; no DNS look-up. */
    static boolean isLoopback(String host) {
        var h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        return h.equals("localhost") || h.equals("::1") || h.matches("127(\\.[0-9]{1,3}){3}");
    }

    @Override
    public String toString() {
        return "WebSettings[dashboardToken=" + (dashboardToken == null ? null : "****") + ", console=" + console
                + ", publicUrl=" + publicUrl + ", trustedProxies=" + trustedProxies + ", oidc=" + oidc
                + ", apiTokens=" + apiTokens + "]";
    }

    private static String value(Map<String, String> env, String name) {
        var v = env.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }
}
