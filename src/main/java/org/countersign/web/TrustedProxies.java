package org.countersign.web;

import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The client's address. It is the peer's, unless the peer is one of {@code TRUSTED_PROXIES}: then it is the nearest
 * address in {@code X-Forwarded-For} (read from the right, where each trusted proxy appended its own peer) that is
 * not a trusted proxy too. A header sent by anyone else is ignored, since anyone can write one.
 */
final class TrustedProxies {
    static final TrustedProxies NONE = new TrustedProxies(List.of());
    /** Hops read from the right at the most; a chain of proxies longer than this is not a deployment. */
    static final int MAX_HOPS = 20;

    private final List<Cidr> trusted;

    TrustedProxies(List<Cidr> trusted) { this.trusted = List.copyOf(trusted); }

    /** Reads {@code 10.0.0.0/8, 192.0.2.7, 2001:db8::/32}, adding what is wrong to {@code problems}. */
    static TrustedProxies parse(String text, List<String> problems) {
        var cidrs = new ArrayList<Cidr>();
        if (text == null) return NONE;
        for (var item : text.split("[,\\s]+")) {
            if (item.isEmpty()) continue;
            var cidr = Cidr.parse(item);
            if (cidr.isPresent()) cidrs.add(cidr.get());
            else problems.add("TRUSTED_PROXIES: '" + item + "' is not an address or CIDR such as 10.0.0.0/8, "
                    + "192.0.2.7 or 2001:db8::/32 (list your load balancers' addresses, comma-separated)");
        }
        return new TrustedProxies(cidrs);
    }

    List<Cidr> cidrs() { return trusted; }

    String client(Context ctx) {
        var forwarded = ctx.req().getHeaders("X-Forwarded-For");
        return client(ctx.req().getRemoteAddr(), forwarded == null ? List.of() : Collections.list(forwarded));
    }

    /** The client address behind {@code peer}, given every X-Forwarded-For header as received. */
    String client(String peer, List<String> forwardedFor) {
        var hop = literal(peer);
        if (hop == null) return String.valueOf(peer);
        if (!isTrusted(hop)) return hop.getHostAddress();
        var entries = new ArrayList<String>();
        for (var header : forwardedFor) for (var entry : header.split(",")) entries.add(entry.strip());
        for (int i = entries.size() - 1; i >= 0 && i >= entries.size() - MAX_HOPS; i--) {
            var next = literal(entries.get(i));
            if (next == null) break; // a trusted proxy wrote nonsense: the last address we know stands
            hop = next;
            if (!isTrusted(hop)) break;
        }
        return hop.getHostAddress();
    }

    private boolean isTrusted(InetAddress address) {
        return trusted.stream().anyMatch(c -> c.contains(address));
    }

    /** An IP address written as one ({@code 192.0.2.7}, {@code ::1}, {@code [::1]}), never a name: no DNS look-up. */
    static InetAddress literal(String text) {
        if (text == null) return null;
        var t = text.strip();
        if (t.startsWith("[") && t.endsWith("]")) t = t.substring(1, t.length() - 1);
        boolean v4 = t.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
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
            return o instanceof Cidr c && c.bits == bits && java.util.Arrays.equals(c.network, network);
        }

        @Override
        public int hashCode() { return java.util.Arrays.hashCode(network) * 31 + bits; }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/" + bits;
            } catch (UnknownHostException e) {
                return "?/" + bits;
            }
        }
    }
}
