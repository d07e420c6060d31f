package org.countersign.slack;

import static com.slack.api.model.block.Blocks.actions;
import static com.slack.api.model.block.Blocks.context;
import static com.slack.api.model.block.Blocks.header;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.button;

import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.composition.TextObject;
import com.slack.api.model.block.element.BlockElement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import org.countersign.chat.Card;
import org.countersign.chat.Card.Action;
import org.countersign.chat.Card.Button;
import org.countersign.chat.Card.Field;
import org.countersign.chat.Card.Links;
import org.countersign.chat.Card.Person;
import org.countersign.chat.Card.TeamLine;
import org.countersign.chat.Card.Text;
import org.countersign.chat.Card.Time;

/**
 * The approval card as Block Kit: a header, the status, the fields, one line per required team and
 * the buttons. Every text is escaped first and measured after, so the worst case a valid request can
 * produce stays inside Slack's limits (docs.slack.dev/reference/block-kit).
 */
final class BlockKitCard {
    static final int MAX_BLOCKS = 50;
    static final int HEADER_MAX = 150;
    static final int SECTION_TEXT_MAX = 3000;
    static final int FIELDS_PER_SECTION = 10;
    static final int FIELD_TEXT_MAX = 2000;
    static final int ACTIONS_ELEMENTS_MAX = 25;
    static final int BUTTON_TEXT_MAX = 75;
    static final int BUTTON_VALUE_MAX = 2000;
    static final int FALLBACK_SUMMARY_MAX = 300;
    /** Separates the request id from the team in a button's value. */

    /** The blocks of {@code card}, at most {@value #MAX_BLOCKS}. */
    List<LayoutBlock> render(Card card) {
        var top = new ArrayList<LayoutBlock>();
        top.add(header(h -> h.blockId("title").text(plainText(SlackText.shorten(card.title(), HEADER_MAX)))));
        top.add(section(s -> s.blockId("status").text(markdownText(
                "*" + SlackText.escape(card.status(), SECTION_TEXT_MAX - 2) + "*"))));
        if (card.confidential())
            top.add(context(c -> c.blockId("confidential").elements(List.of(markdownText(
                    "🔒 Confidential: this card is posted only in this private channel. Do not share it elsewhere.")))));
        top.addAll(fieldBlocks(card.fields()));

        var bottom = actionBlocks(card);
        var teams = teamBlocks(card.teams(), MAX_BLOCKS - top.size() - bottom.size());
        var blocks = new ArrayList<LayoutBlock>(top);
        blocks.addAll(teams);
        blocks.addAll(bottom);
        return blocks;
    }

    /** The message's {@code text}: what notifications and screen readers show, e.g. "EMG-12 · Availability: … — waiting for SRE". */
    String fallbackText(Card card) {
        var summary = card.fields().stream()
                .filter(f -> f.label().equals("Summary") && f.value() instanceof Text)
                .map(f -> ((Text) f.value()).text()).findFirst().orElse(null);
        var status = card.status() == null || card.status().isEmpty() ? ""
                : card.status().substring(0, 1).toLowerCase(Locale.ROOT) + card.status().substring(1);
        return SlackText.escape(card.title())
                + (summary == null ? "" : ": " + SlackText.escape(summary, FALLBACK_SUMMARY_MAX))
                + (status.isEmpty() ? "" : " — " + SlackText.escape(status));
    }

    // Long values get a section each; people and times sit side by side in a fields section.
    private List<LayoutBlock> fieldBlocks(List<Field> fields) {
        var blocks = new ArrayList<LayoutBlock>();
        var shortOnes = new ArrayList<TextObject>();
        for (var field : fields) {
            var label = "*" + SlackText.escape(field.label()) + "*\n";
            if (field.value() instanceof Person || field.value() instanceof Time) {
                var text = label + inline(field.value());
                shortOnes.add(markdownText(text.length() <= FIELD_TEXT_MAX ? text
                        : label + SlackText.escape(plain(field.value()), FIELD_TEXT_MAX - label.length())));
                if (shortOnes.size() == FIELDS_PER_SECTION) flush(shortOnes, blocks);
                continue;
            }
            flush(shortOnes, blocks);
            if (field.value() instanceof Links links) blocks.addAll(linkSections(blocks.size(), label, links));
            else if (field.value() instanceof Text text)
                blocks.add(textSection(blocks.size(), label + SlackText.escape(text.text(),
                        SECTION_TEXT_MAX - label.length())));
        }
        flush(shortOnes, blocks);
        return blocks;
    }

    private static String inline(Card.Value value) {
        if (value instanceof Person p) return SlackText.mention(p.actor());
        if (value instanceof Time t) return SlackText.utc(t.at()) + " (your time: " + SlackText.time(t.at()) + ")";
        return "";
    }

    private static String plain(Card.Value value) {
        if (value instanceof Person p) return p.actor().toString();
        if (value instanceof Time t) return SlackText.utc(t.at());
        return "";
    }

    private static void flush(List<TextObject> shortOnes, List<LayoutBlock> blocks) {
        if (shortOnes.isEmpty()) return;
        var fields = List.copyOf(shortOnes);
        var id = "field-" + blocks.size();
        blocks.add(section(s -> s.blockId(id).fields(fields)));
        shortOnes.clear();
    }

    private static LayoutBlock textSection(int index, String mrkdwn) {
        return section(s -> s.blockId("field-" + index).text(markdownText(mrkdwn)));
    }

    // One link per line; a link is never cut in half, so a long list continues in the next section.
    private static List<LayoutBlock> linkSections(int index, String label, Links links) {
        var continued = label.replaceFirst("\\*\n$", " (continued)*\n");
        var texts = new ArrayList<String>();
        var current = new StringBuilder(label);
        if (links.refs().isEmpty()) current.append("—");
        int linesInCurrent = 0;
        for (var ref : links.refs()) {
            var line = SlackText.link(ref);
            int room = SECTION_TEXT_MAX - continued.length();
            if (line.length() > room) line = SlackText.escape(ref, room);
            if (linesInCurrent > 0 && current.length() + 1 + line.length() > SECTION_TEXT_MAX) {
                texts.add(current.toString());
                current = new StringBuilder(continued);
                linesInCurrent = 0;
            }
            if (linesInCurrent > 0) current.append('\n');
            current.append(line);
            linesInCurrent++;
        }
        texts.add(current.toString());
        var blocks = new ArrayList<LayoutBlock>();
        for (int i = 0; i < texts.size(); i++) {
            var text = texts.get(i);
            var id = "field-" + index + "-" + i;
            blocks.add(section(s -> s.blockId(id).text(markdownText(text))));
        }
        return blocks;
    }

    // A context block per team while they fit; otherwise every line in one section.
    private static List<LayoutBlock> teamBlocks(List<TeamLine> teams, int room) {
        if (teams.isEmpty()) return List.of();
        var lines = teams.stream().map(BlockKitCard::teamLine).toList();
        if (teams.size() <= room) {
            var blocks = new ArrayList<LayoutBlock>();
            for (int i = 0; i < lines.size(); i++) {
                var line = lines.get(i);
                var id = "team-" + i;
                blocks.add(context(c -> c.blockId(id).elements(List.of(markdownText(line)))));
            }
            return blocks;
        }
        var text = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            var line = lines.get(i);
            var more = "… and " + (lines.size() - i) + " more teams";
            if (text.length() + line.length() + 1 + more.length() > SECTION_TEXT_MAX) {
                text.append(more);
                break;
            }
            text.append(line).append('\n');
        }
        return List.of(section(s -> s.blockId("teams").text(markdownText(text.toString().strip()))));
    }

    private static String teamLine(TeamLine team) {
        var label = SlackText.escape(team.label());
        var signed = String.join(", ", team.signatures().stream()
                .map(s -> SlackText.mention(s.by()) + " at " + SlackText.utcTime(s.at())).toList());
        var line = switch (team.status()) {
            case APPROVED -> "✅ " + label + " — approved by " + signed;
            case WAITING -> "⏳ " + label + " — " + team.standing() + (signed.isEmpty() ? "" : ": approved by " + signed);
            case REJECTED -> "❌ " + label + " — " + team.standing();
            case NOT_APPROVED -> "➖ " + label + " — " + team.standing() + (signed.isEmpty() ? "" : ": approved by " + signed);
        };
        return line.length() <= SECTION_TEXT_MAX ? line : SlackText.escape(team.label(), 200) + " — "
                + team.standing();
    }

    private static List<LayoutBlock> actionBlocks(Card card) {
        var elements = new ArrayList<BlockElement>();
        var seen = new LinkedHashSet<String>();
        for (var b : card.buttons()) {
            var actionId = CardButton.actionIdOf(b);
            if (!seen.add(actionId)) continue;
            var value = CardButton.valueOf(card.requestId(), b);
            var style = switch (b.style()) {
                case PRIMARY -> "primary";
                case DANGER -> "danger";
                case DEFAULT -> null;
            };
            elements.add(button(e -> e.actionId(actionId).value(value).style(style)
                    .text(plainText(SlackText.shorten(b.label(), BUTTON_TEXT_MAX)))));
        }
        var blocks = new ArrayList<LayoutBlock>();
        for (int from = 0; from < elements.size(); from += ACTIONS_ELEMENTS_MAX) {
            var chunk = List.copyOf(elements.subList(from, Math.min(elements.size(), from + ACTIONS_ELEMENTS_MAX)));
            var id = blocks.isEmpty() ? "actions" : "actions-" + blocks.size();
            blocks.add(actions(a -> a.blockId(id).elements(chunk)));
        }
        return blocks;
    }
}
