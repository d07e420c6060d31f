package org.countersign.slack;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import org.countersign.chat.Texts;
import org.countersign.domain.Actor;
import org.countersign.domain.Platform;

/**
 * Slack mrkdwn from text people typed: escaped so it can never ping a channel, mention someone or
 * forge a link, and cut visibly to fit Block Kit's limits.
 */
final class SlackText {
    /** Slack user ids as they appear in payloads: U… or W… (Enterprise Grid). */
    private static final Pattern USER_ID = Pattern.compile("[UW][A-Z0-9]{2,20}");
    /** What Slack can put inside {@code <url|label>}: printable ASCII, no space. */
    private static final Pattern LINKABLE = Pattern.compile("(?i)https?://[\\x21-\\x7e]+");
    private static final int LABEL_MAX = 60;
    private static final DateTimeFormatter UTC_DATE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private SlackText() {}

    /** Slack's three control characters as entities: {@code & < >}; null becomes empty. */
    static String escape(String text) {
        if (text == null) return "";
        int first = 0;
        for (char c; first < text.length() && (c = text.charAt(first)) != '&' && c != '<' && c != '>'; ) first++;
        if (first == text.length()) return text; // most text has nothing to escape: no copy, char by char
        var out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) appendEscaped(out, text.charAt(i));
        return out.toString();
    }

    /**
     * {@code text} escaped, and cut so the result holds at most {@code max} characters: never inside an
     * entity or a surrogate pair, and with a marker counting the characters of {@code text} left out.
     */
    static String escape(String text, int max) { return escape(text, max, SlackText::marker); }

    /** {@code text} escaped and cut like {@link #escape(String, int)}, ending in "…": for lines too short for a count. */
    static String escapeShortened(String text, int max) { return escape(text, max, more -> "…"); }

    private static String escape(String text, int max, IntFunction<String> marker) {
        var escaped = escape(text);
        if (escaped.length() <= max) return escaped;
        var out = new StringBuilder(max);
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int width = Character.charCount(cp);
            int grown = out.length() + escapedLength(cp);
            if (grown + marker.apply(text.length() - i - width).length() > max) break;
            appendEscaped(out, cp);
            i += width;
        }
        return out + marker.apply(text.length() - i);
    }

    /** Plain text cut visibly to at most {@code max} characters. */
    static String truncate(String text, int max) { return Texts.truncate(text, max); }

    /** Plain text cut to at most {@code max} characters ending in "…". */
    static String shorten(String text, int max) { return Texts.shorten(text, max); }

    private static final Pattern SLACK_ACTOR = Pattern.compile("\\bslack:([UW][A-Z0-9]{2,20})\\b");

    /**
     * A message of the Workflow's (which may quote what people typed) made safe for mrkdwn, with the Slack
     * accounts it names ({@code slack:U0SRE1}) turned into mentions people recognise.
     */
    static String message(String text) {
        return mentions(escape(text));
    }

    /**
     * {@code SLACK_ACTOR.matcher(text).replaceAll("<@$1>")}, with the pattern tried only where {@code slack:} is: every
     * match starts there, and trying it at every position (its \b a Unicode check each time) was a third of listing
     * twenty requests. Transparent bounds let \b see the character before.
     */
    static String mentions(String text) {
        int at = text.indexOf("slack:");
        if (at < 0) return text;
        var matcher = SLACK_ACTOR.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
        var out = new StringBuilder(text.length() + 16);
        int copied = 0;
        while (at >= 0) {
            matcher.region(at, text.length());
            if (matcher.lookingAt()) {
                out.append(text, copied, at).append("<@").append(matcher.group(1)).append('>');
                copied = matcher.end();
                at = text.indexOf("slack:", copied);
            } else {
                at = text.indexOf("slack:", at + 1);
            }
        }
        return out.append(text, copied, text.length()).toString();
    }

    /** A Slack actor as a mention that shows their current name; anyone else as escaped {@code platform:id}. */
    static String mention(Actor actor) {
        if (actor == null) return "";
        if (actor.platform() == Platform.SLACK && USER_ID.matcher(actor.id()).matches()) return "<@" + actor.id() + ">";
        return escape(actor.toString());
    }

    /**
     * A change or task reference: an http(s) URL becomes a link with a short label, anything else
     * (a change number, {@code org/repo#12}, a URL Slack cannot link) escaped text.
     */
    static String link(String ref) {
        if (ref == null) return "";
        var stripped = ref.strip();
        if (!linkable(stripped)) return escape(stripped);
        var label = encoded(stripped).replaceFirst("(?i)^https?://", "");
        if (label.length() > LABEL_MAX) label = label.substring(0, LABEL_MAX - 1) + "…";
        return link(stripped, label);
    }

    /** An http(s) URL ({@link #linkable}) as a link with a label of our own. */
    static String link(String url, String label) {
        if (!linkable(url)) throw new IllegalArgumentException("not an http(s) URL Slack can link: " + url);
        return "<" + escape(encoded(url)) + "|" + escape(label) + ">";
    }

    /** Whether Slack can link {@code url}: an absolute http(s) URL of printable ASCII, no space. */
    static boolean linkable(String url) { return url != null && LINKABLE.matcher(url).matches(); }

    // | ends the URL part of a link and < > end the link: percent-encode them, which is the same URL.
    private static String encoded(String url) {
        return url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E");
    }

    /** Slack's date token: shown in the reader's time zone, with UTC where a client cannot format it. */
    static String time(Instant at) {
        return "<!date^" + at.getEpochSecond() + "^{date_short_pretty} {time}|" + utc(at) + ">";
    }

    /** {@code 2026-11-26 14:02 UTC}. */
    static String utc(Instant at) { return UTC_DATE_TIME.format(at); }

    /** {@code 14:02 UTC}. */
    static String utcTime(Instant at) { return UTC_TIME.format(at); }

    private static String marker(int more) { return Texts.marker(more); }

    private static int escapedLength(int cp) {
        return switch (cp) {
            case '&' -> 5;
            case '<', '>' -> 4;
            default -> Character.charCount(cp);
        };
    }

    private static void appendEscaped(StringBuilder out, int cp) {
        switch (cp) {
            case '&' -> out.append("&amp;");
            case '<' -> out.append("&lt;");
            case '>' -> out.append("&gt;");
            default -> out.appendCodePoint(cp);
        }
    }
}
