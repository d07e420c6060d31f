package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.request.builtin.SlashCommandRequest;
import com.slack.api.bolt.util.SlackRequestParser;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /emergency} read from Slack's form body without Bolt ({@link SlashCommand.Typed}), checked against what
 * Bolt's own parser reads from the same bytes, and what it leaves to Bolt.
 */
class SlashCommandReadTest {
    private static final SlackRequestParser BOLT = new SlackRequestParser(AppConfig.builder().signingSecret("s").build());

    /** A slash command's form as Slack posts it, in its order of fields (docs.slack.dev, "Implementing slash commands"). */
    private static Map<String, String> form(String text) {
        var form = new LinkedHashMap<String, String>();
        form.put("token", "gIkuvaNzQIHg97ATvDxqgjtO");
        form.put("team_id", "T0001");
        form.put("team_domain", "example");
        form.put("enterprise_id", "E0001");
        form.put("enterprise_name", "Globular Construct Inc");
        form.put("channel_id", "C2147483705");
        form.put("channel_name", "test");
        form.put("user_id", "U2147483697");
        form.put("user_name", "Steve");
        form.put("command", "/emergency");
        form.put("text", text);
        form.put("response_url", "https://hooks.slack.com/commands/1234/5678");
        form.put("trigger_id", "13345224609.738474920.8088930838d88f008e0");
        form.put("api_app_id", "A123456");
        return form;
    }

    private static String encode(Map<String, String> form) {
        return form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    private static SlashCommandRequest bolt(String body) {
        var request = BOLT.parse(SlackRequestParser.HttpRequest.builder().requestUri(SlackEndpoint.PATH)
                .queryString(Map.of()).remoteAddress("127.0.0.1").requestBody(body)
                .headers(new RequestHeaders(Map.of("Content-Type", List.of("application/x-www-form-urlencoded"))))
                .build());
        return (SlashCommandRequest) request;
    }

    @ParameterizedTest
    @ValueSource(strings = {"list", "", "  approve EMG-12 --team sre  ", "payments v1.2.3 + rollback & 50% off",
            "É élise — 🚒 déploiement", "status EMG-1\nsecond line", "a=b&c=d", "%41 not a byte"})
    void reads_what_bolts_own_parser_reads_from_the_same_bytes(String text) {
        var body = encode(form(text));
        var ours = SlashCommand.Typed.read(body.getBytes(StandardCharsets.UTF_8)).orElseThrow();
        var theirs = bolt(body).getPayload();

        assertThat(ours.command()).isEqualTo(theirs.getCommand()).isEqualTo("/emergency");
        assertThat(ours.userId()).isEqualTo(theirs.getUserId());
        assertThat(ours.channelId()).isEqualTo(theirs.getChannelId());
        assertThat(ours.text()).as("Bolt reads an empty text as null, which the command read as \"\"")
                .isEqualTo(java.util.Objects.requireNonNullElse(theirs.getText(), "").strip());
        assertThat(ours.triggerId()).isEqualTo(theirs.getTriggerId());
        assertThat(ours.responseUrl()).isEqualTo(theirs.getResponseUrl());
        assertThat(ours.lacking()).isEmpty();
    }

    @Test
    void spaces_sent_as_plus_or_as_percent_20_are_spaces_and_hex_is_read_in_either_case() {
        var typed = SlashCommand.Typed.read(("command=%2Femergency&user_id=U1&channel_id=C1&text=approve+EMG-1%20"
                + "--team%3dsre%c3%a9").getBytes(StandardCharsets.UTF_8)).orElseThrow();
        assertThat(typed.text()).isEqualTo("approve EMG-1 --team=sreé");
        assertThat(typed.triggerId()).isNull();
        assertThat(typed.responseUrl()).isNull();
    }

    @Test
    void a_command_without_text_has_empty_text_and_one_without_a_person_says_what_it_lacks() {
        var form = form("x");
        form.remove("text");
        form.put("user_id", " ");
        var typed = SlashCommand.Typed.read(encode(form).getBytes(StandardCharsets.UTF_8)).orElseThrow();
        assertThat(typed.text()).isEmpty();
        assertThat(typed.lacking()).contains("user_id");

        form.remove("user_id");
        form.remove("channel_id");
        assertThat(SlashCommand.Typed.read(encode(form).getBytes(StandardCharsets.UTF_8)).orElseThrow().lacking())
                .contains("user_id");
        form.put("user_id", "U1");
        assertThat(SlashCommand.Typed.read(encode(form).getBytes(StandardCharsets.UTF_8)).orElseThrow().lacking())
                .contains("channel_id");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "payload=%7B%22type%22%3A%22block_actions%22%7D", // an interaction
            "{\"type\":\"url_verification\",\"challenge\":\"x\"}", // an Events API request
            "ssl_check=1&token=x", // Slack checking the certificate
            "command=%2Femergency&text=list&command=%2Fother", // a field twice: which one counts would be a guess
            "command=%2Femergency&text=li%2", // a broken escape
            "command=%2Femergency&text=li%zzst", // not hex
            "command=%2Femergency&payload=x", // both kinds at once
            ""})
    void anything_else_is_left_to_bolt(String body) {
        assertThat(SlashCommand.Typed.read(body.getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void a_field_without_a_value_is_empty_and_empty_fields_between_ampersands_are_skipped() {
        assertThat(FormBody.fields("a&&b=&c=1&".getBytes(StandardCharsets.UTF_8)))
                .containsExactlyInAnyOrderEntriesOf(Map.of("a", "", "b", "", "c", "1"));
        assertThat(FormBody.fields("=1".getBytes(StandardCharsets.UTF_8))).isNull();
    }
}
