package org.countersign.matrix;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.countersign.chat.Card;
import org.countersign.chat.CardCommands;
import org.countersign.chat.Card.Button;
import org.countersign.chat.Card.Links;
import org.countersign.chat.Card.Person;
import org.countersign.chat.Card.TeamLine;
import org.countersign.chat.Card.TeamStatus;
import org.countersign.chat.Card.Text;
import org.countersign.chat.Card.Time;

/**
 * The approval card as an {@code m.notice}: a plain {@code body} and an HTML {@code formatted_body} carrying
 * the same information, using only tags the spec suggests clients allow (h4, p, b, ul, li, a, code, br).
 * Matrix has no buttons, so the card ends with the commands that apply now. Every text people typed is
 * cleaned and escaped; the content is kept small enough that an edit, which carries it twice, stays well
 * under the 64 KiB event limit.
 */
final class MatrixCard {
    static final String MSGTYPE = "m.notice";
    static final String FORMAT = "org.matrix.custom.html";
    /** One rendering's content, serialised; an edit carries it twice plus a few keys. */
    static final int CONTENT_MAX_BYTES = 24 * 1024;
    static final int TITLE_MAX = 300;
    static final int STATUS_MAX = 1000;
    static final int TEAM_LABEL_MAX = 200;
    static final String CONFIDENTIAL =
            "🔒 Confidential: this card is posted only in this private room. Do not share it elsewhere.";

    /** Ever tighter cuts, tried in turn until the card fits; ordinary requests fit the first. */
    private static final List<Limits> LIMITS = List.of(
            new Limits(3000, 2000, Integer.MAX_VALUE), new Limits(1000, 500, 50),
            new Limits(300, 200, 20), new Limits(80, 100, 10));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The two bodies of one card. */
    record Rendered(String body, String html) {}

    /** How much of each value is shown: characters of a text, of a URL still shown as a link, and team lines. */
    private record Limits(int text, int href, int teams) {}

    /** Both bodies of {@code card}, cut as little as the size limit allows. */
    Rendered render(Card card) {
        Rendered rendered = null;
        for (var limits : LIMITS) {
            rendered = render(card, limits);
            if (size(content(rendered)) <= CONTENT_MAX_BYTES) return rendered;
        }
        return rendered;
    }

    /** The content of a new card: {@code msgtype, body, format, formatted_body} and no mentions. */
    ObjectNode content(Card card) { return content(render(card)); }

    /**
     * The content of an edit that replaces the card {@code originalEventId} with {@code card}: the new content
     * under {@code m.new_content}, a "* " fallback for clients that do not apply edits, and the relation.
     */
    ObjectNode edit(Card card, String originalEventId) {
        if (originalEventId == null || !originalEventId.startsWith("$") || originalEventId.length() < 2)
            throw new IllegalArgumentException("not an event id: " + originalEventId);
        var rendered = render(card);
        var edit = content(new Rendered("* " + rendered.body(), "* " + rendered.html()));
        edit.set("m.new_content", content(rendered));
        var relation = edit.putObject("m.relates_to");
        relation.put("rel_type", "m.replace");
        relation.put("event_id", originalEventId);
        return edit;
    }

    /** Bytes of {@code content} as JSON, which is what counts towards the event size limit. */
    static int size(ObjectNode content) {
        try {
            return JSON.writeValueAsString(content).getBytes(StandardCharsets.UTF_8).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings did not serialise", e);
        }
    }

    // The empty m.mentions tells servers the card mentions nobody, so the legacy rules that notify on
    // names or @room in the body do not fire on a card or on any of its edits (spec: User and room mentions).
    private static ObjectNode content(Rendered rendered) {
        var content = NODES.objectNode();
        content.put("msgtype", MSGTYPE);
        content.put("body", rendered.body());
        content.put("format", FORMAT);
        content.put("formatted_body", rendered.html());
        content.putObject("m.mentions");
        return content;
    }

    private static Rendered render(Card card, Limits limits) {
        var body = new StringBuilder();
        var html = new StringBuilder();

        var title = MatrixText.plain(card.title(), TITLE_MAX);
        var status = MatrixText.plain(card.status(), STATUS_MAX);
        body.append(title).append('\n').append(status).append('\n');
        html.append("<h4>").append(MatrixText.html(title)).append("</h4>")
                .append("<p><b>").append(MatrixText.html(status)).append("</b></p>");
        if (card.confidential()) {
            body.append(CONFIDENTIAL).append('\n');
            html.append("<p>").append(MatrixText.escape(CONFIDENTIAL)).append("</p>");
        }

        if (!card.fields().isEmpty()) {
            body.append('\n');
            html.append("<ul>");
            for (var field : card.fields()) {
                var label = MatrixText.plain(field.label(), TEAM_LABEL_MAX);
                body.append(label).append(':');
                html.append("<li><b>").append(MatrixText.html(label)).append("</b>: ");
                value(field.value(), limits, body, html);
                body.append('\n');
                html.append("</li>");
            }
            html.append("</ul>");
        }

        if (!card.teams().isEmpty()) {
            body.append('\n');
            html.append("<p>");
            var shown = card.teams().subList(0, Math.min(card.teams().size(), limits.teams()));
            for (int i = 0; i < shown.size(); i++) {
                if (i > 0) html.append("<br>");
                teamLine(shown.get(i), body, html);
                body.append('\n');
            }
            int more = card.teams().size() - shown.size();
            if (more > 0) {
                var line = "… and " + more + " more team" + (more == 1 ? "" : "s");
                body.append(line).append('\n');
                html.append("<br>").append(MatrixText.escape(line));
            }
            html.append("</p>");
        }

        var commands = commands(card);
        if (!commands.isEmpty()) {
            var approvable = card.buttons().stream().anyMatch(b -> b.action() == Card.Action.APPROVE);
            var lead = approvable ? "React ✅ to approve, or: " : "Commands: ";
            body.append('\n').append(lead).append(String.join(" · ", commands)).append('\n');
            html.append("<p>").append(MatrixText.escape(lead)).append(String.join(" · ", commands.stream()
                    .map(c -> "<code>" + MatrixText.escape(c) + "</code>").toList())).append("</p>");
        }
        return new Rendered(body.toString().strip(), html.toString().strip());
    }

    private static void value(Card.Value value, Limits limits, StringBuilder body, StringBuilder html) {
        if (value instanceof Text t) {
            var text = MatrixText.plain(t.text(), limits.text());
            // A value of several lines starts on its own line, so the body reads like the HTML.
            body.append(text.contains("\n") ? "\n" : " ").append(text);
            html.append(text.contains("\n") ? "<br>" : "").append(MatrixText.html(text));
        } else if (value instanceof Person p) {
            body.append(' ').append(MatrixText.name(p.actor()));
            html.append(MatrixText.pill(p.actor()));
        } else if (value instanceof Time t) {
            body.append(' ').append(MatrixText.utc(t.at()));
            html.append(MatrixText.escape(MatrixText.utc(t.at())));
        } else if (value instanceof Links links) {
            if (links.refs().isEmpty()) {
                body.append(" —");
                html.append("—");
                return;
            }
            html.append("<ul>");
            for (var ref : links.refs()) {
                var stripped = ref.strip();
                if (MatrixText.linkable(stripped) && stripped.length() <= limits.href()) {
                    body.append("\n- ").append(MatrixText.clean(stripped));
                    html.append("<li>").append(MatrixText.link(stripped)).append("</li>");
                } else {
                    var text = MatrixText.plain(stripped, limits.text());
                    body.append("\n- ").append(text);
                    html.append("<li>").append(MatrixText.html(text)).append("</li>");
                }
            }
            html.append("</ul>");
        }
    }

    private static void teamLine(TeamLine team, StringBuilder body, StringBuilder html) {
        var label = MatrixText.plain(team.label(), TEAM_LABEL_MAX);
        var bodySigned = new ArrayList<String>();
        var htmlSigned = new ArrayList<String>();
        for (var s : team.signatures()) {
            bodySigned.add(MatrixText.name(s.by()) + " at " + MatrixText.utcTime(s.at()));
            htmlSigned.add(MatrixText.pill(s.by()) + " at " + MatrixText.utcTime(s.at()));
        }
        var bodyWho = String.join(", ", bodySigned);
        var htmlWho = String.join(", ", htmlSigned);
        switch (team.status()) {
            case APPROVED -> {
                body.append("✅ ").append(label).append(" — approved by ").append(bodyWho);
                html.append("✅ <b>").append(MatrixText.html(label)).append("</b> — approved by ").append(htmlWho);
            }
            case WAITING, NOT_APPROVED -> {
                var mark = team.status() == TeamStatus.WAITING ? "⏳ " : "➖ ";
                var count = " — " + team.standing();
                body.append(mark).append(label).append(count)
                        .append(bodyWho.isEmpty() ? "" : ": approved by " + bodyWho);
                html.append(mark).append("<b>").append(MatrixText.html(label)).append("</b>").append(count)
                        .append(htmlWho.isEmpty() ? "" : ": approved by " + htmlWho);
            }
            case REJECTED -> {
                body.append("❌ ").append(label).append(" — ").append(team.standing());
                html.append("❌ <b>").append(MatrixText.html(label)).append("</b> — ").append(team.standing());
            }
        }
    }

    /** What to type for each button the card would have, in the buttons' order, each once. */
    static List<String> commands(Card card) {
        return CardCommands.of(card, MatrixBot.SYNTAX, MatrixText::clean, java.util.Set.of());
    }
}
