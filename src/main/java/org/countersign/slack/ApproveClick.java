package org.countersign.slack;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An approve button press read straight from the signed form body: the one way an approval comes in from Slack.
 * Bolt would build a new Gson and read the whole card message back into Block Kit objects first, which the profile
 * showed to be most of a click's CPU. The payload is streamed: only the few values a press needs are kept, and the
 * card message Slack sends along (most of the payload) is skipped unread. Anything else is left to Bolt.
 *
 * @param channel     the channel of the card pressed, or null
 * @param responseUrl where to tell the person about a refusal, or null
 */
record ApproveClick(CardButton pressed, String userId, String channel, String responseUrl) {
    private static final JsonFactory JSON = new JsonFactory();

    /** {@link #read(byte[])} of the text's UTF-8. */
    static Optional<ApproveClick> read(String formBody) {
        return formBody == null ? Optional.empty() : read(formBody.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The approve press in {@code formBody} ({@code payload=<block_actions JSON>}, the signed bytes as sent); empty for
     * anything else. The payload is percent-decoded into bytes and parsed as UTF-8 straight from them: decoding it into a
     * String first (URLDecoder) and parsing the characters cost twice as much.
     */
    static Optional<ApproveClick> read(byte[] formBody) {
        if (formBody == null || !FormBody.isInteraction(formBody)) return Optional.empty();
        int from = FormBody.PAYLOAD.length;
        var json = new byte[formBody.length - from];
        int length = FormBody.decode(formBody, from, formBody.length, json);
        if (length < 0) return Optional.empty();
        Press press;
        try {
            press = Press.read(json, length);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (press == null || !"block_actions".equals(press.type) || press.actions != 1) return Optional.empty();
        var user = press.user.get("id");
        var actionId = press.action.getOrDefault("action_id", "");
        if (user == null || user.isBlank() || !CardButton.isApprove(actionId)) return Optional.empty();
        var channel = press.channel.getOrDefault("id", press.container.get("channel_id"));
        return CardButton.read(actionId, press.action.get("value"))
                .map(pressed -> new ApproveClick(pressed, user, channel, press.responseUrl));
    }

    /** The values of a {@code block_actions} payload a press needs; the text values of the objects named. */
    private static final class Press {
        String type;
        String responseUrl;
        int actions;
        final Map<String, String> user = new HashMap<>();
        final Map<String, String> channel = new HashMap<>();
        final Map<String, String> container = new HashMap<>();
        /** The first action's. */
        final Map<String, String> action = new HashMap<>();

        /** Null when {@code json} (its first {@code length} bytes, UTF-8) is not an object. */
        static Press read(byte[] json, int length) throws IOException {
            var press = new Press();
            try (var p = JSON.createParser(json, 0, length)) {
                if (p.nextToken() != JsonToken.START_OBJECT) return null;
                JsonToken next;
                while ((next = p.nextToken()) == JsonToken.FIELD_NAME) {
                    var name = p.currentName();
                    var token = p.nextToken();
                    switch (name) {
                        case "type" -> press.type = text(p, token);
                        case "response_url" -> press.responseUrl = text(p, token);
                        case "user" -> values(p, token, press.user);
                        case "channel" -> values(p, token, press.channel);
                        case "container" -> values(p, token, press.container);
                        case "actions" -> press.actions = actions(p, token, press.action);
                        default -> p.skipChildren();
                    }
                }
                if (next != JsonToken.END_OBJECT) throw new IOException("the payload ends early");
            }
            return press;
        }

        private static String text(JsonParser p, JsonToken token) throws IOException {
            if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                p.skipChildren();
                return null;
            }
            return token == JsonToken.VALUE_NULL ? null : p.getText();
        }

        /** An object's text values (see {@link FlatJson}); a key given twice counts once, the last time, as in a JSON tree. */
        private static void values(JsonParser p, JsonToken token, Map<String, String> into) throws IOException {
            into.clear();
            FlatJson.values(p, token, into::put);
        }

        /** How many actions there are; the first one's text values go into {@code first}. */
        private static int actions(JsonParser p, JsonToken token, Map<String, String> first) throws IOException {
            first.clear();
            if (token != JsonToken.START_ARRAY) {
                p.skipChildren();
                return 0;
            }
            int count = 0;
            for (var t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t == null) throw new IOException("the actions end early");
                if (count == 0) values(p, t, first);
                else p.skipChildren();
                count++;
            }
            return count;
        }
    }
}
