package org.countersign.web;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * The names this server answers to: {@code localhost}, {@code 127.0.0.1} and {@code [::1]} on any port, the host of
 * {@code PUBLIC_URL}, and the address the connection came in on (what a health probe that dials an address sends).
 * A page on a name its owner pointed at this machine (DNS rebinding) names that host, and is answered 421 before it
 * reaches anything. Slack and the webhooks sign each request, so they are answered whatever Host they name.
 */
final class HostCheck {
    private final URI publicUrl;

    /** {@code publicUrl} may be null: loopback names only. */
    HostCheck(URI publicUrl) { this.publicUrl = publicUrl; }

    /** The before-handler. */
    void check(Context ctx) {
        if (RoutePolicy.isSigned(ctx.path())) return;
        var host = ctx.header("Host");
        if (allows(host, ctx.req().getLocalAddr())) return;
        ctx.skipRemainingHandlers();
        ErrorAnswers.refusing(ctx);
        ctx.status(HttpStatus.MISDIRECTED_REQUEST).json(new ApiError(refusal(host)));
    }

    /** Whether a Host header names this server; {@code localAddress} is the connection's own address, or null. */
    boolean allows(String hostHeader, String localAddress) {
        var name = name(hostHeader);
        if (name.isEmpty()) return false;
        var host = name.get();
        if (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1")) return true;
        if (publicUrl != null && host.equals(bare(publicUrl.getHost()))) return true;
        var local = localAddress == null ? null : ClientAddress.literal(localAddress);
        var literal = ClientAddress.literal(host);
        return local != null && literal != null && local.equals(literal) && !local.isAnyLocalAddress();
    }

    /**
     * Whether a browser's {@code Origin} is this site: the very origin of the page it was sent to (scheme, host and
     * port of the Host it named, which {@link #check} already allowed), or PUBLIC_URL's. A page on another port of
     * this machine is another site, though browsers send it the same SameSite cookies.
     */
    boolean allowsOrigin(String origin, String hostHeader, boolean https) {
        if (origin == null || hostHeader == null) return false;
        if (publicUrl != null && origin.equalsIgnoreCase(originOf(publicUrl))) return true;
        var self = (https ? "https://" : "http://") + hostHeader.strip();
        return origin.equalsIgnoreCase(self) && name(hostHeader).isPresent();
    }

    private String refusal(String host) {
        var shown = host == null || host.isBlank() ? "(no Host header)" : "\"" + host.replaceAll("\\p{Cntrl}", "?") + "\"";
        return "This Countersign does not answer to the name " + shown + ": it answers to localhost, 127.0.0.1 and [::1]"
                + (publicUrl == null ? ". If people reach it by that name (through a proxy or a load balancer), set "
                + "PUBLIC_URL to the address they use, e.g. PUBLIC_URL=https://countersign.example.org"
                : " and " + publicUrl.getHost() + " (PUBLIC_URL): use that address, or set PUBLIC_URL to the one people use");
    }

    /** {@code Example.org:7000} as {@code example.org}, {@code [::1]:7000} as {@code ::1}; empty when malformed. */
    static Optional<String> name(String header) {
        if (header == null) return Optional.empty();
        var h = header.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0 || !h.substring(end + 1).matches("(:[0-9]{1,5})?")) return Optional.empty();
            var inside = h.substring(1, end);
            var literal = ClientAddress.literal(inside);
            if (literal == null) return Optional.empty();
            return Optional.of(literal.getAddress().length == 16 && literal.isLoopbackAddress() ? "::1" : inside);
        }
        if (!h.matches("[a-z0-9.-]+(:[0-9]{1,5})?")) return Optional.empty();
        int colon = h.indexOf(':');
        return Optional.of(colon < 0 ? h : h.substring(0, colon));
    }

    /** The origin a browser sends for a page under this URL: scheme, host and the port when it is not the default. */
    private static String originOf(URI url) {
        var scheme = url.getScheme().toLowerCase(Locale.ROOT);
        int port = url.getPort();
        boolean defaultPort = port < 0 || scheme.equals("http") && port == 80 || scheme.equals("https") && port == 443;
        return scheme + "://" + url.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    private static String bare(String host) {
        var h = host.toLowerCase(Locale.ROOT);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }
}
