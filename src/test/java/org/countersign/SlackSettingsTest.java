package org.countersign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlackSettingsTest {
    private static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    private static final String TOKEN = "xoxb-1111-2222-abcdefghijklmnop";

    private static Map<String, String> slackEnv() {
        var env = new HashMap<String, String>();
        env.put("SLACK_SIGNING_SECRET", SECRET);
        env.put("SLACK_BOT_TOKEN", TOKEN);
        env.put("SLACK_CHANNEL", "C0EMERG1");
        env.put("REDIS_URL", "redis://:password@redis.example.org:6379"); // with Slack on, never the embedded one
        return env;
    }

    @Test
    void slack_is_off_without_a_secret_and_a_token() {
        assertThat(Config.fromEnv(Map.of()).slackOpt()).isEmpty();
    }

    @Test
    void slack_is_on_with_a_secret_a_token_and_a_channel_and_talks_to_slack_by_default() {
        var slack = Config.fromEnv(slackEnv()).slackOpt().orElseThrow();

        assertThat(slack.apiUrl()).isEqualTo("https://slack.com/api/");
        assertThat(slack.channel()).isEqualTo("C0EMERG1");
        assertThat(slack.securityChannel()).isNull();
    }

    @Test
    void the_api_url_can_point_at_a_local_fake_and_gets_its_trailing_slash() {
        var env = slackEnv();
        env.put("SLACK_API_URL", "http://127.0.0.1:9999/api");

        assertThat(Config.fromEnv(env).slackOpt().orElseThrow().apiUrl()).isEqualTo("http://127.0.0.1:9999/api/");
    }

    @Test
    void a_token_without_its_secret_is_refused_naming_the_missing_one() {
        var env = slackEnv();
        env.remove("SLACK_SIGNING_SECRET");

        assertThatThrownBy(() -> Config.fromEnv(env)).isInstanceOf(Config.Invalid.class)
                .hasMessageContaining("SLACK_SIGNING_SECRET is not set");
    }

    @Test
    void every_slack_problem_is_listed_at_once_and_no_secret_is_shown() {
        var env = new HashMap<String, String>();
        env.put("SLACK_SIGNING_SECRET", SECRET);
        env.put("SLACK_BOT_TOKEN", "xoxp-user-token-secret");
        env.put("SLACK_CHANNEL", "#emergencies");
        env.put("SLACK_SECURITY_CHANNEL", "nope");
        env.put("SLACK_API_URL", "ftp://example.org");

        assertThatThrownBy(() -> Config.fromEnv(env))
                .isInstanceOfSatisfying(Config.Invalid.class, e -> assertThat(e.problems()).hasSize(4))
                .hasMessageContaining("xoxb-")
                .hasMessageContaining("SLACK_CHANNEL='#emergencies'")
                .hasMessageContaining("SLACK_SECURITY_CHANNEL='nope'")
                .hasMessageContaining("SLACK_API_URL='ftp://example.org'")
                .hasMessageNotContaining("xoxp-user-token-secret")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void the_security_channel_must_not_be_the_public_one() {
        var env = slackEnv();
        env.put("SLACK_SECURITY_CHANNEL", "C0EMERG1");

        assertThatThrownBy(() -> Config.fromEnv(env)).hasMessageContaining("private channel of their own");
    }

    @Test
    void a_user_groups_last_list_is_trusted_for_15_minutes_unless_set_otherwise() {
        assertThat(Config.fromEnv(slackEnv()).slackOpt().orElseThrow().usergroupMaxAge())
                .isEqualTo(java.time.Duration.ofMinutes(15));
        var env = slackEnv();
        env.put("SLACK_USERGROUP_MAX_AGE", "1h");
        assertThat(Config.fromEnv(env).slackOpt().orElseThrow().usergroupMaxAge()).isEqualTo(java.time.Duration.ofHours(1));
    }

    @Test
    void a_user_group_max_age_that_is_not_a_duration_or_too_short_is_refused_with_the_range() {
        for (var bad : new String[] {"soon", "1m", "2d"}) {
            var env = slackEnv();
            env.put("SLACK_USERGROUP_MAX_AGE", bad);
            assertThatThrownBy(() -> Config.fromEnv(env)).isInstanceOf(Config.Invalid.class).hasMessageContaining(
                    "SLACK_USERGROUP_MAX_AGE='" + bad + "': expected a duration such as 15m, 1h or PT15M, from 2m to 1d "
                            + "(default 15m)");
        }
    }

    @Test
    void a_channel_without_slack_credentials_is_a_mistake_worth_saying() {
        assertThatThrownBy(() -> Config.fromEnv(Map.of("SLACK_CHANNEL", "C0EMERG1")))
                .hasMessageContaining("set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN");
    }

    @Test
    void to_string_never_shows_the_secret_or_the_token() {
        var config = Config.fromEnv(slackEnv());

        assertThat(config.toString()).doesNotContain(SECRET).doesNotContain(TOKEN).contains("C0EMERG1");
    }
}
