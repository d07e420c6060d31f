package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loopback is not authentication: a page on a name its owner pointed at 127.0.0.1 (DNS rebinding) reaches the
 * server from this machine, with the name it was loaded from as Host. Over real HTTP on the whole service.
 */
class HostCheckTest {
    @TempDir
    static Path dataDir;
    static WebFixture web;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        web = new WebFixture(dataDir, Map.of("PUBLIC_URL", "https://countersign.example.org",
                "INBOUND_WEBHOOK_SECRET", "host-check-inbound-secret-0123"));
        port = web.service.port();
    }

    @AfterAll
    static void stop() {
        web.close();
    }

    @Test
    void a_rebinding_page_naming_its_own_host_gets_421_saying_to_set_public_url_on_every_route_but_the_signed_ones() {
        for (var path : List.of("/", "/api/requests", "/console", "/events", "/healthz", "/signin", "/assets/app.css")) {
            var reply = Raw.send(port, "GET", path, "rebind.evil.example:" + port, "Accept", "application/json",
                    "Authorization", bearer());
            assertThat(reply.status()).as(path).isEqualTo(421);
            assertThat(reply.body()).as(path).contains("\"error\"").contains("rebind.evil.example:" + port)
                    .contains("PUBLIC_URL");
        }
    }

    @Test
    void a_console_press_from_a_rebinding_page_is_421_even_with_the_browsers_cookies() throws Exception {
        var csrf = web.csrf();
        var reply = Raw.send(port, "POST", "/console/command", "rebind.evil.example:" + port,
                "Origin", "http://rebind.evil.example:" + port, "Content-Type", "application/json",
                ConsoleGuard.CSRF_HEADER, csrf, "Authorization", bearer());
        assertThat(reply.status()).isEqualTo(421);
    }

    @Test
    void loopback_names_on_any_port_and_the_public_urls_host_are_answered() {
        for (var host : List.of("localhost", "localhost:" + port, "127.0.0.1:" + port, "127.0.0.1:8080", "[::1]:" + port,
                "[::1]", "LOCALHOST:" + port, "countersign.example.org", "Countersign.Example.org:443")) {
            var reply = Raw.send(port, "GET", "/api/requests", host, "Accept", "application/json", "Authorization", bearer());
            assertThat(reply.status()).as(host).isEqualTo(200);
        }
    }

    @Test
    void other_names_no_host_and_malformed_hosts_are_421() {
        for (var host : new String[] {"127.0.0.2", "localhost.evil.example", "127.0.0.1.nip.io", "evil.example", "",
                "[::2]", "countersign.example.org.evil.example", null}) {
            var reply = Raw.send(port, "GET", "/healthz", host);
            assertThat(reply.status()).as(String.valueOf(host)).isIn(400, 421);
        }
        assertThat(Raw.send(port, "GET", "/healthz", "evil.example").status()).isEqualTo(421);
    }

    @Test
    void slack_and_the_webhooks_check_their_own_signatures_whatever_host_they_name() {
        var slack = Raw.send(port, "POST", "/slack/events", "hooks.internal:8443");
        var deploy = Raw.send(port, "POST", "/webhooks/deploy", "hooks.internal:8443");
        assertThat(slack.status()).as(slack.text()).isNotEqualTo(421);
        assertThat(deploy.status()).as(deploy.text()).isEqualTo(401);
    }

    @Test
    void a_console_post_with_the_origin_of_another_port_on_this_machine_is_refused() throws Exception {
        var csrf = web.csrf();
        var other = web.post("/console/command", "{\"as\":\"dev\",\"text\":\"/emergency list\"}", "Content-Type",
                "application/json", ConsoleGuard.CSRF_HEADER, csrf, "Origin", "http://127.0.0.1:" + (port + 1));
        var same = web.post("/console/command", "{\"as\":\"dev\",\"text\":\"/emergency list\"}", "Content-Type",
                "application/json", ConsoleGuard.CSRF_HEADER, csrf, "Origin", "http://127.0.0.1:" + port);
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(same.statusCode()).as(same.body()).isEqualTo(200);
    }

    @Test
    void the_public_urls_origin_is_this_site_and_its_lookalikes_are_not() {
        var hosts = new HostCheck(URI.create("https://countersign.example.org"));
        assertThat(hosts.allowsOrigin("https://countersign.example.org", "10.0.0.5:7000", false)).isTrue();
        assertThat(hosts.allowsOrigin("http://countersign.example.org", "10.0.0.5:7000", false)).isFalse();
        assertThat(hosts.allowsOrigin("https://countersign.example.org.evil.example", "10.0.0.5:7000", false)).isFalse();
        assertThat(hosts.allowsOrigin("http://127.0.0.1:7000", "127.0.0.1:7000", false)).isTrue();
        assertThat(hosts.allowsOrigin("http://127.0.0.1:7001", "127.0.0.1:7000", false)).isFalse();
        assertThat(hosts.allowsOrigin("null", "127.0.0.1:7000", false)).isFalse();
    }

    private static String bearer() {
        return "Bearer " + web.service.startupToken().orElseThrow();
    }
}
