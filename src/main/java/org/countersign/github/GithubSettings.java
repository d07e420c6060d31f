package org.countersign.github;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.interfaces.RSAPrivateKey;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The GitHub App Countersign acts as, for deployment protection rules: its id, its private key (which signs the App's
 * JWT), the webhook secret GitHub signs deliveries with, and the API base (GitHub Enterprise Server, or a fake in tests).
 * Never shows the key or the secret.
 */
public record GithubSettings(String appId, RSAPrivateKey privateKey, byte[] webhookSecret, URI apiUrl) {
    public static final URI DEFAULT_API_URL = URI.create("https://api.github.com");
    static final int SECRET_MIN = 16;

    /**
     * Reads GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY (PEM, PKCS#1 or PKCS#8, or the path of such a file),
     * GITHUB_WEBHOOK_SECRET and GITHUB_API_URL; null when none of the first three is set (GitHub off).
     */
    public static GithubSettings fromEnv(Function<String, String> env, List<String> problems) {
        var appId = env.apply("GITHUB_APP_ID");
        var key = env.apply("GITHUB_APP_PRIVATE_KEY");
        var secret = env.apply("GITHUB_WEBHOOK_SECRET");
        var api = env.apply("GITHUB_API_URL");
        if (appId == null && key == null && secret == null) {
            if (api != null) problems.add("GITHUB_API_URL is set but GitHub is off: set GITHUB_APP_ID, "
                    + "GITHUB_APP_PRIVATE_KEY and GITHUB_WEBHOOK_SECRET too, or unset it");
            return null;
        }
        int before = problems.size();
        for (var name : new String[] {"GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET"})
            if (env.apply(name) == null) problems.add(name + " is not set: GitHub deployments need GITHUB_APP_ID, "
                    + "GITHUB_APP_PRIVATE_KEY and GITHUB_WEBHOOK_SECRET (from the App's settings page)");
        if (appId != null && !appId.matches("[0-9]{1,20}"))
            problems.add("GITHUB_APP_ID='" + appId + "': expected the App's numeric id (App settings, About: App ID)");
        RSAPrivateKey privateKey = null;
        if (key != null) {
            try {
                privateKey = PrivateKeys.rsa(pem(key));
            } catch (IllegalArgumentException e) {
                problems.add("GITHUB_APP_PRIVATE_KEY (hidden): " + e.getMessage());
            }
        }
        if (secret != null && secret.length() < SECRET_MIN)
            problems.add("GITHUB_WEBHOOK_SECRET (hidden) is too short: use at least " + SECRET_MIN
                    + " characters, e.g. the output of openssl rand -hex 32, in the App's webhook settings too");
        var apiUrl = DEFAULT_API_URL;
        if (api != null) {
            var parsed = apiUrl(api);
            if (parsed == null) problems.add("GITHUB_API_URL='" + api + "': expected https://api.github.com or your "
                    + "GitHub Enterprise Server's https://<host>/api/v3 (plain http only to this machine)");
            else apiUrl = parsed;
        }
        if (problems.size() > before) return null;
        return new GithubSettings(appId, privateKey, secret.getBytes(StandardCharsets.UTF_8), apiUrl);
    }

    /** The PEM text itself, or read from the file it names. */
    private static String pem(String value) {
        var text = value.replace("\\n", "\n");
        if (text.contains("-----BEGIN")) return text;
        try {
            return Files.readString(Path.of(value), StandardCharsets.US_ASCII);
        } catch (InvalidPathException | IOException e) {
            throw new IllegalArgumentException("is neither a PEM key (-----BEGIN RSA PRIVATE KEY-----) nor a file "
                    + "that can be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static URI apiUrl(String text) {
        try {
            var uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) return null;
            if (scheme.equals("https") || scheme.equals("http") && isLoopback(uri.getHost())) return uri;
        } catch (URISyntaxException e) {
            // reported by the caller
        }
        return null;
    }

    private static boolean isLoopback(String host) {
        var h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("[::1]") || h.matches("127(\\.[0-9]{1,3}){3}");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GithubSettings s && s.appId.equals(appId) && s.privateKey.equals(privateKey)
                && java.util.Arrays.equals(s.webhookSecret, webhookSecret) && s.apiUrl.equals(apiUrl);
    }

    @Override
    public int hashCode() { return appId.hashCode(); }

    @Override
    public String toString() {
        return "GithubSettings[appId=" + appId + ", privateKey=****, webhookSecret=****, apiUrl=" + apiUrl + "]";
    }
}
