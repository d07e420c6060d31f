package org.countersign.web;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * The names this server answers to: localhost, 127.0.0.1 and [::1] on any port, the host of {@code PUBLIC_URL},
 * and the address the connection came in on (what a probe or a scraper that dials an address sends). A page on
 * another name that its owner pointed at this machine (DNS rebinding), or a proxy that passes its own name on, is
 * answered 421: a browser always sends the name of the page's own site.
 */
final class Hosts {
    private static final InetAddress V4_LOOPBACK = TrustedProxies.literal("127.0.0.1");
    private static final InetAddress V6_LOOPBACK = TrustedProxies.literal("::1");

    private final URI publicUrl;

    /** {@code publicUrl} may be null. */
    Hosts(URI publicUrl) { this.publicUrl = publicUrl; }

    /** The before-handler: every route but the ones machines call with their own signatures. */
    void check(Context ctx) {
        if (Paths.isSelfAuthenticating(ctx.path())) return;
        var host = ctx.header("Host");
        var name = hostOf(host);
        if (name != null && known(name, ctx.req().getLocalAddr())) return;
        ctx.skipRemainingHandlers();
        ctx.status(HttpStatus.MISDIRECTED_REQUEST).json(new ApiError(refusal(host)));
    }

    /**
     * Whether an {@code Origin} is one of ours: PUBLIC_URL's exactly, or a known name on the port this connection
     * came in on (a page on another port of this machine is another site).
     */
    boolean allowsOrigin(String origin, String localAddress, int localPort) {
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            return false;
        }
        var scheme = Objects.requireNonNullElse(uri.getScheme(), "").toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                || !Objects.requireNonNullElse(uri.getRawPath(), "").isEmpty()) return false;
        var host = bare(uri.getHost());
        if (publicUrl != null && scheme.equalsIgnoreCase(publicUrl.getScheme()) && host.equals(bare(publicUrl.getHost()))
                && port(uri) == port(publicUrl)) return true;
        return port(uri) == localPort && known(host, localAddress);
    }

    /** A loopback name, PUBLIC_URL's host, or the local address of the connection. */
    private boolean known(String host, String localAddress) {
        if (host.equals("localhost")) return true;
        if (publicUrl != null && host.equals(bare(publicUrl.getHost()))) return true;
        var literal = TrustedProxies.literal(host);
        return literal != null && (literal.equals(V4_LOOPBACK) || literal.equals(V6_LOOPBACK)
                || literal.equals(TrustedProxies.literal(localAddress)));
    }

    private String refusal(String host) {
        var shown = host == null || host.isBlank() ? "(no Host header)" : "\"" + host + "\"";
        return "This Countersign is not reached by the name " + shown + ": it answers to localhost, 127.0.0.1 and "
                + "[::1]" + (publicUrl == null ? ". If people reach it by that name (through a proxy or a load balancer), "
                + "set PUBLIC_URL to that address, e.g. PUBLIC_URL=https://countersign.example.org"
                : " and " + publicUrl.getHost() + " (PUBLIC_URL). Use that address, or change PUBLIC_URL");
    }

    /** {@code Example.org.:7000} as {@code example.org}, {@code [::1]:7000} as {@code ::1}; null when malformed. */
    static String hostOf(String header) {
        if (header == null) return null;
        var h = header.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            var rest = end < 0 ? "" : h.substring(end + 1);
            if (end < 0 || !(rest.isEmpty() || rest.matches(":[0-9]{1,5}"))) return null;
            return TrustedProxies.literal(h.substring(1, end)) == null ? null : h.substring(1, end);
        }
        if (!h.matches("[a-z0-9.-]+(:[0-9]{1,5})?")) return null;
        return bare(h.contains(":") ? h.substring(0, h.indexOf(':')) : h);
    }

    /** A host as compared: lower case, without IPv6 brackets or a final dot. */
    private static String bare(String host) {
        var h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
