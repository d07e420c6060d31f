package org.countersign.web;

import java.net.http.HttpRequest;
import java.util.List;

/** The dashboard token tests start a bare WebApp with, and the header that carries it. */
public final class WebTesting {
    public static final String TOKEN = "test-dashboard-token-6f1d2c9a";

    private WebTesting() {}

    /** Options with {@link #TOKEN} as the dashboard token, and nothing else. */
    public static WebApp.Options options() {
        return new WebApp.Options(TOKEN, null, null);
    }

    /** Options with {@link #TOKEN}, the console people and the live events given. */
    public static WebApp.Options options(List<String> consolePeople, LiveEvents live) {
        return new WebApp.Options(TOKEN, consolePeople, live);
    }

    /** A request builder that sends {@link #TOKEN}. */
    public static HttpRequest.Builder authorized(HttpRequest.Builder request) {
        return request.header("Authorization", "Bearer " + TOKEN);
    }
}
