package org.countersign.slack;

import java.util.Optional;
import org.countersign.domain.EmergencyRequest;

/**
 * Where cards go: the ops channel, and for a confidential reason the private security channel only.
 *
 * @param securityChannel null when none is set up: confidential requests are then refused in Slack
 */
public record SlackChannels(String channel, String securityChannel) {
    /** The channel for this request's card; empty when it must not be posted in Slack at all. */
    public Optional<String> forRequest(EmergencyRequest request) {
        return Optional.ofNullable(request.confidential() ? securityChannel : channel);
    }

    public boolean takesConfidential() { return securityChannel != null; }
}
