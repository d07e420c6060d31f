package org.countersign.slack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * An approve button press read straight from the signed form body: the one way an approval comes in from Slack.
 * Bolt would build a new Gson and read the whole card message back into Block Kit objects first, which the profile
 * showed to be most of a click's CPU. Anything else is left to Bolt.
 *
 * @param channel     the channel of the card pressed, or null
 * @param responseUrl where to tell the person about a refusal, or null
 */
record ApproveClick(CardButton pressed, String userId, String channel, String responseUrl) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PAYLOAD = "payload=";

    /** The approve press in {@code formBody} ({@code payload=<block_actions JSON>}); empty for anything else. */
    static Optional<ApproveClick> read(String formBody) {
        if (formBody == null || !formBody.startsWith(PAYLOAD) || formBody.indexOf('&') >= 0) return Optional.empty();
        JsonNode payload;
        try {
            payload = JSON.readTree(URLDecoder.decode(formBody.substring(PAYLOAD.length()), StandardCharsets.UTF_8));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return Optional.empty();
        }
        if (payload == null || !"block_actions".equals(payload.path("type").asText())) return Optional.empty();
        var actions = payload.path("actions");
        var user = payload.path("user").path("id").asText(null);
        if (!actions.isArray() || actions.size() != 1 || user == null || user.isBlank()) return Optional.empty();
        var action = actions.get(0);
        var actionId = action.path("action_id").asText("");
        if (!CardButton.isApprove(actionId)) return Optional.empty();
        var channel = payload.path("channel").path("id").asText(payload.path("container").path("channel_id").asText(null));
        return CardButton.read(actionId, action.path("value").asText(null))
                .map(pressed -> new ApproveClick(pressed, user, channel, payload.path("response_url").asText(null)));
    }
}
