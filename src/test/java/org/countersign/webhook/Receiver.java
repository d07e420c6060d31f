package org.countersign.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A webhook endpoint on loopback: records every POST, answers what the test enqueued, then {@code otherwise}. */
final class Receiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One POST as it arrived. */
    record Received(Map<String, String> headers, byte[] body, Instant at) {
        String header(String name) { return headers.get(name.toLowerCase(java.util.Locale.ROOT)); }

        String text() { return new String(body, StandardCharsets.UTF_8); }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + text(), e);
            }
        }
    }

    /** What to answer: a status, after a delay. */
    record Answer(int status, Duration delay, String body) {
        static Answer status(int status) { return new Answer(status, Duration.ZERO, "{}"); }

        static Answer after(Duration delay) { return new Answer(200, delay, "{}"); }
    }

    private final BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
    private final List<Received> all = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Answer> next = new ConcurrentLinkedQueue<>();
    private volatile Answer otherwise = Answer.status(200);
    private final Javalin app;

    Receiver() {
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.post("/*", this::handle);
        }).start("127.0.0.1", 0);
    }

    URI url() { return URI.create("http://127.0.0.1:" + app.port() + "/hook"); }

    Receiver answer(Answer... answers) {
        next.addAll(List.of(answers));
        return this;
    }

    Receiver otherwise(Answer answer) {
        otherwise = answer;
        return this;
    }

    /** The next POST, waiting up to 5 s for it. */
    Received take() throws InterruptedException {
        var r = inbox.poll(5, TimeUnit.SECONDS);
        if (r == null) throw new AssertionError("no webhook arrived within 5 s");
        return r;
    }

    /** Every POST so far. */
    List<Received> all() { return all; }

    private void handle(Context ctx) throws InterruptedException {
        var headers = new TreeMap<String, String>();
        ctx.headerMap().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v));
        var received = new Received(headers, ctx.bodyAsBytes(), Instant.now());
        all.add(received);
        inbox.add(received);
        var answer = next.poll();
        if (answer == null) answer = otherwise;
        if (!answer.delay().isZero()) Thread.sleep(answer.delay().toMillis());
        ctx.status(answer.status()).contentType("application/json").result(answer.body());
    }

    @Override
    public void close() {
        app.stop();
    }
}
