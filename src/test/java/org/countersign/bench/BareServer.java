package org.countersign.bench;

import io.javalin.Javalin;

/** The baseline: Javalin answering {@code GET /} with 200 and nothing else, run in a JVM of its own. */
public final class BareServer {
    private BareServer() {}

    public static void main(String[] args) {
        int port = Integer.parseInt(System.getenv("PORT"));
        Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.get("/", ctx -> ctx.result("ok"));
        }).start("127.0.0.1", port);
    }
}
