package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.web.OidcFixture.email;
import static org.countersign.web.OidcFixture.query;
import static org.countersign.web.OidcFixture.withParam;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing in through a real OpenID Connect provider (mock-oauth2-server), over HTTP as a browser would: the code flow
 * with PKCE, state and nonce, the person the policy names, and what is refused.
 */
class OidcSignInTest {
    @TempDir
    static java.nio.file.Path dir;
    static OidcFixture web;

    @BeforeAll
    static void start() throws Exception {
        web = new OidcFixture(dir, Map.of());
    }

    @AfterAll
    static void stop() {
        web.close();
    }

    @Test
    void the_redirect_to_the_provider_asks_for_a_code_with_pkce_s256_a_state_and_a_nonce() throws Exception {
        var authorization = web.browser().startSignIn("/");
        var params = query(authorization);
        assertThat(authorization.toString()).startsWith(web.provider.authorizationEndpointUrl(OidcFixture.ISSUER_ID).toString());
        assertThat(params).containsEntry("response_type", "code").containsEntry("client_id", OidcFixture.CLIENT_ID)
                .containsEntry("redirect_uri", web.base + "/signin/callback").containsEntry("code_challenge_method", "S256");
        assertThat(params.get("scope")).contains("openid").contains("email");
        assertThat(params.get("state")).hasSizeGreaterThanOrEqualTo(32);
        assertThat(params.get("nonce")).hasSizeGreaterThanOrEqualTo(32);
        assertThat(params.get("code_challenge")).matches("[A-Za-z0-9_-]{43}");
    }

    @Test
    void a_person_named_by_a_verified_email_signs_in_and_lands_where_they_were_going() throws Exception {
        var browser = web.browser();
        var back = browser.signIn("sub-alice-1", email("alice@example.org", true), "/requests/EMG-1");
        assertThat(back.statusCode()).as(back.body()).isEqualTo(303);
        assertThat(back.headers().firstValue("Location")).hasValue("/requests/EMG-1");
        var cookie = back.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(Sessions.COOKIE + "=")).findFirst().orElseThrow();
        assertThat(cookie).contains("HttpOnly").containsIgnoringCase("SameSite=Lax").contains("Path=/");
        assertThat(browser.cookie(Sessions.COOKIE)).matches("[A-Za-z0-9_-]{43}");
        assertThat(browser.get("/api/requests").statusCode()).isEqualTo(200);
        assertThat(browser.get("/", "Accept", "text/html").statusCode()).isEqualTo(200);
    }

    @Test
    void the_token_request_carries_the_code_verifier_of_the_challenge_sent_before() throws Exception {
        var browser = web.browser();
        web.nextSignIn("sub-alice-2", email("alice@example.org", true));
        var authorization = browser.startSignIn("/");
        var challenge = query(authorization).get("code_challenge");
        drain();
        var back = browser.get(browser.authorize(authorization).toString());
        assertThat(back.statusCode()).as(back.body()).isEqualTo(303);
        String verifier = null;
        for (var r = next(2000); r != null; r = next(200))
            if (r.getPath() != null && r.getPath().endsWith("/token"))
                verifier = query(java.net.URI.create("/?" + r.getBody().readUtf8())).get("code_verifier");
        assertThat(verifier).isNotNull();
        var s256 = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        assertThat(s256).isEqualTo(challenge);
    }

    @Test
    void a_code_issued_for_another_challenge_is_refused_by_the_provider_and_signs_nobody_in() throws Exception {
        var browser = web.browser();
        var authorization = browser.startSignIn("/");
        var forged = withParam(authorization, "code_challenge",
                Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                        .digest("someone-elses-verifier-0123456789-0123456789".getBytes(StandardCharsets.US_ASCII))));
        var back = browser.get(browser.authorize(forged).toString());
        assertThat(back.statusCode()).isEqualTo(401);
        assertThat(back.body()).contains("The sign-in did not go through").contains("refused the code")
                .contains("invalid_pkce");
        assertThat(browser.cookie(Sessions.COOKIE)).isNull();
    }

    @Test
    void an_id_token_for_another_nonce_is_refused() throws Exception {
        var browser = web.browser();
        var authorization = browser.startSignIn("/");
        var back = browser.get(browser.authorize(withParam(authorization, "nonce", "a-nonce-this-browser-never-got")).toString());
        assertThat(back.statusCode()).isEqualTo(401);
        assertThat(back.body()).contains("The ID token did not check out");
        assertThat(browser.cookie(Sessions.COOKIE)).isNull();
    }

    @Test
    void a_callback_with_a_state_this_browser_did_not_start_is_refused() throws Exception {
        var victim = web.browser();
        var attackersLink = web.browser().authorize(web.browser().startSignIn("/"));
        var back = victim.get(attackersLink.toString());
        assertThat(back.statusCode()).isEqualTo(400);
        assertThat(back.body()).contains("not started in this browser");
        assertThat(victim.cookie(Sessions.COOKIE)).isNull();
    }

    @Test
    void a_callback_used_twice_or_with_an_unknown_state_is_refused() throws Exception {
        var browser = web.browser();
        web.nextSignIn("sub-alice-5", email("alice@example.org", true));
        var authorization = browser.startSignIn("/");
        var link = browser.authorize(authorization);
        assertThat(browser.get(link.toString()).statusCode()).isEqualTo(303);
        var state = query(link).get("state");
        var again = browser.get(link.toString(), "Cookie", OidcSignIn.STATE_COOKIE + "=" + state);
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.body()).contains("expired or was used already");
        var unknown = web.browser().get("/signin/callback?code=x&state=" + "A".repeat(43),
                "Cookie", OidcSignIn.STATE_COOKIE + "=" + "A".repeat(43));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(web.browser().get("/signin/callback").statusCode()).isEqualTo(400);
    }

    @Test
    void the_providers_error_is_shown_on_a_page_not_as_a_failure_of_ours() throws Exception {
        var browser = web.browser();
        var authorization = browser.startSignIn("/");
        var state = query(authorization).get("state");
        var back = browser.get("/signin/callback?error=access_denied&error_description=User+cancelled&state=" + state);
        assertThat(back.statusCode()).isEqualTo(401);
        assertThat(back.body()).contains("access_denied: User cancelled").contains("Sign in again");
    }

    @Test
    void a_person_named_only_by_subject_signs_in_without_an_email() throws Exception {
        var browser = web.browser();
        var back = browser.signIn("sub-bob-7", Map.of(), "/");
        assertThat(back.statusCode()).as(back.body()).isEqualTo(303);
        assertThat(browser.get("/api/requests").statusCode()).isEqualTo(200);
    }

    @Test
    void someone_the_policy_does_not_name_is_told_so_on_a_403_page() throws Exception {
        var browser = web.browser();
        var back = browser.signIn("sub-stranger", email("mallory@example.org", true), "/");
        assertThat(back.statusCode()).isEqualTo(403);
        assertThat(back.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(back.body()).contains("The policy does not name you").contains("mallory@example.org")
                .contains("oidc: &quot;sub-stranger&quot;");
        assertThat(browser.cookie(Sessions.COOKIE)).isNull();
        assertThat(browser.get("/api/requests").statusCode()).isEqualTo(401);
    }

    @Test
    void an_email_the_provider_does_not_say_is_verified_names_nobody() throws Exception {
        var browser = web.browser();
        var back = browser.signIn("sub-fake-alice", email("alice@example.org", false), "/");
        assertThat(back.statusCode()).isEqualTo(403);
        assertThat(back.body()).contains("does not say that alice@example.org is verified");
        assertThat(browser.cookie(Sessions.COOKIE)).isNull();
    }

    @Test
    void the_sign_in_page_offers_the_provider_and_keeps_the_dashboard_token() throws Exception {
        var page = web.browser().get("/signin?next=%2Fconsole");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("href=\"/signin/oidc?next=%2Fconsole\"").contains("name=\"token\"");
    }

    /** Forgets what the provider received before. */
    private static void drain() {
        while (next(50) != null) { /* earlier tests' requests */ }
    }

    /** The provider's next request, or null when none came within {@code millis}. */
    private static okhttp3.mockwebserver.RecordedRequest next(long millis) {
        try {
            return web.provider.takeRequest(millis, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
