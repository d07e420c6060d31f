package org.countersign.slack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.util.http.listener.HttpResponseListener;
import org.countersign.app.Telemetry;
import org.countersign.app.Telemetry.ApiError;

/**
 * Counts the Slack Web API answers that were not a success, whoever made the call (the cards, the alerts, Bolt's
 * modals): HTTP 429 or {@code ratelimited} as rate-limited, 5xx as unavailable, any other 4xx or {@code "ok": false}
 * as refused. Registered on the {@link com.slack.api.SlackConfig}, it sees every response the SDK reads.
 */
public final class SlackApiErrors extends HttpResponseListener {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Telemetry telemetry;

    public SlackApiErrors(Telemetry telemetry) { this.telemetry = telemetry; }

    @Override
    public void accept(State state) {
        var response = state.getResponse();
        int code = response == null ? 0 : response.code();
        if (code == 429) telemetry.apiError("slack", ApiError.RATE_LIMITED);
        else if (code >= 500) telemetry.apiError("slack", ApiError.UNAVAILABLE);
        else if (code >= 400) telemetry.apiError("slack", ApiError.REFUSED);
        else if (code == 200) notOk(state.getParsedResponseBody());
    }

    private void notOk(String body) {
        if (body == null || !body.contains("\"ok\"")) return;
        try {
            var node = JSON.readTree(body);
            if (!node.path("ok").asBoolean(true))
                telemetry.apiError("slack", "ratelimited".equals(node.path("error").asText())
                        ? ApiError.RATE_LIMITED : ApiError.REFUSED);
        } catch (java.io.IOException | RuntimeException e) {
            // not JSON: the SDK itself says what went wrong to the caller
        }
    }
}
