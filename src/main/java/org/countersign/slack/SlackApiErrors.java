package org.countersign.slack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.SlackConfig;
import com.slack.api.util.http.SlackHttpClient;
import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;
import org.countersign.app.Telemetry;
import org.countersign.app.Telemetry.ApiError;

/**
 * Counts the Slack Web API calls that did not succeed, whoever made them (the cards, the alerts, the privacy check,
 * Bolt's modals): HTTP 429 or Slack's {@code ratelimited} as rate-limited; 5xx or no answer as unavailable; any other
 * 4xx or {@code "ok": false} as refused. An interceptor on the SDK's HTTP client, as the SDK's response listeners
 * never see an answer that is not 2xx.
 */
public final class SlackApiErrors implements Interceptor {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long BODY_READ_MAX = 64 * 1024;
    private final Telemetry telemetry;

    public SlackApiErrors(Telemetry telemetry) { this.telemetry = telemetry; }

    /** The SDK's own HTTP client for {@code config}, counting here. */
    public static SlackHttpClient client(SlackConfig config, Telemetry telemetry) {
        return new SlackHttpClient(SlackHttpClient.buildOkHttpClient(config).newBuilder()
                .addInterceptor(new SlackApiErrors(telemetry)).build());
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Response response;
        try {
            response = chain.proceed(chain.request());
        } catch (IOException e) {
            telemetry.apiError("slack", ApiError.UNAVAILABLE);
            throw e;
        }
        int code = response.code();
        if (code == 429) telemetry.apiError("slack", ApiError.RATE_LIMITED);
        else if (code >= 500) telemetry.apiError("slack", ApiError.UNAVAILABLE);
        else if (code >= 400) telemetry.apiError("slack", ApiError.REFUSED);
        else if (code == 200 && response.body() != null) notOk(response.peekBody(BODY_READ_MAX).string());
        return response;
    }

    private void notOk(String body) {
        if (!body.contains("\"ok\"")) return;
        try {
            var node = JSON.readTree(body);
            if (node.path("ok").isBoolean() && !node.path("ok").asBoolean())
                telemetry.apiError("slack", "ratelimited".equals(node.path("error").asText())
                        ? ApiError.RATE_LIMITED : ApiError.REFUSED);
        } catch (IOException | RuntimeException e) {
            // not JSON: the SDK tells the caller what went wrong
        }
    }
}
