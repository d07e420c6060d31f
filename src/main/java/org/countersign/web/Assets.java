package org.countersign.web;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The few static files the pages use, read once from the classpath ({@code src/main/resources/web}). */
final class Assets {
    private static final Map<String, String> TYPES = Map.of(
            "app.css", "text/css; charset=utf-8",
            "dashboard.js", "text/javascript; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "favicon.svg", "image/svg+xml");
    private static final Map<String, byte[]> FILES = load();

    private Assets() {}

    static void serve(Context ctx) { serve(ctx, ctx.pathParam("name")); }

    /** {@code /favicon.ico}, which browsers ask for whatever the page links: the same icon, so no 404 in the console. */
    static void favicon(Context ctx) { serve(ctx, "favicon.svg"); }

    private static void serve(Context ctx, String name) {
        var bytes = FILES.get(name);
        if (bytes == null) {
            ctx.status(HttpStatus.NOT_FOUND).json(new ApiError("No such file: /assets/" + name));
            return;
        }
        ctx.header("Cache-Control", "no-cache").header("X-Content-Type-Options", "nosniff")
                .contentType(TYPES.get(name)).result(bytes);
    }

    private static Map<String, byte[]> load() {
        var files = new java.util.HashMap<String, byte[]>();
        for (var name : TYPES.keySet()) {
            try (InputStream in = Assets.class.getResourceAsStream("/web/" + name)) {
                if (in == null) throw new IllegalStateException("/web/" + name + " is missing from the classpath");
                files.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Map.copyOf(files);
    }
}
