package org.countersign.web;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One reading of a request's path for every check, whatever its spelling: segments without empty ones (so doubled
 * and trailing slashes do not count), each percent-decoded and in lower case. Every route is protected unless it
 * is one of the few public ones below, spelled plainly; a path with {@code .} or {@code ..} segments, or with a
 * slash, backslash or {@code ;} hidden in an encoding, is never public, so no spelling walks from a public prefix
 * into a protected route.
 */
final class Paths {
    /** Open to anyone: health, metrics (open by design, for Prometheus), sign-in and sign-out. */
    private static final Set<String> PUBLIC = Set.of("/healthz", "/readyz", "/metrics", "/signin", "/signout");
    /** Open, under these prefixes: the assets, sign-in steps, and the endpoints that check their own signatures. */
    private static final List<String> PUBLIC_UNDER = List.of("/assets/", "/signin/", "/webhooks/");
    private static final String SLACK = "/slack/events";

    private Paths() {}

    /** The path as every check reads it: {@code //API/%72equests/} is {@code /api/requests}. */
    static String canonical(String raw) {
        return "/" + String.join("/", segments(raw));
    }

    /** Needs no credential: a public route, spelled plainly. */
    static boolean isPublic(String raw) {
        if (!plain(raw)) return false;
        var path = canonical(raw);
        return PUBLIC.contains(path) || path.equals(SLACK) || PUBLIC_UNDER.stream().anyMatch(path::startsWith);
    }

    /** Checks its own signature or token and is called by machines, not browsers: Slack's Request URL and webhooks. */
    static boolean isSelfAuthenticating(String raw) {
        if (!plain(raw)) return false;
        var path = canonical(raw);
        return path.equals(SLACK) || path.startsWith("/webhooks/");
    }

    /** The console, however spelled. */
    static boolean isConsole(String raw) {
        var segments = segments(raw);
        return !segments.isEmpty() && segments.get(0).equals("console");
    }

    /** The live events stream, however spelled. */
    static boolean isLiveEvents(String raw) {
        return canonical(raw).equals("/events");
    }

    /** Limited per caller: the API, the console, sign-in and the webhooks (pages and their live updates are not). */
    static boolean isLimited(String raw) {
        var segments = segments(raw);
        return !segments.isEmpty() && Set.of("api", "console", "signin", "webhooks").contains(segments.get(0));
    }

    private static List<String> segments(String raw) {
        var segments = new ArrayList<String>();
        for (var part : raw.split("/"))
            if (!part.isEmpty()) segments.add(decode(part).toLowerCase(Locale.ROOT));
        return segments;
    }

    /** No dot segments, and nothing an encoding hides that would change where the path leads. */
    private static boolean plain(String raw) {
        for (var part : raw.split("/")) {
            var decoded = decode(part);
            if (decoded.equals(".") || decoded.equals("..") || decoded.contains("/") || decoded.contains("\\")
                    || decoded.contains(";") || decoded.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) return false;
        }
        return true;
    }

    /** Percent-decoding as UTF-8; a broken escape is kept as it was typed (and so matches no route). */
    private static String decode(String part) {
        if (part.indexOf('%') < 0) return part;
        var bytes = new ByteArrayOutputStream();
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            int hi = c == '%' && i + 2 < part.length() ? Character.digit(part.charAt(i + 1), 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(part.charAt(i + 2), 16);
            if (hi >= 0 && lo >= 0) {
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
