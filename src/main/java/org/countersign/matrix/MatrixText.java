package org.countersign.matrix;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;
import org.countersign.chat.Texts;
import org.countersign.domain.Actor;
import org.countersign.domain.Platform;

/**
 * Text people typed, made safe for a Matrix message: cleaned so it cannot notify a room, cut visibly,
 * and escaped for the HTML {@code formatted_body} so it can never become markup or a link.
 */
final class MatrixText {
    /** A user id as the current grammar has it: {@code @localpart:server.name[:port]}. */
    private static final Pattern USER_ID = Pattern.compile(
            "@[a-z0-9._=\\-/+]{1,255}:(?:[A-Za-z0-9.\\-]{1,255}|\\[[0-9A-Fa-f:.]{2,45}\\])(?::[0-9]{1,5})?");
    /** What may go in a link: an absolute http(s) URL of printable ASCII, no space. */
    private static final Pattern LINKABLE = Pattern.compile("(?i)https?://[\\x21-\\x7e]+");
    /** The legacy push rule notifies the whole room when the plain body says @room, whatever the case. */
    private static final Pattern ROOM_MENTION = Pattern.compile("(?i)@(room)");
    /** C0 and C1 controls other than tab and newline: invisible, and some clients choke on them. */
    private static final Pattern CONTROLS = Pattern.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]");
    private static final String WORD_JOINER = "\u2060";
    private static final int LABEL_MAX = 60;
    private static final DateTimeFormatter UTC_DATE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter UTC_TIME =
            DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private MatrixText() {}

    /**
     * Text as it may appear in either body: newlines as {@code \n}, controls shown as �, and {@code @room}
     * broken by an invisible word joiner so it reads the same but notifies nobody. Null becomes empty.
     */
    static String clean(String text) {
        if (text == null) return "";
        var lines = text.replace("\r\n", "\n").replace('\r', '\n');
        return ROOM_MENTION.matcher(CONTROLS.matcher(lines).replaceAll("\uFFFD")).replaceAll("@" + WORD_JOINER + "$1");
    }

    /** {@link #clean} text cut to at most {@code max} characters with a marker counting what was left out. */
    static String plain(String text, int max) { return truncate(clean(text), max); }

    /** The five characters HTML reads as markup, as entities: {@code & < > " '}. */
    static String escape(String text) { return Texts.escapeHtml(text); }

    /** Escaped text with its line breaks kept as {@code <br>}. */
    static String html(String text) { return escape(text).replace("\n", "<br>"); }

    /** Text cut visibly to at most {@code max} characters. */
    static String truncate(String text, int max) { return Texts.truncate(text, max); }

    /** Text cut to at most {@code max} characters ending in "…". */
    static String shorten(String text, int max) { return Texts.shorten(text, max); }

    /** Whether {@code ref} may become a link: an absolute http or https URL and nothing else. */
    static boolean linkable(String ref) { return ref != null && LINKABLE.matcher(ref).matches(); }

    /** An http(s) URL as a link whose label is the URL itself, shortened, so it cannot pretend to go elsewhere. */
    static String link(String url) {
        return link(url, url == null ? "" : shorten(url.replaceFirst("(?i)^https?://", ""), LABEL_MAX));
    }

    /** An http(s) URL ({@link #linkable}) as a link with a label of our own. */
    static String link(String url, String label) {
        if (!linkable(url)) throw new IllegalArgumentException("not an http(s) URL: " + url);
        return "<a href=\"" + escape(url) + "\">" + escape(clean(label)) + "</a>";
    }

    /** How the plain body names someone: the Matrix user id, or {@code platform:id} for other platforms. */
    static String name(Actor actor) {
        if (actor == null) return "";
        return clean(actor.platform() == Platform.MATRIX ? actor.id() : actor.toString());
    }

    /** A Matrix user as a pill (a matrix.to link clients show as the person); anyone else as escaped text. */
    static String pill(Actor actor) {
        if (actor == null) return "";
        if (actor.platform() == Platform.MATRIX && USER_ID.matcher(actor.id()).matches())
            return "<a href=\"https://matrix.to/#/" + escape(actor.id()) + "\">" + escape(actor.id()) + "</a>";
        return escape(name(actor));
    }

    /** Whether {@code id} is a Matrix user id by the current grammar. */
    static boolean isUserId(String id) { return id != null && USER_ID.matcher(id).matches(); }

    /** {@code 2026-11-26 14:02 UTC}. */
    static String utc(Instant at) { return UTC_DATE_TIME.format(at); }

    /** {@code 14:02 UTC}. */
    static String utcTime(Instant at) { return UTC_TIME.format(at); }

    private static String marker(int more) { return Texts.marker(more); }

    /**
     * A reply's own text: its body without the fallback quoting the event it answers (the leading lines that start
     * with {@code >}, and the blank line after them), which older clients put before what was typed.
     */
    static String withoutReplyFallback(String body) {
        if (!body.startsWith(">")) return body;
        var lines = body.split("\n", -1);
        int i = 0;
        while (i < lines.length && lines[i].startsWith(">")) i++;
        if (i < lines.length && lines[i].isBlank()) i++;
        return String.join("\n", java.util.Arrays.asList(lines).subList(i, lines.length));
    }
}
