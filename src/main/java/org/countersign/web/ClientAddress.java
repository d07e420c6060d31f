package org.countersign.web;

import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Who is calling, as the per-address limits count them: the peer's address, unless the peer is one of
 * {@code TRUSTED_PROXIES}; then the rightmost address in {@code Forwarded} (or {@code X-Forwarded-For}) that is not a
 * trusted proxy, since every hop appends what it saw and only the hops we trust tell the truth. From anyone else
 * those headers are ignored: a client could write any address into them.
 */
final class ClientAddress {
    static final ClientAddress NONE = new ClientAddress(List.of());
    /** How many hops are read at most; more is a header made up to cost us time. */
    static final int MAX_HOPS = 20;

    private final List<Cidr> trusted;

    private ClientAddress(List<Cidr> trusted) { this.trusted = List.copyOf(trusted); }

    /** {@code 10.0.0.0/8, 192.0.2.7, 2001:db8::/32}; null or blank trusts nobody. Problems go to {@code problems}. */
    static ClientAddress parse(String text, List<String> problems) {
        if (text == null || text.isBlank()) return NONE;
        var cidrs = new ArrayList<Cidr>();
        for (var entry : text.split(",")) {
            var e = entry.strip();
            if (e.isEmpty()) continue;
            var cidr = Cidr.parse(e);
            if (cidr.isPresent()) cidrs.add(cidr.get());
            else problems.add("TRUSTED_PROXIES: '" + e + "' is not an IP address or CIDR block (such as 10.0.0.0/8, "
                    + "192.0.2.7 or 2001:db8::/32); list your load balancers' addresses, comma-separated");
        }
        return new ClientAddress(cidrs);
    }

    /** The blocks trusted, as written back ({@code 10.0.0.0/8}). */
    List<String> blocks() { return trusted.stream().map(Cidr::toString).toList(); }

    /** The client's address, as text. */
    String of(Context ctx) {
        return of(ctx.req().getRemoteAddr(), ctx.req().getHeaders("Forwarded") == null ? List.of()
                : java.util.Collections.list(ctx.req().getHeaders("Forwarded")),
                ctx.req().getHeaders("X-Forwarded-For") == null ? List.of()
                        : java.util.Collections.list(ctx.req().getHeaders("X-Forwarded-For")));
    }

    /** The client's address from the peer's and the forwarding headers' values, in the order they came. */
    String of(String peer, List<String> forwarded, List<String> forwardedFor) {
        var hop = literal(peer);
        if (hop == null) return peer == null ? "unknown" : peer;
        if (!isTrusted(hop)) return hop.getHostAddress();
        var hops = !forwarded.isEmpty() ? forwardedFors(forwarded) : entries(forwardedFor);
        for (int i = hops.size() - 1, seen = 0; i >= 0 && seen < MAX_HOPS; i--, seen++) {
            var next = literal(hops.get(i));
            if (next == null) break; // "unknown", a name, garbage: the last hop we can name stands
            hop = next;
            if (!isTrusted(hop)) break;
        }
        return hop.getHostAddress();
    }

    private boolean isTrusted(InetAddress address) {
        return trusted.stream().anyMatch(c -> c.contains(address));
    }

    private static List<String> entries(List<String> headers) {
        var out = new ArrayList<String>();
        for (var header : headers) for (var entry : header.split(",")) out.add(entry.strip());
        return out;
    }

    /** The {@code for=} of each element of RFC 7239 {@code Forwarded} headers, in order. */
    private static List<String> forwardedFors(List<String> headers) {
        var out = new ArrayList<String>();
        for (var element : entries(headers)) {
            var value = "";
            for (var pair : element.split(";")) {
                var kv = pair.strip();
                if (kv.regionMatches(true, 0, "for=", 0, 4)) value = kv.substring(4).strip();
            }
            if (value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2)
                value = value.substring(1, value.length() - 1);
            out.add(value);
        }
        return out;
    }

    /**
     * An IP address written as one ({@code 192.0.2.7}, {@code 192.0.2.7:4711}, {@code ::1}, {@code [::1]:4711}), never
     * a name, so there is no DNS look-up; null otherwise.
     */
    static InetAddress literal(String text) {
        if (text == null) return null;
        var t = text.strip();
        if (t.startsWith("[")) {
            int end = t.indexOf(']');
            if (end < 0) return null;
            t = t.substring(1, end);
        } else if (t.matches("[0-9.]+:[0-9]{1,5}")) {
            t = t.substring(0, t.indexOf(':'));
        }
        // An octet over 255 would not be a literal, and getByName would look the text up in DNS.
        boolean v4 = t.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")
                && Arrays.stream(t.split("\\.")).allMatch(o -> Integer.parseInt(o) <= 255);
        boolean v6 = t.contains(":") && t.matches("[0-9a-fA-F:.]+(%[0-9a-zA-Z]+)?");
        if (!v4 && !v6) return null;
        try {
            return InetAddress.getByName(t);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** An address block: {@code 10.0.0.0/8}; a bare address is a block of one. */
    record Cidr(byte[] network, int bits) {
        static Optional<Cidr> parse(String text) {
            var slash = text.indexOf('/');
            var address = literal(slash < 0 ? text : text.substring(0, slash));
            if (address == null) return Optional.empty();
            int max = address.getAddress().length * 8;
            int bits = max;
            if (slash >= 0) {
                var suffix = text.substring(slash + 1);
                if (!suffix.matches("[0-9]{1,3}")) return Optional.empty();
                bits = Integer.parseInt(suffix);
                if (bits > max) return Optional.empty();
            }
            return Optional.of(new Cidr(address.getAddress(), bits));
        }

        boolean contains(InetAddress address) {
            var bytes = address.getAddress();
            if (bytes.length != network.length) return false;
            for (int bit = 0; bit < bits; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask)) return false;
            }
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr c && c.bits == bits && Arrays.equals(c.network, network);
        }

        @Override
        public int hashCode() { return Arrays.hashCode(network) * 31 + bits; }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress().toLowerCase(Locale.ROOT) + "/" + bits;
            } catch (UnknownHostException e) {
                return "?/" + bits;
            }
        }
    }
}
