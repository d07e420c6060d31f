package org.countersign.web;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which paths need a credential: every path does, unless it is on the short public list below, spelled exactly.
 * Paths are read as sent, and a spelling that a server or proxy could read as another path (doubled or trailing
 * slashes, dot segments, encoded slashes, dots or letters, {@code ;} parameters, backslashes) is refused before
 * routing, so the path that is checked is the path that is served.
 */
final class RoutePolicy {
    /**
     * Open to anyone: health, metrics (which asks for its own token), sign-in (with the token, and the identity
     * provider's way there and back, which checks its own state) and the Slack Request URL.
     */
    private static final Set<String> PUBLIC = Set.of("/healthz", "/readyz", "/metrics", "/signin", "/signout", "/favicon.ico",
            OidcSignIn.START, OidcSettings.CALLBACK, "/slack/events");
    /** Open under these prefixes: static assets, published keys and the webhooks (which check their signatures). */
    private static final List<String> PUBLIC_UNDER = List.of("/assets/", "/webhooks/", "/.well-known/");
    private static final String UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

    private RoutePolicy() {}

    /** Needs no credential here. {@code path} is as sent; a non-canonical one is never public. */
    static boolean isPublic(String path) {
        if (problem(path).isPresent()) return false;
        return PUBLIC.contains(path) || PUBLIC_UNDER.stream().anyMatch(p -> path.startsWith(p) && path.length() > p.length());
    }

    /** Called by machines that sign each request (Slack, webhooks): their own check stands, whatever Host they name. */
    static boolean isSigned(String path) {
        return "/slack/events".equals(path) || path.startsWith("/webhooks/") && problem(path).isEmpty();
    }

    /**
     * Why {@code path} is not spelled the one way Countersign spells its paths, with the spelling to use; empty when
     * it is. Doubled and trailing slashes are 404 (there is no such page, and the message names the right one);
     * anything else is 400.
     */
    /**
     * True when no rule of {@link #problem} can object, in one look at each character (it is asked several times a
     * request): no escape, backslash, ';' or control character, no segment that is empty or starts with a dot, no
     * trailing slash. A path it is unsure of (a segment like {@code .well-known}) is looked at in full.
     */
    private static boolean plainly(String path) {
        char previous = 0;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x21 || c == 0x7f || c == '\\' || c == ';' || c == '%') return false;
            if (previous == '/' && (c == '/' || c == '.')) return false;
            previous = c;
        }
        return previous != '/';
    }

    static Optional<Refusal> problem(String path) {
        if (path == null || !path.startsWith("/")) return Optional.of(new Refusal(400, "A path starts with /"));
        if (path.equals("/") || plainly(path)) return Optional.empty();
        if (path.contains("\\") || path.contains(";") || path.chars().anyMatch(c -> c < 0x21 || c == 0x7f))
            return Optional.of(new Refusal(400, "Paths here have no backslashes, ';' or spaces; \"" + shown(path)
                    + "\" is not one of them"));
        for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
            int hi = i + 2 < path.length() ? Character.digit(path.charAt(i + 1), 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(path.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) return Optional.of(new Refusal(400, "\"" + shown(path) + "\" has a broken percent-escape"));
            char decoded = (char) (hi * 16 + lo);
            if (decoded == '/' || decoded == '\\' || decoded == '%' || decoded < 0x20 || UNRESERVED.indexOf(decoded) >= 0)
                return Optional.of(new Refusal(400, "\"" + shown(path) + "\" encodes '" + (decoded < 0x20 ? "\\x"
                        + Integer.toHexString(decoded) : String.valueOf(decoded)) + "' (%" + path.substring(i + 1, i + 3)
                        + "); spell letters, digits, '.', '-', '_', '~' and '/' plainly"));
        }
        var segments = path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            var s = segments[i];
            if (s.equals(".") || s.equals(".."))
                return Optional.of(new Refusal(400, "\"" + shown(path) + "\" has a '" + s + "' segment; name the page itself"));
            if (s.isEmpty())
                return Optional.of(new Refusal(404, "No such page: " + shown(path) + " (paths here have no "
                        + (i == segments.length - 1 ? "trailing" : "doubled") + " slashes); try " + canonical(segments)));
        }
        return Optional.empty();
    }

    /** Why a path is refused, and with which status. */
    record Refusal(int status, String message) {}

    private static String canonical(String[] segments) {
        var b = new StringBuilder();
        for (var s : segments) if (!s.isEmpty()) b.append('/').append(s);
        return b.isEmpty() ? "/" : b.toString();
    }

    /** The path as it may be quoted back: bounded, and without control characters. */
    private static String shown(String path) {
        var clean = path.replaceAll("[\\p{Cntrl}]", "?");
        return clean.length() > 120 ? clean.substring(0, 120) + "…" : clean;
    }
}
