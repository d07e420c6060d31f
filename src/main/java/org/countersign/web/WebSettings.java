package org.countersign.web;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's and the console's settings from the environment.
 *
 * @param dashboardToken the token people sign in with, or null: then the server must listen on loopback only
 * @param console        {@code CONSOLE=on|off}, or null to decide from whether a chat platform is configured
 */
public record WebSettings(String dashboardToken, Boolean console) {
    static final int TOKEN_MIN = 16;

    /** Reads DASHBOARD_TOKEN and CONSOLE, adding what is wrong to {@code problems}; {@code bindHost} may be null. */
    public static WebSettings fromEnv(Map<String, String> env, String bindHost, List<String> problems) {
        var token = value(env, "DASHBOARD_TOKEN");
        if (token != null && token.length() < TOKEN_MIN)
            problems.add("DASHBOARD_TOKEN is " + token.length() + " characters long: use at least " + TOKEN_MIN
                    + " random characters (e.g. openssl rand -hex 24)");
        if (token == null && bindHost != null && !isLoopback(bindHost))
            problems.add("BIND_HOST='" + bindHost + "' makes the dashboard and API reachable from other machines: "
                    + "set DASHBOARD_TOKEN too (people sign in with it), or unset BIND_HOST to listen on 127.0.0.1 only");
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
        return new WebSettings(token, console);
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
        return "WebSettings[dashboardToken=" + (dashboardToken == null ? null : "****") + ", console=" + console + "]";
    }

    private static String value(Map<String, String> env, String name) {
        var v = env.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }
}
