package org.countersign.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Hostile values from one seeded {@link Random}, so a failure comes back with the same seed: nasty strings,
 * random Unicode (controls, lone surrogates, bidi overrides, zero-width characters), random bytes, invalid
 * UTF-8, random JSON in shapes that look like Slack's. Text never contains the markers the fuzz test looks for
 * in answers ("Exception", "at org.", "java."), so an answer that echoes input cannot fail it by accident.
 */
final class Garbage {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static final List<String> NASTY = List.of("", " ", "null", "undefined", "{}", "[]", "\"", "'", "\\", "%", "%%",
            "%zz", "%E0%A4%A", "%00", "\u0000", "\r\n", "\n\n\n", "\t", "<!channel>", "<!here>", "<!everyone>",
            "<@U0SRE1>", "<#C0EMERG1>", "@room", "@channel", "<script>alert(1)</script>", "<a href=javascript:alert(1)>x</a>",
            "<img src=x onerror=alert(1)>", "&amp;", "&", "*bold*", "_it_", "~strike~", "`code`", "```block```",
            "\u202Egnp.exe", "\u200B", "\u200D", "\uFEFF", "\u2066x\u2069", "\uD800", "\uDFFF", "😀", "\uD83D",
            "${jndi:ldap://127.0.0.1:1/a}", "{{7*7}}", "'; DROP TABLE requests; --", "../../etc/passwd",
            "EMG-1", "emg-1", "EMG-0", "EMG--1", "EMG-999999999999999999", "EMG-9999999999999999999999", "1e309",
            "-0", "NaN", "Infinity", "0x10", "true", "cs:seq", "*", "\u00ff\u00fe", "ñandú", "日本語", "ترجمة");

    private static final List<String> SLACK_TYPES = List.of("block_actions", "view_submission", "view_closed",
            "shortcut", "message_action", "block_suggestion", "interactive_message", "dialog_submission",
            "workflow_step_edit", "url_verification", "event_callback", "app_rate_limited", "", "BLOCK_ACTIONS");
    private static final List<String> CALLBACKS = List.of("emergency_request", "reject_request", "close_request",
            "edit_changes", "", "emergency_request ", "EMERGENCY_REQUEST");
    private static final List<String> ACTIONS = List.of("approve:sre", "approve:releng", "approve:security",
            "approve:", "approve:nosuchteam", "reject", "close", "deploy_started", "deployed", "rolled_back", "failed",
            "withdraw", "edit", "", "approve");
    private static final List<String> KEYS = List.of("type", "user", "id", "view", "state", "values", "actions",
            "action_id", "value", "team", "callback_id", "private_metadata", "hash", "trigger_id", "response_url",
            "channel", "message", "container", "token", "challenge", "event", "text", "selected_option",
            "selected_user", "blocks", "block_id", "api_app_id", "enterprise", "is_enterprise_install");
    /** The request form's blocks and actions, as Slack sends their values back. */
    private static final List<String[]> FORM_FIELDS = List.of(new String[] {"reason", "reason_select"},
            new String[] {"summary", "summary_input"}, new String[] {"changes", "changes_input"},
            new String[] {"task", "task_input"}, new String[] {"rollback", "rollback_choice"},
            new String[] {"why_not_rollback", "why_not_rollback_input"}, new String[] {"deployer", "deployer_select"},
            new String[] {"details", "details_input"}, new String[] {"reject_reason", "reject_reason_input"},
            new String[] {"close_note", "close_note_input"});

    final Random random;

    Garbage(long seed) { random = new Random(seed); }

    int between(int min, int max) { return min + random.nextInt(max - min + 1); }

    boolean chance(double p) { return random.nextDouble() < p; }

    <T> T pick(List<T> values) { return values.get(random.nextInt(values.size())); }

    // ---- text ------------------------------------------------------------------------------------------------

    /** A short hostile string: a nasty one, random Unicode, or a few of them glued together. */
    String text() {
        return clean(switch (random.nextInt(5)) {
            case 0, 1 -> pick(NASTY);
            case 2 -> unicode(between(0, 40));
            case 3 -> pick(NASTY) + unicode(between(0, 10)) + pick(NASTY);
            default -> ascii(between(0, 60));
        });
    }

    /** Up to {@code max} characters of anything, including lone surrogates and controls. */
    String unicode(int length) {
        var out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append((char) switch (random.nextInt(6)) {
                case 0 -> random.nextInt(0x20);              // C0 controls
                case 1 -> 0x7f + random.nextInt(0x21);       // DEL and C1 controls
                case 2 -> 0xD800 + random.nextInt(0x800);    // surrogates, paired or not
                case 3 -> 0x2000 + random.nextInt(0x70);     // zero-width, bidi, punctuation
                case 4 -> random.nextInt(0x10000);
                default -> 0x20 + random.nextInt(0x5f);
            });
        }
        return out.toString();
    }

    String ascii(int length) {
        var out = new StringBuilder(length);
        for (int i = 0; i < length; i++) out.append((char) (0x20 + random.nextInt(0x5f)));
        return out.toString();
    }

    /** Printable ASCII without spaces, as a header value or a URL part may hold. */
    String token(int length) {
        var out = new StringBuilder(length);
        for (int i = 0; i < length; i++) out.append((char) (0x21 + random.nextInt(0x5e)));
        return clean(out.toString());
    }

    /** Text of {@code length} characters: one hostile piece repeated. */
    String huge(int length) {
        var piece = text();
        if (piece.isEmpty()) piece = "<!channel> &";
        return clean(piece.repeat(length / piece.length() + 1).substring(0, length));
    }

    /** A Slack user id that is nobody in the policy, or something that is no user id at all. */
    String stranger() {
        return switch (random.nextInt(4)) {
            case 0 -> "U9" + token(8).replaceAll("[^A-Z0-9]", "X");
            case 1 -> "W9" + between(100000, 999999);
            case 2 -> text();
            default -> "U9X" + between(0, 99999);
        };
    }

    byte[] bytes(int length) {
        var out = new byte[length];
        random.nextBytes(out);
        return out;
    }

    /** Mostly ASCII with bytes that are never valid UTF-8: overlongs, stray continuations, surrogates, 0xFF. */
    byte[] invalidUtf8(String around) {
        var bad = List.of(new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0x80},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xE2, (byte) 0x82},
                new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0xFE});
        var text = around.getBytes(StandardCharsets.UTF_8);
        var out = new java.io.ByteArrayOutputStream();
        int cut = text.length == 0 ? 0 : random.nextInt(text.length);
        out.write(text, 0, cut);
        for (int i = between(1, 4); i > 0; i--) out.writeBytes(pick(bad));
        out.write(text, cut, text.length - cut);
        return out.toByteArray();
    }

    // ---- JSON ------------------------------------------------------------------------------------------------

    JsonNode json(int depth) {
        int kind = depth <= 0 ? random.nextInt(6) : random.nextInt(8);
        return switch (kind) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> pick(List.of(NODES.numberNode(random.nextLong()), NODES.numberNode(random.nextDouble() * 1e300),
                    NODES.numberNode(new BigInteger("123456789012345678901234567890123456789")),
                    NODES.numberNode(new BigDecimal("1e400")), NODES.numberNode(-0.0), NODES.numberNode(0)));
            case 3, 4 -> NODES.textNode(text());
            case 5 -> NODES.textNode(huge(between(1_000, 50_000)));
            case 6 -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = between(0, 4); i > 0; i--) array.add(json(depth - 1));
                yield array;
            }
            default -> {
                ObjectNode object = NODES.objectNode();
                for (int i = between(0, 5); i > 0; i--) object.set(chance(0.7) ? pick(KEYS) : text(), json(depth - 1));
                yield object;
            }
        };
    }

    /** A value Slack would send as a string, or something else in its place. */
    JsonNode maybeWrong(String plausible) {
        return chance(0.75) ? NODES.textNode(plausible) : json(1);
    }

    /**
     * An interaction payload shaped like Slack's, wrong somewhere: random types, callback ids and action ids,
     * made-up users, form values of the wrong kind. Never a request that could be opened: the reason is never
     * one the policy has.
     */
    ObjectNode slackPayload(String responseUrl, String triggerId) {
        var payload = NODES.objectNode();
        payload.set("type", maybeWrong(chance(0.8) ? pick(SLACK_TYPES) : text()));
        if (chance(0.9)) {
            var user = payload.putObject("user");
            user.set("id", maybeWrong(stranger()));
            if (chance(0.5)) user.set("name", maybeWrong(text()));
        } else if (chance(0.5)) {
            payload.set("user", json(2));
        }
        if (chance(0.8)) payload.set("team", chance(0.8) ? NODES.objectNode().put("id", "T0COUNTER") : json(1));
        if (chance(0.7)) payload.set("trigger_id", maybeWrong(triggerId));
        if (chance(0.7)) payload.set("response_url", maybeWrong(responseUrl));
        if (chance(0.6)) payload.set("view", view());
        if (chance(0.6)) {
            var actions = payload.putArray("actions");
            for (int i = between(0, 3); i > 0; i--) {
                var action = actions.addObject();
                if (chance(0.9)) action.set("action_id", maybeWrong(pick(ACTIONS)));
                if (chance(0.8)) action.set("value", maybeWrong(pick(List.of("EMG-1|sre", "EMG-1|releng", "EMG-1",
                        "EMG-1|", "|sre", "EMG-999999999999999999|sre", text()))));
                if (chance(0.5)) action.set("block_id", maybeWrong(text()));
                if (chance(0.3)) action.set(pick(KEYS), json(2));
            }
        } else if (chance(0.3)) {
            payload.set("actions", json(2));
        }
        if (chance(0.5)) payload.putObject("channel").set("id", maybeWrong(pick(List.of("C0EMERG1", "G0SECURE", text()))));
        if (chance(0.3)) payload.set("message", json(3));
        if (chance(0.3)) payload.putObject("container").set("type", maybeWrong(text()));
        for (int i = between(0, 3); i > 0; i--) payload.set(pick(KEYS), json(2));
        return payload;
    }

    private JsonNode view() {
        if (chance(0.1)) return json(3);
        var view = NODES.objectNode();
        if (chance(0.9)) view.set("id", maybeWrong("V" + token(9)));
        if (chance(0.9)) view.set("hash", maybeWrong(token(12)));
        if (chance(0.9)) view.set("callback_id", maybeWrong(pick(CALLBACKS)));
        if (chance(0.8)) view.set("private_metadata", maybeWrong(pick(List.of("EMG-1", "C0EMERG1", "", text()))));
        if (chance(0.1)) return view;
        var values = view.putObject("state").putObject("values");
        for (var field : FORM_FIELDS) {
            if (!chance(0.6)) continue;
            var block = values.putObject(field[0]);
            if (chance(0.1)) {
                values.set(field[0], json(2));
                continue;
            }
            var value = block.putObject(chance(0.9) ? field[1] : text());
            switch (random.nextInt(5)) {
                case 0 -> value.put("type", "plain_text_input").set("value", field[0].equals("reason")
                        ? NODES.textNode("no-such-reason-" + text()) : maybeWrong(chance(0.2) ? huge(between(1, 200_000)) : text()));
                case 1 -> value.put("type", "static_select").putObject("selected_option")
                        .set("value", field[0].equals("reason") ? NODES.textNode("unknown-" + text()) : maybeWrong(pick(List.of("yes", "no", text()))));
                case 2 -> value.put("type", "users_select").set("selected_user", maybeWrong(stranger()));
                case 3 -> value.set("selected_option", json(2));
                default -> value.setAll((ObjectNode) objectOf(json(2)));
            }
        }
        return view;
    }

    private static JsonNode objectOf(JsonNode node) {
        return node.isObject() ? node : NODES.objectNode().set("value", node);
    }

    // ---- forms -----------------------------------------------------------------------------------------------

    static String form(List<String[]> fields) {
        var out = new StringBuilder();
        for (var f : fields) {
            if (out.length() > 0) out.append('&');
            out.append(encode(f[0])).append('=').append(encode(f[1]));
        }
        return out.toString();
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A form body whose %-escapes are broken: a lone %, a bad hex digit, a cut-off multi-byte sequence. */
    String brokenEscapes() {
        return pick(List.of("payload=%7B%22type%22%3A%zz", "payload=%", "text=%E0%A4%A&command=%2Femergency",
                "payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A%22U9%", "%%%=%%%",
                "=&=&=", "payload", "payload=", "&&&&", "command=/emergency&text=%GG&user_id=%", "payload=%u0041",
                "payload=%C0%AF", "payload=%ED%A0%80", "payload=" + token(20) + "%" + token(2), "a=1&a=2&payload=%FF"));
    }

    /** Removes what the fuzz test looks for in answers, so input echoed back cannot look like a leak. */
    static String clean(String text) {
        return text.replace("Exception", "Excep_tion").replace("at org.", "at_org.").replace("java.", "jav_.");
    }
}
