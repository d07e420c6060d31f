package org.countersign.slack;

import com.google.gson.Gson;
import com.slack.api.model.block.ActionsBlock;
import com.slack.api.model.block.ContextBlock;
import com.slack.api.model.block.HeaderBlock;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.SectionBlock;
import com.slack.api.model.block.composition.MarkdownTextObject;
import com.slack.api.model.block.composition.PlainTextObject;
import com.slack.api.model.block.composition.TextObject;
import com.slack.api.model.block.element.ButtonElement;
import com.slack.api.util.json.GsonFactory;
import java.util.List;

/**
 * The SDK's Block Kit objects as JSON, the very text the SDK's Gson writes (snake_case, nulls left out, fields in the
 * classes' order, HTML characters as they are), for the blocks the card is made of: header, section, context and
 * actions blocks of plain and mrkdwn text and buttons. Gson's reflection over those objects was a fifth of the card
 * publisher's CPU. Blocks holding anything else (another class, an accessory, a confirm dialog, a URL button) are
 * written by Gson, as before.
 */
final class BlockKitJson {
    static final Gson GSON = GsonFactory.createSnakeCase().newBuilder().disableHtmlEscaping().create();

    private BlockKitJson() {}

    static String write(List<LayoutBlock> blocks) {
        var fast = withoutGson(blocks);
        return fast != null ? fast : GSON.toJson(blocks);
    }

    /** The blocks' JSON, or null when one holds what only Gson writes. */
    static String withoutGson(List<LayoutBlock> blocks) {
        var out = new StringBuilder(4096).append('[');
        for (int i = 0; i < blocks.size(); i++) {
            if (i > 0) out.append(',');
            if (!block(out, blocks.get(i))) return null;
        }
        return out.append(']').toString();
    }

    /** Writes one block; false (out then half written) when it holds what only Gson writes. */
    private static boolean block(StringBuilder out, LayoutBlock block) {
        // Every class the card uses opens with its type, then its fields in the order Gson writes them.
        out.append("{\"type\":");
        string(out, block.getType());
        if (block instanceof HeaderBlock h) {
            optional(out, "block_id", h.getBlockId());
            if (!textField(out, h.getText())) return false;
        } else if (block instanceof SectionBlock s) {
            if (s.getAccessory() != null || s.getExpand() != null) return false;
            if (!textField(out, s.getText())) return false;
            optional(out, "block_id", s.getBlockId());
            if (s.getFields() != null && !list(out, "fields", s.getFields())) return false;
        } else if (block instanceof ContextBlock c) {
            if (c.getElements() != null && !list(out, "elements", c.getElements())) return false;
            optional(out, "block_id", c.getBlockId());
        } else if (block instanceof ActionsBlock a) {
            if (a.getElements() != null && !list(out, "elements", a.getElements())) return false;
            optional(out, "block_id", a.getBlockId());
        } else {
            return false;
        }
        out.append('}');
        return true;
    }

    private static boolean list(StringBuilder out, String name, List<?> items) {
        out.append(",\"").append(name).append("\":[");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) out.append(',');
            var item = items.get(i);
            if (item instanceof ButtonElement b) {
                if (!button(out, b)) return false;
            } else if (!text(out, item)) {
                return false;
            }
        }
        out.append(']');
        return true;
    }

    private static boolean button(StringBuilder out, ButtonElement b) {
        if (b.getUrl() != null || b.getConfirm() != null || b.getAccessibilityLabel() != null) return false;
        out.append("{\"type\":");
        string(out, b.getType());
        if (!textField(out, b.getText())) return false;
        optional(out, "action_id", b.getActionId());
        optional(out, "value", b.getValue());
        optional(out, "style", b.getStyle());
        out.append('}');
        return true;
    }

    /** {@code ,"text":{…}} when there is a text; false when only Gson writes it. */
    private static boolean textField(StringBuilder out, Object text) {
        if (text == null) return true;
        out.append(",\"text\":");
        return text(out, text);
    }

    /** Plain or mrkdwn text without the options the card never sets (emoji, verbatim). */
    private static boolean text(StringBuilder out, Object text) {
        String type;
        if (text instanceof PlainTextObject p && p.getEmoji() == null) type = p.getType();
        else if (text instanceof MarkdownTextObject m && m.getVerbatim() == null) type = m.getType();
        else return false;
        out.append("{\"type\":");
        string(out, type);
        optional(out, "text", ((TextObject) text).getText());
        out.append('}');
        return true;
    }

    private static void optional(StringBuilder out, String name, String value) {
        if (value == null) return;
        out.append(",\"").append(name).append("\":");
        string(out, value);
    }

    /** A JSON string as Gson's JsonWriter writes it without HTML escaping. */
    static void string(StringBuilder out, String value) {
        out.append('"');
        int from = 0;
        int length = value.length();
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            String escape;
            if (c == '"') escape = "\\\"";
            else if (c == '\\') escape = "\\\\";
            else if (c >= 0x20 && c != '\u2028' && c != '\u2029') continue;
            else escape = switch (c) {
                case '\t' -> "\\t";
                case '\b' -> "\\b";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\f' -> "\\f";
                default -> String.format("\\u%04x", (int) c);
            };
            out.append(value, from, i).append(escape);
            from = i + 1;
        }
        out.append(value, from, length).append('"');
    }
}
