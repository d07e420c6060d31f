package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded hostile input to every sign-in and token route (the start, the callback with forged, replayed and random
 * states and codes, the actions and revocation APIs with random bodies, tokens and cookies): never a 5xx, never a
 * stack trace, and nobody signed in or acting. {@code -Dhostile.seed=…} replays a run.
 */
class SignInHostileInputTest {
    static final int INPUTS = 400;
    @TempDir
    static java.nio.file.Path dir;
    static OidcFixture web;

    @BeforeAll
    static void start() throws Exception {
        web = new OidcFixture(dir, Map.of("RATE_LIMIT_PER_ADDRESS", "1000000/1m", "RATE_LIMIT_PER_USER", "1000000/1m"));
    }

    @AfterAll
    static void stop() {
        web.close();
    }

    private static String any(Random g) {
        var pool = List.of("", "x", "A".repeat(43), "../../etc/passwd", "%00", "%ff%fe", "<script>alert(1)</script>",
                "\u202e\u200b", "' OR 1=1 --", "{\"a\":", "null", "EMG-1", "EMG-999999999999999999999", "//evil.example",
                "https://evil.example/", "a".repeat(5000), "%E2%80%AE", "\\u0000", "approve");
        if (g.nextInt(3) == 0) {
            var b = new StringBuilder();
            for (int i = g.nextInt(60); i > 0; i--) b.append((char) (g.nextInt(0x7f - 0x20) + 0x20));
            return b.toString();
        }
        return pool.get(g.nextInt(pool.size()));
    }

    /** What an HTTP client will send as a header value: printable ASCII, no spaces at either end. */
    private static String header(String text) { return text.replaceAll("[^\\x21-\\x7e]", ""); }

    private static String enc(String text) { return URLEncoder.encode(text, StandardCharsets.UTF_8); }

    @Test
    void no_input_to_the_sign_in_and_token_routes_gets_a_5xx_or_signs_anyone_in() throws Exception {
        long seed = Long.getLong("hostile.seed", 20261202L);
        System.out.println("seed " + seed + " (-Dhostile.seed=" + seed + " replays it)");
        var g = new Random(seed);
        var failures = new ArrayList<String>();
        for (int i = 0; i < INPUTS; i++) {
            var browser = web.browser();
            String what;
            java.net.http.HttpResponse<String> response;
            switch (g.nextInt(6)) {
                case 0 -> {
                    what = "GET /signin/oidc?next=…";
                    response = browser.get("/signin/oidc?next=" + enc(any(g)));
                }
                case 1 -> {
                    // A real state from a real start, with a random code or error: the provider refuses the code.
                    var state = OidcFixture.query(browser.startSignIn("/")).get("state");
                    var q = g.nextBoolean() ? "code=" + enc(any(g)) : "error=" + enc(any(g)) + "&error_description=" + enc(any(g));
                    what = "GET /signin/callback (started, " + q.substring(0, Math.min(q.length(), 40)) + ")";
                    response = browser.get("/signin/callback?" + q + "&state=" + enc(g.nextInt(4) == 0 ? any(g) : state));
                }
                case 2 -> {
                    var state = any(g);
                    what = "GET /signin/callback (forged)";
                    response = browser.get("/signin/callback?code=" + enc(any(g)) + "&state=" + enc(state),
                            "Cookie", OidcSignIn.STATE_COOKIE + "=" + enc(g.nextBoolean() ? state : any(g)));
                }
                case 3 -> {
                    what = "POST /api/requests/{id}/actions";
                    var headers = new ArrayList<>(List.of("Content-Type", g.nextInt(4) == 0 ? header(any(g)) + "x" : "application/json"));
                    if (g.nextBoolean()) headers.addAll(List.of("Authorization", "Bearer " + header(any(g))));
                    if (g.nextBoolean()) headers.addAll(List.of("Cookie", Sessions.COOKIE + "=" + enc(any(g))));
                    var body = g.nextBoolean() ? any(g) : "{\"action\":\"" + any(g).replace("\"", "") + "\",\"team\":\""
                            + any(g).replace("\"", "") + "\"}";
                    response = browser.post("/api/requests/" + enc(any(g)) + "/actions", body, headers.toArray(String[]::new));
                }
                case 4 -> {
                    what = "POST /api/sessions/revoke";
                    response = browser.post("/api/sessions/revoke", g.nextBoolean() ? any(g) : "{\"person\":" + any(g) + "}",
                            "Content-Type", "application/json", "Authorization", "Bearer " + (g.nextBoolean()
                                    ? OidcFixture.DASHBOARD_TOKEN : header(any(g))));
                }
                default -> {
                    what = "POST /signout";
                    response = browser.post("/signout", any(g), "Cookie", Sessions.COOKIE + "=" + enc(any(g)));
                }
            }
            var body = response.body();
            if (response.statusCode() >= 500 || body.contains("Exception") || body.contains("at org.")
                    || browser.cookie(Sessions.COOKIE) != null && !browser.cookie(Sessions.COOKIE).isEmpty())
                failures.add(what + " -> " + response.statusCode() + " " + body.substring(0, Math.min(body.length(), 300)));
        }
        assertThat(failures).as("seed %d", seed).isEmpty();
    }
}
