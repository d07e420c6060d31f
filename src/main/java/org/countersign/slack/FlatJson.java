package org.countersign.slack;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.function.BiConsumer;

/**
 * The text values of one JSON object read from a stream, its nested objects and arrays skipped unread: what the Slack
 * path needs from payloads and answers that carry a whole message besides.
 */
final class FlatJson {
    private FlatJson() {}

    /**
     * The values of the object that {@code start} (the parser's current token) opens, each as text (booleans and
     * numbers too; nulls left out), to its end; a value that is not an object is skipped. Throws when the input ends
     * first.
     */
    static void values(JsonParser p, JsonToken start, BiConsumer<String, String> into) throws IOException {
        if (start != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        JsonToken next;
        while ((next = p.nextToken()) == JsonToken.FIELD_NAME) {
            var name = p.currentName();
            var value = p.nextToken();
            if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) p.skipChildren();
            else if (value != null && value != JsonToken.VALUE_NULL) into.accept(name, p.getText());
        }
        if (next != JsonToken.END_OBJECT) throw new IOException("the JSON ends early");
    }
}
