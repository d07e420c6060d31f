package org.countersign.slack;

import java.util.Optional;
import org.countersign.chat.Privacy;
import org.countersign.domain.Disclosure;
import org.countersign.domain.EmergencyRequest;

/**
 * The Slack channels of the {@link Disclosure} rule's places: the ops channel, and the private security channel.
 *
 * @param securityChannel null when none is set up: confidential requests are then refused in Slack
 * @param privacy         whether the security channel is private now, as last checked
 */
public record SlackChannels(String channel, String securityChannel, Privacy privacy) {
    public SlackChannels(String channel, String securityChannel) { this(channel, securityChannel, Privacy.ASSUMED); }

    /** Why this request's card must not be shown now (its place is the security channel, not private now), or empty. */
    public Optional<String> heldBack(EmergencyRequest request) {
        return Disclosure.placeOf(request) == Disclosure.Place.SECURITY ? privacy.problem() : Optional.empty();
    }

    /** The channel for this request's card; empty when it must not be posted in Slack at all. */
    public Optional<String> forRequest(EmergencyRequest request) {
        return Optional.ofNullable(Disclosure.placeOf(request) == Disclosure.Place.SECURITY ? securityChannel : channel);
    }

    /** The channel of a place, when set up and, for the security one, private now. */
    public Optional<String> room(Disclosure.Place place) {
        if (place == Disclosure.Place.OPS) return Optional.ofNullable(channel);
        return securityChannel == null || !privacy.isPrivate() ? Optional.empty() : Optional.of(securityChannel);
    }

    public boolean takesConfidential() { return securityChannel != null; }

    /** Whether a channel id is the private security channel. */
    boolean isSecurity(String channelId) { return channelId != null && channelId.equals(securityChannel); }
}
