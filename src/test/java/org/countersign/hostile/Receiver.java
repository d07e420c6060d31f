package org.countersign.hostile;

import io.javalin.Javalin;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A webhook endpoint on loopback that records every POST; the first {@code failFirst} get a 500. */
final class Receiver implements AutoCloseable {
    /** One POST as it arrived, headers in lower case. */
    record Received(Map<String, String> headers, String body) {}

    private final List<Received> all = new CopyOnWriteArrayList<>();
    private final AtomicInteger failures;
    private final Javalin app;

    Receiver() { this(0); }

    Receiver(int failFirst) {
        failures = new AtomicInteger(failFirst);
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.post("/*", ctx -> {
                var headers = new TreeMap<String, String>();
                ctx.headerMap().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v));
                all.add(new Received(headers, new String(ctx.bodyAsBytes(), StandardCharsets.UTF_8)));
                ctx.status(failures.getAndDecrement() > 0 ? 500 : 200).result("{}");
            });
        }).start("127.0.0.1", 0);
    }

    String url(String path) { return "http://127.0.0.1:" + app.port() + path; }

    List<Received> all() { return all; }

    String bodies() { return String.join("\n", all.stream().map(Received::body).toList()); }

    @Override
    public void close() { app.stop(); }
}
