package org.countersign.matrix;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The {@code m.notice} contents the bot sends: notices never trigger other bots, and mention no one. */
final class MatrixReplies {
    private MatrixReplies() {}

    static ObjectNode notice(String body, String html) {
        var content = JsonNodeFactory.instance.objectNode();
        content.put("msgtype", "m.notice").put("body", body);
        if (html != null) content.put("format", "org.matrix.custom.html").put("formatted_body", html);
        content.putObject("m.mentions");
        return content;
    }

    /** A notice answering one message, shown as a reply to it. */
    static ObjectNode replyTo(String eventId, String text) {
        var content = notice(text, MatrixText.html(text));
        content.putObject("m.relates_to").putObject("m.in_reply_to").put("event_id", eventId);
        return content;
    }
}
