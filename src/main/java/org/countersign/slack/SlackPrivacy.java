package org.countersign.slack;

import com.slack.api.methods.MethodsClient;
import java.util.Optional;
import org.countersign.chat.PrivacyWatch;

/**
 * Slack's side of the {@link PrivacyWatch}: {@code conversations.info} on the security channel must say
 * {@code is_private} (scopes {@code groups:read}, and {@code channels:read} to read a channel that turned public);
 * the notice goes to the ops channel.
 */
public final class SlackPrivacy implements PrivacyWatch.Probe {
    private final MethodsClient slack;
    private final SlackChannels channels;

    public SlackPrivacy(MethodsClient slack, SlackChannels channels) {
        if (channels.securityChannel() == null) throw new IllegalArgumentException("no security channel to check");
        this.slack = slack;
        this.channels = channels;
    }

    @Override
    public String platform() { return SlackCards.PLATFORM; }

    @Override
    public String place() { return channels.securityChannel(); }

    @Override
    public String describe() { return "the security channel " + channels.securityChannel(); }

    @Override
    public String setting() { return "SLACK_SECURITY_CHANNEL"; }

    @Override
    public Optional<String> exposure() {
        var info = SlackCalls.call("conversations.info",
                () -> slack.conversationsInfo(r -> r.channel(channels.securityChannel())), "missing_scope");
        if (!info.isOk())
            throw new IllegalStateException("conversations.info failed: missing_scope (the Slack app needs the scopes "
                    + "channels:read and groups:read; reinstall it from infra/slack/manifest.yml)");
        var channel = info.getChannel();
        if (channel == null) throw new IllegalStateException("conversations.info answered without a channel");
        if (!channel.isPrivate()) return Optional.of("Slack says is_private is false: anyone in the workspace can read it");
        return Optional.empty();
    }

    @Override
    public void tellOps(String text) {
        SlackCalls.call("chat.postMessage",
                () -> slack.chatPostMessage(r -> r.channel(channels.channel()).text(SlackText.message(text))));
    }
}
