package org.countersign.irc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IrcSettingsTest {
    private static IrcSettings read(Map<String, String> env, java.util.List<String> problems) {
        return IrcSettings.fromEnv(env::get, problems);
    }

    @Test
    void irc_is_off_without_a_server_and_a_channel() {
        var problems = new ArrayList<String>();

        assertThat(read(Map.of(), problems)).isNull();
        assertThat(problems).isEmpty();
    }

    @Test
    void tls_is_on_by_default_and_the_password_never_shows() {
        var problems = new ArrayList<String>();
        var s = read(Map.of("IRC_SERVER", "irc.libera.chat:6697", "IRC_CHANNEL", "#ops", "IRC_SASL_ACCOUNT", "cs",
                "IRC_SASL_PASSWORD", "hunter2-secret"), problems);

        assertThat(problems).isEmpty();
        assertThat(s.tls()).isTrue();
        assertThat(s.nick()).isEqualTo("countersign");
        assertThat(s.lineDelay()).isEqualTo(Duration.ofMillis(1200));
        assertThat(s.toString()).doesNotContain("hunter2").contains("saslPassword=****");
    }

    @Test
    void tls_off_is_refused_for_a_server_beyond_this_machine() {
        var problems = new ArrayList<String>();

        assertThat(read(Map.of("IRC_SERVER", "irc.example.org:6667", "IRC_CHANNEL", "#ops", "IRC_TLS", "off"),
                problems)).isNull();
        assertThat(problems).singleElement().asString().startsWith("IRC_TLS=off sends every line and password in the "
                + "clear to irc.example.org");
    }

    @Test
    void every_problem_is_listed_at_once_with_the_bad_value() {
        var problems = new ArrayList<String>();

        read(Map.of("IRC_SERVER", "irc.example.org", "IRC_CHANNEL", "ops", "IRC_SECURITY_CHANNEL", "#ops",
                "IRC_SASL_PASSWORD", "x", "IRC_LINE_DELAY", "fast"), problems);

        assertThat(problems).anyMatch(p -> p.startsWith("IRC_SERVER='irc.example.org': expected host:port"))
                .anyMatch(p -> p.startsWith("IRC_CHANNEL='ops'"))
                .anyMatch(p -> p.startsWith("IRC_SASL_PASSWORD (hidden) is set but IRC_SASL_ACCOUNT is not"))
                .anyMatch(p -> p.startsWith("IRC_LINE_DELAY='fast'"));
        assertThat(String.join("\n", problems)).doesNotContain("'x'");
    }

    @Test
    void a_security_channel_without_irc_is_a_mistake_said_out_loud() {
        var problems = new ArrayList<String>();

        read(Map.of("IRC_SECURITY_CHANNEL", "#sec"), problems);

        assertThat(problems).containsExactly("IRC_SECURITY_CHANNEL is set but IRC is off: set IRC_SERVER and "
                + "IRC_CHANNEL too (see README, Connect to IRC)");
    }
}
