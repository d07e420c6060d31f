package org.countersign.slack;

import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How to reach Slack. Enabled when both {@code SLACK_SIGNING_SECRET} and {@code SLACK_BOT_TOKEN} are set.
 *
 * @param apiUrl          the Web API base, ending in {@code /} ({@code https://slack.com/api/} unless a fake stands in)
 * @param securityChannel the private channel for confidential requests, or null: then they are refused
 */
public record SlackSettings(String signingSecret, String botToken, String apiUrl, String channel,
                            String securityChannel) {
    static final String DEFAULT_API_URL = "https://slack.com/api/";
    private static final Pattern CHANNEL_ID = Pattern.compile("[CG][A-Z0-9]{2,}");

    /**
     * The settings, or null when Slack is not configured; problems are added to {@code problems}.
     *
     * @param setting a setting by name, stripped; null when unset or blank
     */
    public static SlackSettings fromEnv(java.util.function.Function<String, String> setting, List<String> problems) {
        var secret = setting.apply("SLACK_SIGNING_SECRET");
        var token = setting.apply("SLACK_BOT_TOKEN");
        var apiUrl = setting.apply("SLACK_API_URL");
        var channel = setting.apply("SLACK_CHANNEL");
        var securityChannel = setting.apply("SLACK_SECURITY_CHANNEL");
        if (secret == null && token == null) {
            if (channel != null || securityChannel != null || apiUrl != null)
                problems.add("SLACK_CHANNEL, SLACK_SECURITY_CHANNEL or SLACK_API_URL is set but Slack is off: "
                        + "set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN too (see README, Connect to Slack)");
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
        return problems.size() > before ? null : new SlackSettings(secret, token, api, channel, securityChannel);
    }

    @Override
    public String toString() {
        return "SlackSettings[signingSecret=****, botToken=****, apiUrl=" + apiUrl + ", channel=" + channel
                + ", securityChannel=" + securityChannel + "]";
    }
}
