package org.countersign.irc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.countersign.chat.Card;
import org.countersign.chat.CardCommands;
import org.countersign.domain.Actor;
import org.countersign.domain.Platform;

/**
 * What Countersign says on IRC, as lines: the card as one or two compact lines (the request, its state and the teams
 * still needed; then its page and the commands that apply now), a notice as one line, a reply cut into lines. Text
 * people typed can neither start a new line nor a new command (CR and LF would end the line and begin a raw command
 * of their own), nor carry CTCP or formatting codes; each line fits the 512 bytes an IRC message may have.
 */
final class IrcText {
    /** Bytes of text a NOTICE line carries: 512 less our prefix (nick!user@host, up to ~100), the command and CRLF. */
    static final int LINE_BYTES = 380;
    /** A summary on the card's first line. */
    static final int SUMMARY_MAX = 160;
    /** C0 controls (CTCP's \x01, bold, colour, reset, reverse, italics, underline, CR, LF...) and DEL. */
    private static final Pattern CONTROLS = Pattern.compile("[\\x00-\\x1f\\x7f]+");

    private IrcText() {}

    /** Text as it may go in one line: every control (and so every line break) a space, runs of spaces one. */
    static String clean(String text) {
        if (text == null) return "";
        return CONTROLS.matcher(text).replaceAll(" ").replaceAll(" {2,}", " ").strip();
    }

    /** Text cut to at most {@code maxBytes} of UTF-8, ending in "…" when cut; never splits a character. */
    static String fit(String text, int maxBytes) {
        if (text.getBytes(StandardCharsets.UTF_8).length <= maxBytes) return text;
        int budget = maxBytes - "…".getBytes(StandardCharsets.UTF_8).length;
        int used = 0;
        int end = 0;
        while (end < text.length()) {
            int cp = text.codePointAt(end);
            int bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (used + bytes > budget) break;
            used += bytes;
            end += Character.charCount(cp);
        }
        return text.substring(0, end) + "…";
    }

    /** A reply of several lines as IRC lines: each line cleaned, blank ones left out, long ones wrapped at spaces. */
    static List<String> lines(String text) {
        var out = new ArrayList<String>();
        if (text == null) return out;
        for (var raw : text.replace("\r\n", "\n").split("\n")) {
            var line = clean(raw);
            while (!line.isEmpty()) {
                if (line.getBytes(StandardCharsets.UTF_8).length <= LINE_BYTES) {
                    out.add(line);
                    break;
                }
                var head = fit(line, LINE_BYTES - 1);
                head = head.substring(0, head.length() - 1);
                int space = head.lastIndexOf(' ');
                if (space > LINE_BYTES / 3) head = head.substring(0, space);
                out.add(head);
                line = line.substring(head.length()).strip();
            }
        }
        return out;
    }

    /** How IRC names someone: their services account, or {@code platform:id} for other platforms. */
    static String name(Actor actor) {
        if (actor == null) return "";
        return clean(actor.platform() == Platform.IRC ? actor.id() : actor.toString());
    }

    /** A notice ({@code ✅ alice approved EMG-12 for SRE.}) as one line. */
    static String notice(List<Card.Value> parts) {
        var out = new StringBuilder();
        for (var part : parts) {
            if (part instanceof Card.Person p) out.append(name(p.actor()));
            else if (part instanceof Card.TeamCall call) out.append(call.label()).append(members(call));
            else if (part instanceof Card.Text t) out.append(t.text());
        }
        return fit(clean(out.toString()), LINE_BYTES);
    }

    /** The team's IRC accounts a reminder calls on, so their clients highlight it; empty when the policy lists none. */
    private static String members(Card.TeamCall call) {
        var accounts = call.members().stream().filter(a -> a.platform() == Platform.IRC).map(Actor::id).toList();
        return accounts.isEmpty() ? "" : " (" + String.join(" ", accounts) + ")";
    }

    /**
     * The card as one or two lines: {@code EMG-12 · Availability · Waiting for SRE — API returns 500s (alice)}, then
     * the request's page (when {@code pageUrl} is known) and the commands that apply now.
     */
    static List<String> card(Card card, String pageUrl) {
        var first = new StringBuilder(clean(card.title())).append(" · ").append(clean(card.status()));
        var summary = card.fields().stream().filter(f -> f.label().equals("Summary")).findFirst()
                .map(f -> f.value() instanceof Card.Text t ? clean(t.text()) : "").orElse("");
        if (!summary.isEmpty()) first.append(" — ").append(fit(summary, SUMMARY_MAX));
        card.fields().stream().filter(f -> f.label().equals("Requester") && f.value() instanceof Card.Person)
                .findFirst().ifPresent(f -> first.append(" (by ").append(name(((Card.Person) f.value()).actor()))
                        .append(')'));
        if (card.confidential()) first.append(" 🔒 confidential: do not repeat it outside this channel");
        var lines = new ArrayList<String>();
        lines.add(fit(first.toString(), LINE_BYTES));
        var second = new ArrayList<String>();
        if (pageUrl != null) second.add(clean(pageUrl));
        second.addAll(commands(card));
        if (!second.isEmpty()) lines.add(fit(String.join(" · ", second), LINE_BYTES));
        return lines;
    }

    /**
     * A transition in at most two lines: what happened and where the request stands now ({@code ✅ alice approved
     * EMG-12 for SRE. Now: Waiting for Release Engineering}), then its page and the commands that apply now.
     */
    static List<String> transition(List<Card.Value> notice, Card card, String pageUrl) {
        var lines = new ArrayList<String>();
        lines.add(fit(notice(notice) + " Now: " + clean(card.status()), LINE_BYTES));
        var rest = card(card, pageUrl);
        if (rest.size() > 1) lines.add(rest.get(1));
        return lines;
    }

    /** What to type for each button the card would have, in order, each once. */
    static List<String> commands(Card card) {
        // !withdraw and !edit are in !help: the card stays short.
        return CardCommands.of(card, IrcBot.SYNTAX, IrcText::clean, java.util.Set.of(Card.Action.WITHDRAW, Card.Action.EDIT));
    }
}
