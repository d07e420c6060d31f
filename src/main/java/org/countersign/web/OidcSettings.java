package org.countersign.web;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Sign-in for people through an OpenID Connect provider (authorization code with PKCE).
 *
 * @param issuer       the provider's issuer; its endpoints come from {@code <issuer>/.well-known/openid-configuration}
 * @param clientId     this Countersign's client id at the provider
 * @param clientSecret its client secret, or null for a public client (PKCE alone)
 * @param redirectUri  {@code PUBLIC_URL + /signin/callback}, registered at the provider
 * @param sessionTtl   how long a signed-in session lasts
 */
public record OidcSettings(URI issuer, String clientId, String clientSecret, URI redirectUri, Duration sessionTtl) {
    public static final String CALLBACK = "/signin/callback";
    static final Duration DEFAULT_SESSION_TTL = Duration.ofHours(12);
    static final Duration MIN_SESSION_TTL = Duration.ofMinutes(5);
    static final Duration MAX_SESSION_TTL = Duration.ofDays(30);

    /** OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and SESSION_TTL; null when OIDC_ISSUER is unset. */
    static OidcSettings fromEnv(Function<String, String> env, URI publicUrl, Function<String, Optional<Duration>> durations,
                                List<String> problems) {
        var issuerText = env.apply("OIDC_ISSUER");
        var clientId = env.apply("OIDC_CLIENT_ID");
        var clientSecret = env.apply("OIDC_CLIENT_SECRET");
        var ttlText = env.apply("SESSION_TTL");
        if (issuerText == null) {
            for (var name : List.of("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"))
                if (env.apply(name) != null)
                    problems.add(name + " is set but OIDC_ISSUER is not: set OIDC_ISSUER to your provider's issuer URL "
                            + "(such as https://login.example.org/realms/ops) to turn on sign-in, or unset " + name);
            return null;
        }
        URI issuer = null;
        try {
            issuer = URI.create(issuerText);
            boolean https = "https".equals(issuer.getScheme());
            boolean localHttp = "http".equals(issuer.getScheme()) && issuer.getHost() != null
                    && WebSettings.isLoopback(issuer.getHost());
            if (issuer.getHost() == null || !(https || localHttp) || issuer.getQuery() != null || issuer.getFragment() != null) {
                problems.add("OIDC_ISSUER='" + issuerText + "': expected the provider's https issuer URL, such as "
                        + "https://login.example.org/realms/ops (http only for a provider on this machine), without ? or #");
                issuer = null;
            }
        } catch (IllegalArgumentException e) {
            problems.add("OIDC_ISSUER='" + issuerText + "' is not a URL; expected such as https://login.example.org/realms/ops");
        }
        if (clientId == null)
            problems.add("OIDC_ISSUER is set but OIDC_CLIENT_ID is not: register Countersign at the provider as a client "
                    + "with the redirect URI <PUBLIC_URL>" + CALLBACK + " and set its client id");
        if (publicUrl == null)
            problems.add("OIDC_ISSUER is set but PUBLIC_URL is not: set it to the address people open Countersign at "
                    + "(such as https://countersign.example.org); the provider sends them back to PUBLIC_URL" + CALLBACK);
        var ttl = DEFAULT_SESSION_TTL;
        if (ttlText != null) {
            var d = durations.apply(ttlText);
            if (d.isEmpty() || d.get().compareTo(MIN_SESSION_TTL) < 0 || d.get().compareTo(MAX_SESSION_TTL) > 0)
                problems.add("SESSION_TTL='" + ttlText + "': expected a duration such as 12h or 8h, from 5m to 30d "
                        + "(default 12h)");
            else ttl = d.get();
        }
        if (issuer == null || clientId == null || publicUrl == null) return null;
        return new OidcSettings(issuer, clientId, clientSecret, publicUrl.resolve(CALLBACK), ttl);
    }

    @Override
    public String toString() {
        return "OidcSettings[issuer=" + issuer + ", clientId=" + clientId + ", clientSecret="
                + (clientSecret == null ? null : "****") + ", redirectUri=" + redirectUri + ", sessionTtl=" + sessionTtl + "]";
    }
}
