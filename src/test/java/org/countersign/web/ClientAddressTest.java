package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which address the limits count: the peer's, or through trusted proxies only, the rightmost untrusted hop. */
class ClientAddressTest {
    private final ClientAddress balancers = parse("10.0.0.0/8, 192.0.2.7, 2001:db8::/32");

    @Test
    void without_trusted_proxies_the_forwarding_headers_are_ignored() {
        var nobody = parse(null);
        assertThat(nobody.of("203.0.113.9", List.of("for=198.51.100.1"), List.of("198.51.100.1"))).isEqualTo("203.0.113.9");
        assertThat(nobody.of("127.0.0.1", List.of(), List.of("198.51.100.1"))).isEqualTo("127.0.0.1");
    }

    @Test
    void a_peer_that_is_not_a_trusted_proxy_is_the_client_whatever_it_forwards() {
        assertThat(balancers.of("203.0.113.9", List.of(), List.of("198.51.100.1"))).isEqualTo("203.0.113.9");
    }

    @Test
    void through_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        // The client wrote 1.1.1.1 itself; the balancer appended what it saw, 198.51.100.1; an inner proxy 10.0.0.2.
        assertThat(balancers.of("10.0.0.1", List.of(), List.of("1.1.1.1, 198.51.100.1", "10.0.0.2")))
                .isEqualTo("198.51.100.1");
        assertThat(balancers.of("192.0.2.7", List.of(), List.of("198.51.100.1:4711"))).isEqualTo("198.51.100.1");
    }

    @Test
    void forwarded_is_read_with_its_quotes_ports_and_ipv6_brackets_and_wins_over_x_forwarded_for() {
        assertThat(balancers.of("10.0.0.1", List.of("for=\"[2001:db9::5]:4711\";proto=https, for=10.0.0.3"),
                List.of("198.51.100.1"))).isEqualTo("2001:db9:0:0:0:0:0:5");
        assertThat(balancers.of("10.0.0.1", List.of("for=192.0.2.60;by=10.0.0.1"), List.of())).isEqualTo("192.0.2.60");
    }

    @Test
    void a_hop_that_is_not_an_address_leaves_the_last_one_we_can_name() {
        assertThat(balancers.of("10.0.0.1", List.of(), List.of("unknown"))).isEqualTo("10.0.0.1");
        assertThat(balancers.of("10.0.0.1", List.of(), List.of("evil.example, 10.0.0.2"))).isEqualTo("10.0.0.2");
        assertThat(balancers.of("10.0.0.1", List.of("for=_hidden"), List.of())).isEqualTo("10.0.0.1");
        assertThat(balancers.of("10.0.0.1", List.of(), List.of("999.1.1.1"))).isEqualTo("10.0.0.1");
    }

    @Test
    void only_trusted_hops_are_the_leftmost_one() {
        assertThat(balancers.of("10.0.0.1", List.of(), List.of("10.0.0.3, 10.0.0.2"))).isEqualTo("10.0.0.3");
    }

    @Test
    void bad_entries_are_listed_with_what_to_write_and_good_ones_are_written_back_as_blocks() {
        var problems = new ArrayList<String>();
        var parsed = ClientAddress.parse("10.0.0.0/8, 10.0.0.0/33, lb.example.org, ::1", problems);
        assertThat(problems).containsExactly(
                "TRUSTED_PROXIES: '10.0.0.0/33' is not an IP address or CIDR block (such as 10.0.0.0/8, 192.0.2.7 or "
                        + "2001:db8::/32); list your load balancers' addresses, comma-separated",
                "TRUSTED_PROXIES: 'lb.example.org' is not an IP address or CIDR block (such as 10.0.0.0/8, 192.0.2.7 or "
                        + "2001:db8::/32); list your load balancers' addresses, comma-separated");
        assertThat(parsed.blocks()).containsExactly("10.0.0.0/8", "0:0:0:0:0:0:0:1/128");
    }

    @Test
    void the_settings_read_public_url_and_trusted_proxies_and_list_what_is_wrong() {
        var problems = new ArrayList<String>();
        var settings = WebSettings.fromEnv(Map.of("PUBLIC_URL", "https://countersign.example.org",
                "TRUSTED_PROXIES", "10.0.0.0/8"), null, problems);
        assertThat(problems).isEmpty();
        assertThat(settings.publicUrl()).hasToString("https://countersign.example.org");
        assertThat(settings.trustedProxies()).containsExactly("10.0.0.0/8");

        WebSettings.fromEnv(Map.of("PUBLIC_URL", "countersign.example.org/app"), null, problems);
        assertThat(problems).singleElement().asString().startsWith("PUBLIC_URL='countersign.example.org/app': expected")
                .contains("https://countersign.example.org");
    }

    private static ClientAddress parse(String text) {
        var problems = new ArrayList<String>();
        var parsed = ClientAddress.parse(text, problems);
        assertThat(problems).isEmpty();
        return parsed;
    }
}
