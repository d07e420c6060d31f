package org.countersign.slack;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How to reach Slack. Enabled when both {@code SLACK_SIGNING_SECRET} and {@code SLACK_BOT_TOKEN} are set.
 *
 * @param apiUrl          the Web API base, ending in {@code /} ({@code https://slack.com/api/} unless a fake stands in)
 * @param securityChannel the private channel for confidential requests, or null: then they are refused
 * @param usergroupMaxAge how long a user group's last list is trusted while Slack does not answer
 */
public record SlackSettings(String signingSecret, String botToken, String apiUrl, String channel,
                            String securityChannel, Duration usergroupMaxAge) {
    static final String DEFAULT_API_URL = "https://slack.com/api/";
    static final Duration MIN_USERGROUP_MAX_AGE = SlackDirectory.DEFAULT_REFRESH.multipliedBy(2);
    static final Duration MAX_USERGROUP_MAX_AGE = Duration.ofDays(1);
    private static final Pattern CHANNEL_ID = Pattern.compile("[CG][A-Z0-9]{2,}");

    /**
     * The settings, or null when Slack is not configured; problems are added to {@code problems}.
     *
     * @param setting  a setting by name, stripped; null when unset or blank
     * @param duration reads a duration ({@code 15m}), empty when the text is not one
     */
    public static SlackSettings fromEnv(Function<String, String> setting, Function<String, Optional<Duration>> duration,
                                        List<String> problems) {
        var secret = setting.apply("SLACK_SIGNING_SECRET");
        var token = setting.apply("SLACK_BOT_TOKEN");
        var apiUrl = setting.apply("SLACK_API_URL");
        var channel = setting.apply("SLACK_CHANNEL");
        var securityChannel = setting.apply("SLACK_SECURITY_CHANNEL");
        var maxAgeText = setting.apply("SLACK_USERGROUP_MAX_AGE");
        if (secret == null && token == null) {
            if (channel != null || securityChannel != null || apiUrl != null || maxAgeText != null)
                problems.add("SLACK_CHANNEL, SLACK_SECURITY_CHANNEL, SLACK_API_URL or SLACK_USERGROUP_MAX_AGE is set but "
                        + "Slack is off: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN too (see README, Connect to Slack)");
            return null;
        }
        int before = problems.size();
        if (secret == null)
            problems.add("SLACK_SIGNING_SECRET is not set: copy it from your Slack app's Basic Information page");
        if (token == null)
            problems.add("SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions");
        else if (!token.startsWith("xoxb-"))
            problems.add("SLACK_BOT_TOKEN (hidden) does not start with xoxb-: use the Bot User OAuth Token, "
                    + "not a user or app-level token");
        if (channel == null)
            problems.add("SLACK_CHANNEL is not set: give the id (C…) of the channel where cards are posted");
        else if (!CHANNEL_ID.matcher(channel).matches())
            problems.add("SLACK_CHANNEL='" + channel + "': expected a channel id such as C0123ABCD "
                    + "(in Slack: channel details, at the bottom), not a name");
        if (securityChannel != null && !CHANNEL_ID.matcher(securityChannel).matches())
            problems.add("SLACK_SECURITY_CHANNEL='" + securityChannel + "': expected a private channel id such as "
                    + "G0123ABCD or C0123ABCD");
        if (securityChannel != null && securityChannel.equals(channel))
            problems.add("SLACK_SECURITY_CHANNEL is the same as SLACK_CHANNEL: confidential requests need a private "
                    + "channel of their own");
        var api = apiUrl == null ? DEFAULT_API_URL : apiUrl.endsWith("/") ? apiUrl : apiUrl + "/";
        if (apiUrl != null) {
            try {
                var uri = URI.create(api);
                if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null)
                    throw new IllegalArgumentException("not http(s)");
            } catch (IllegalArgumentException e) {
                problems.add("SLACK_API_URL='" + apiUrl + "': expected an http(s) URL such as https://slack.com/api/");
            }
        }
        var maxAge = SlackDirectory.DEFAULT_MAX_AGE;
        if (maxAgeText != null) {
            var d = duration.apply(maxAgeText);
            if (d.isEmpty() || d.get().compareTo(MIN_USERGROUP_MAX_AGE) < 0 || d.get().compareTo(MAX_USERGROUP_MAX_AGE) > 0)
                problems.add("SLACK_USERGROUP_MAX_AGE='" + maxAgeText + "': expected a duration such as 15m, 1h or PT15M, "
                        + "from 2m to 1d (default 15m)");
            else maxAge = d.get();
        }
        return problems.size() > before ? null
                : new SlackSettings(secret, token, api, channel, securityChannel, maxAge);
    }

    @Override
    public String toString() {
        return "SlackSettings[signingSecret=****, botToken=****, apiUrl=" + apiUrl + ", channel=" + channel
                + ", securityChannel=" + securityChannel + ", usergroupMaxAge=" + usergroupMaxAge + "]";
    }
}
