package org.countersign.slack.fake;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What Slack POSTs when a user runs a slash command (docs.slack.dev, "Implementing slash
 * commands"): a form with token, team_id, channel_id, user_id, user_name, command, text,
 * response_url, trigger_id and a few more.
 */
public record SlashCommand(
    String teamId,
    String channelId,
    String userId,
    String userName,
    String command,
    String text,
    String responseUrl,
    String triggerId) {

  /** {@code /emergency text} run by {@code userId} in {@code channelId}; response URL and trigger are placeholders. */
  public static SlashCommand emergency(String userId, String channelId, String text) {
    return new SlashCommand(
        FakeSlack.TEAM_ID,
        channelId,
        userId,
        userId.toLowerCase(),
        "/emergency",
        text,
        "https://hooks.slack.com/commands/" + FakeSlack.TEAM_ID + "/0/placeholder",
        "0.0.placeholder");
  }

  /** The same command with a live response URL and trigger id from {@code slack}. */
  public SlashCommand via(FakeSlack slack) {
    return new SlashCommand(
        teamId, channelId, userId, userName, command, text, slack.newResponseUrl(), slack.newTriggerId());
  }

  public SlashCommand withUserName(String name) {
    return new SlashCommand(teamId, channelId, userId, name, command, text, responseUrl, triggerId);
  }

  public SlashCommand withTeamId(String team) {
    return new SlashCommand(team, channelId, userId, userName, command, text, responseUrl, triggerId);
  }

  public SlashCommand withTriggerId(String trigger) {
    return new SlashCommand(teamId, channelId, userId, userName, command, text, responseUrl, trigger);
  }

  public SlashCommand withResponseUrl(String url) {
    return new SlashCommand(teamId, channelId, userId, userName, command, text, url, triggerId);
  }

  String formBody() {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("token", Payloads.VERIFICATION_TOKEN);
    form.put("team_id", teamId);
    form.put("team_domain", Payloads.TEAM_DOMAIN);
    form.put("channel_id", channelId);
    form.put("channel_name", "emergencies");
    form.put("user_id", userId);
    form.put("user_name", userName);
    form.put("command", command);
    form.put("text", text);
    form.put("api_app_id", FakeSlack.APP_ID);
    form.put("is_enterprise_install", "false");
    form.put("response_url", responseUrl);
    form.put("trigger_id", triggerId);
    return Payloads.form(form);
  }
}
