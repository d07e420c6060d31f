package org.countersign.web;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.countersign.chat.Texts;
import org.countersign.domain.Actor;
import org.countersign.domain.Platform;
import org.countersign.domain.Policy;

/** Small pieces of HTML: escaping, UTC times, durations people read at a glance, and the page frame. */
final class Html {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Html() {}

    /** Text as HTML, safe in element content and in quoted attributes; null becomes empty. */
    static String esc(String text) { return Texts.escapeHtml(text); }

    /** {@code <time>} showing {@code 2026-11-26 14:02:05 UTC}. */
    static String time(Instant at) {
        if (at == null) return "";
        return "<time datetime=\"" + at + "\">" + UTC.format(at) + "</time>";
    }

    /** How long ago, as "4 min ago"; the exact UTC time in the tooltip. */
    static String age(Instant at, Instant now) {
        if (at == null) return "";
        return "<time datetime=\"" + at + "\" title=\"" + UTC.format(at) + "\">" + span(Duration.between(at, now))
                + " ago</time>";
    }

    /** How long until, as "in 56 min", or "overdue"; the exact UTC time in the tooltip. */
    static String until(Instant at, Instant now) {
        if (at == null) return "";
        var left = Duration.between(now, at);
        var text = left.isNegative() ? "overdue" : "in " + span(left);
        return "<time datetime=\"" + at + "\" title=\"" + UTC.format(at) + "\">" + text + "</time>";
    }

    static String span(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) return s + " s";
        if (s < 3600) return s / 60 + " min";
        if (s < 86400) return s / 3600 + " h " + (s % 3600) / 60 + " min";
        return s / 86400 + " d " + (s % 86400) / 3600 + " h";
    }

    /** A person as people know them, and the account they acted from with its platform: alice (console:alice). */
    static String actor(String account, Policy policy) {
        if (account == null) return "";
        Actor actor;
        try {
            actor = Actor.parse(account);
        } catch (IllegalArgumentException e) {
            return "<span class=\"actor\">" + esc(account) + "</span>";
        }
        if (actor.platform() == Platform.SYSTEM) return "<span class=\"actor system\">Countersign</span>";
        var person = policy.personOf(actor);
        var shown = person.equals(actor.toString()) ? actor.id() : person;
        return "<span class=\"actor\">" + esc(shown) + " <span class=\"platform\">" + esc(actor.toString())
                + "</span></span>";
    }

    /** The whole page: head, top bar and {@code body}. */
    static String page(String title, String bodyClass, boolean console, String body, String script) {
        return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + esc(title) + " · Countersign</title>"
                + "<link rel=\"stylesheet\" href=\"/assets/app.css\">"
                + "<link rel=\"icon\" type=\"image/svg+xml\" href=\"/assets/favicon.svg\"></head>"
                + "<body class=\"" + esc(bodyClass) + "\"><header class=\"top\"><a class=\"brand\" href=\"/\">Countersign</a>"
                + "<nav><a href=\"/\">Dashboard</a>" + (console ? "<a href=\"/console\">Console</a>" : "") + "</nav>"
                + "<span id=\"live\" class=\"live\" hidden>live</span></header>"
                + body
                + (script == null ? "" : "<script src=\"/assets/" + esc(script) + "\"></script>")
                + "</body></html>";
    }
}
