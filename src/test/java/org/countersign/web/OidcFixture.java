package org.countersign.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.countersign.Config;
import org.countersign.Main;

/**
 * The whole service with sign-in through a real OpenID Connect provider (NAV's mock-oauth2-server on a random port,
 * which checks PKCE), a policy naming people by email and by subject, a named API token and a dashboard token; and
 * browsers without a browser: java.net.http clients with their own cookies that follow redirects by hand.
 */
final class OidcFixture implements AutoCloseable {
    static final String ISSUER_ID = "people";
    static final String CLIENT_ID = "countersign";
    static final String CLIENT_SECRET = "client-secret-for-the-mock-provider";
    static final String DASHBOARD_TOKEN = "dashboard-token-for-the-oidc-tests";
    static final String PIPELINE_TOKEN = "pipeline-token-4b1f0c9e2d7a6b3c8e5f";
    static final String POLICY = """
            teams:
              sre:     { label: SRE, console-users: [alice, bob, dave] }
              releng:  { label: Release Engineering, console-users: [carol, dave] }
            reasons:
              availability: { label: Availability, teams: [sre, releng] }
            expire-after: 60m
            people:
              alice: { console: alice, email: alice@example.org }
              bob:   { console: bob, oidc: "sub-bob-7" }
              carol: { console: carol, email: Carol@Example.org }
              dave:  { console: dave, email: dave@example.org }
              dev:   { console: dev, email: dev@example.org }
            """;
    private static final Pattern CSRF = Pattern.compile("data-csrf=\"([0-9a-f]+)\"");
    static final ObjectMapper JSON = new ObjectMapper();

    final MockOAuth2Server provider = new MockOAuth2Server();
    final Main.Running service;
    final String base;

    OidcFixture(Path dir, Map<String, String> extra) throws Exception { this(dir, extra, POLICY); }

    /** With another policy file (the people of {@link #POLICY} should stay, for their sign-ins). */
    OidcFixture(Path dir, Map<String, String> extra, String policyText) throws Exception {
        provider.start();
        int port = WebFixture.freePort();
        base = "http://127.0.0.1:" + port;
        var policy = dir.resolve("policy.yml");
        Files.writeString(policy, policyText);
        var env = new HashMap<String, String>();
        env.put("DATA_DIR", dir.resolve("data").toString());
        env.put("PORT", String.valueOf(port));
        env.put("POLICY_FILE", policy.toString());
        env.put("CONSOLE", "on");
        env.put("PUBLIC_URL", base);
        env.put("OIDC_ISSUER", provider.issuerUrl(ISSUER_ID).toString());
        env.put("OIDC_CLIENT_ID", CLIENT_ID);
        env.put("OIDC_CLIENT_SECRET", CLIENT_SECRET);
        env.put("DASHBOARD_TOKEN", DASHBOARD_TOKEN);
        env.put("API_TOKENS", "deploy-bot:sha256:" + sha256(PIPELINE_TOKEN));
        env.putAll(extra);
        service = Main.start(Config.fromEnv(env));
    }

    static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The provider signs the next person in as {@code subject} with these claims. */
    void nextSignIn(String subject, Map<String, Object> claims) {
        provider.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, subject, "JWT", List.of(CLIENT_ID), claims, 3600));
    }

    static Map<String, Object> email(String address, boolean verified) {
        var claims = new LinkedHashMap<String, Object>();
        claims.put("email", address);
        claims.put("email_verified", verified);
        return claims;
    }

    Browser browser() { return new Browser(); }

    /** One browser: its own cookies, redirects followed by hand so each hop can be looked at. */
    final class Browser {
        final CookieManager cookies = new CookieManager();
        final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER).build();

        HttpResponse<String> get(String url, String... headers) throws Exception {
            var b = HttpRequest.newBuilder(URI.create(url.startsWith("/") ? base + url : url));
            if (headers.length > 0) b.headers(headers);
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(String path, String body, String... headers) throws Exception {
            var b = HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body));
            if (headers.length > 0) b.headers(headers);
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> postJson(String path, Object body, String... headers) throws Exception {
            var all = new java.util.ArrayList<>(List.of("Content-Type", "application/json"));
            all.addAll(List.of(headers));
            return post(path, JSON.writeValueAsString(body), all.toArray(String[]::new));
        }

        /** Countersign's redirect to the provider: the authorization request. */
        URI startSignIn(String next) throws Exception {
            var start = get("/signin/oidc?next=" + java.net.URLEncoder.encode(next, StandardCharsets.UTF_8));
            if (start.statusCode() != 303) throw new AssertionError("start: " + start.statusCode() + " " + start.body());
            return URI.create(start.headers().firstValue("Location").orElseThrow());
        }

        /** The provider's redirect back to Countersign, for this authorization request. */
        URI authorize(URI authorization) throws Exception {
            var answer = get(authorization.toString());
            if (answer.statusCode() != 302) throw new AssertionError("authorize: " + answer.statusCode() + " " + answer.body());
            return URI.create(answer.headers().firstValue("Location").orElseThrow());
        }

        /** The whole sign-in; the answer to the callback. */
        HttpResponse<String> signIn(String subject, Map<String, Object> claims, String next) throws Exception {
            nextSignIn(subject, claims);
            return get(authorize(startSignIn(next)).toString());
        }

        /** The value of this browser's cookie {@code name} for Countersign, or null. */
        String cookie(String name) {
            return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name))
                    .map(java.net.HttpCookie::getValue).findFirst().orElse(null);
        }

        /** Loads the console page for its per-browser token. */
        String csrf() throws Exception {
            var page = get("/console");
            var m = CSRF.matcher(page.body());
            if (!m.find()) throw new AssertionError("no token on the console page: " + page.statusCode() + " " + page.body());
            return m.group(1);
        }
    }

    /** The query parameters of a URI. */
    static Map<String, String> query(URI uri) {
        var params = new LinkedHashMap<String, String>();
        for (var pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    /** {@code uri} with one query parameter replaced. */
    static URI withParam(URI uri, String name, String value) {
        var params = query(uri);
        params.put(name, value);
        var query = new StringBuilder();
        params.forEach((k, v) -> query.append(query.length() == 0 ? "" : "&").append(k).append('=')
                .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
        var text = uri.toString();
        return URI.create(text.substring(0, text.indexOf('?') + 1) + query);
    }

    @Override
    public void close() {
        service.close();
        provider.shutdown();
    }
}
