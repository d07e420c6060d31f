package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How the card path reads Slack's answers: the top-level values it uses, none of the message Slack echoes back. */
class SlackWebApiTest {
    @Test
    void an_answer_keeps_its_top_level_values_and_drops_the_echoed_message() throws IOException {
        var answer = scalars("""
                {"ok":true,"channel":"C1OPS","ts":"1764748800.000100",
                 "message":{"type":"message","ts":"1764748800.000100","blocks":[{"type":"section","text":{"type":"mrkdwn",
                 "text":"*EMG-7*"}}],"metadata":{"event_type":"countersign_card"}},
                 "warning":"missing_charset","response_metadata":{"warnings":["missing_charset"]},"retry":null}""");

        assertThat(answer.path("ok").asBoolean()).isTrue();
        assertThat(answer.path("channel").asText()).isEqualTo("C1OPS");
        assertThat(answer.path("ts").asText()).isEqualTo("1764748800.000100");
        assertThat(answer.path("warning").asText()).isEqualTo("missing_charset");
        assertThat(answer.has("message")).isFalse();
        assertThat(answer.has("response_metadata")).isFalse();
        assertThat(answer.has("retry")).isFalse();
    }

    @Test
    void an_error_answer_keeps_its_error() throws IOException {
        var answer = scalars("{\"ok\":false,\"error\":\"channel_not_found\"}");
        assertThat(answer.path("ok").asBoolean(true)).isFalse();
        assertThat(answer.path("error").asText()).isEqualTo("channel_not_found");
    }

    @Test
    void what_is_not_a_json_object_is_refused() {
        assertThatThrownBy(() -> scalars("[\"ok\"]")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> scalars("<html>Bad gateway</html>")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> scalars("{\"ok\":true,\"ts\":")).isInstanceOf(IOException.class);
    }

    /** Slack's answer as the card path reads it: its bytes, in UTF-8. */
    private static ObjectNode scalars(String answer) throws IOException {
        return SlackWebApi.scalars(answer.getBytes(StandardCharsets.UTF_8));
    }
}
