package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The approve press read from Slack's form body without Bolt: what it keeps, and what it leaves to Bolt. */
class ApproveClickTest {
    private static String body(String json) {
        return "payload=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
    }

    private static final String MESSAGE = """
            "message":{"type":"message","ts":"1764748800.000100","blocks":[{"type":"actions","elements":[{"type":"button",
            "action_id":"reject","value":"EMG-9|"}]}],"metadata":{"event_type":"countersign_card"}},
            "state":{"values":{}},""";

    @Test
    void a_press_keeps_the_button_the_presser_the_channel_and_the_response_url() {
        var click = ApproveClick.read(body("{\"type\":\"block_actions\"," + MESSAGE + """
                "user":{"id":"U1ALICE","username":"alice","team_id":"T1"},"channel":{"id":"C1OPS","name":"ops"},
                "response_url":"https://hooks.slack.com/actions/T1/1/x",
                "actions":[{"type":"button","action_id":"approve:sre","value":"EMG-7|sre","block_id":"b",
                 "text":{"type":"plain_text","text":"Approve as SRE"}}]}"""));

        assertThat(click).hasValueSatisfying(c -> {
            assertThat(c.pressed().id()).hasToString("EMG-7");
            assertThat(c.pressed().team()).isEqualTo("sre");
            assertThat(c.userId()).isEqualTo("U1ALICE");
            assertThat(c.channel()).isEqualTo("C1OPS");
            assertThat(c.responseUrl()).isEqualTo("https://hooks.slack.com/actions/T1/1/x");
        });
    }

    @Test
    void without_a_channel_the_container_names_it() {
        var click = ApproveClick.read(body("""
                {"type":"block_actions","user":{"id":"U1ALICE"},"container":{"type":"message","channel_id":"C1SEC"},
                 "actions":[{"action_id":"approve:security","value":"EMG-8|security"}]}"""));
        assertThat(click).hasValueSatisfying(c -> assertThat(c.channel()).isEqualTo("C1SEC"));
    }

    @Test
    void the_form_encoding_is_undone_byte_for_byte() {
        // URLEncoder writes a space as '+', a '+' as %2B and UTF-8 as %XX bytes, as Slack's form bodies do.
        var click = ApproveClick.read(body("""
                {"type":"block_actions","user":{"id":"U1ÉLISE"},"channel":{"id":"C1OPS"},
                 "response_url":"https://hooks.slack.com/actions/T1/1/a+b c%",
                 "actions":[{"action_id":"approve:sre","value":"EMG-7|sre"}]}"""));
        assertThat(click).hasValueSatisfying(c -> {
            assertThat(c.userId()).isEqualTo("U1ÉLISE");
            assertThat(c.responseUrl()).isEqualTo("https://hooks.slack.com/actions/T1/1/a+b c%");
        });
        // Hex digits in either case.
        var lower = ApproveClick.read(body("{\"type\":\"block_actions\",\"user\":{\"id\":\"U1ÉLISE\"},\"actions\":"
                + "[{\"action_id\":\"approve:sre\",\"value\":\"EMG-7|sre\"}]}").replace("%C3%89", "%c3%89"));
        assertThat(lower).hasValueSatisfying(c -> assertThat(c.userId()).isEqualTo("U1ÉLISE"));
        // UTF-8 sent unencoded is read as UTF-8 too.
        var raw = ApproveClick.read("payload={\"type\":\"block_actions\",\"user\":{\"id\":\"U1ÉLISE\"},"
                + "\"actions\":[{\"action_id\":\"approve:sre\",\"value\":\"EMG-7|sre\"}]}");
        assertThat(raw).hasValueSatisfying(c -> assertThat(c.userId()).isEqualTo("U1ÉLISE"));
    }

    @Test
    void anything_but_one_approve_press_is_left_to_bolt() {
        var approve = "{\"action_id\":\"approve:sre\",\"value\":\"EMG-7|sre\"}";
        assertThat(ApproveClick.read(body("{\"type\":\"block_actions\",\"user\":{\"id\":\"U1\"},\"actions\":["
                + approve + "," + approve + "]}"))).isEmpty();
        assertThat(ApproveClick.read(body("{\"type\":\"block_actions\",\"user\":{\"id\":\"U1\"},\"actions\":["
                + "{\"action_id\":\"reject\",\"value\":\"EMG-7|\"}]}"))).isEmpty();
        assertThat(ApproveClick.read(body("{\"type\":\"view_submission\",\"user\":{\"id\":\"U1\"},\"actions\":["
                + approve + "]}"))).isEmpty();
        assertThat(ApproveClick.read(body("{\"type\":\"block_actions\",\"user\":{\"name\":\"alice\"},\"actions\":["
                + approve + "]}"))).isEmpty();
        assertThat(ApproveClick.read(body("{\"type\":\"block_actions\",\"user\":{\"id\":\"U1\"},\"actions\":["
                + "{\"action_id\":\"approve:sre\",\"value\":\"not-a-request\"}]}"))).isEmpty();
        assertThat(ApproveClick.read(body("{\"type\":\"block_actions\",\"user\":{\"id\":\"U1\"},\"actions\":[" + approve)))
                .as("cut short").isEmpty();
        assertThat(ApproveClick.read(body("{\"type\":\"block_actions\",\"user\":{\"id\":\"U1\"},\"actions\":[" + approve + "]")))
                .as("without its last brace").isEmpty();
        assertThat(ApproveClick.read(body("[1,2]"))).isEmpty();
        assertThat(ApproveClick.read("command=%2Femergency&text=list")).isEmpty();
        assertThat(ApproveClick.read("payload=%E0%A4%A")).as("not URL-encoded").isEmpty();
        assertThat(ApproveClick.read("payload=%7B%zz")).as("not hex after %").isEmpty();
        assertThat(ApproveClick.read(body("{\"type\":\"block_actions\",\"user\":{\"id\":\"U1\"},\"actions\":["
                + approve + "]}") + "&token=x")).as("another field after it").isEmpty();
        var notUtf8 = ("payload={\"type\":\"block_actions\",\"user\":{\"id\":\"U1%FF\"},\"actions\":[" + approve + "]}")
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(ApproveClick.read(notUtf8)).as("a byte that is not UTF-8").isEmpty();
        assertThat(ApproveClick.read("payload")).as("no payload= at all").isEmpty();
    }
}
