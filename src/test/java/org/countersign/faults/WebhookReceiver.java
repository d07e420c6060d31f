package org.countersign.faults;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.countersign.webhook.Secret;
import org.countersign.webhook.Signature;

/**
 * The deploy pipeline's webhook endpoint, on loopback: it checks every delivery's signature, answers 503 while
 * {@link #down()}, and remembers which delivery ids it took (answered 2xx) and which it turned away.
 */
final class WebhookReceiver implements AutoCloseable {
    static final String SECRET_ENV = "PIPELINE_WEBHOOK_SECRET";
    static final String SECRET = "a secret only the pipeline and Countersign know";

    private final Javalin app;
    private final Set<String> taken = ConcurrentHashMap.newKeySet();
    private final List<String> arrivals = new CopyOnWriteArrayList<>();
    private final List<String> turnedAway = new CopyOnWriteArrayList<>();
    private final List<String> forged = new CopyOnWriteArrayList<>();
    private final AtomicInteger posts = new AtomicInteger();
    private volatile boolean down;

    WebhookReceiver() {
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.post("/hook", this::receive);
        }).start("127.0.0.1", 0);
    }

    URI url() { return URI.create("http://127.0.0.1:" + app.port() + "/hook"); }

    void down() { down = true; }

    void up() { down = false; }

    /** Delivery ids answered 2xx, each once however often it came. */
    Set<String> taken() { return Set.copyOf(taken); }

    /** Delivery ids answered 2xx, in the order they arrived, repeats included. */
    List<String> arrivals() { return List.copyOf(arrivals); }

    List<String> turnedAway() { return List.copyOf(turnedAway); }

    /** Deliveries whose signature did not verify: none, ever. */
    List<String> forged() { return List.copyOf(forged); }

    int posts() { return posts.get(); }

    private void receive(Context ctx) {
        posts.incrementAndGet();
        var delivery = String.valueOf(ctx.header(Signature.DELIVERY));
        if (!Signature.verify(Secret.of(SECRET), ctx.header(Signature.TIMESTAMP), ctx.header(Signature.SIGNATURE),
                ctx.bodyAsBytes(), Instant.now())) {
            forged.add(delivery);
            ctx.status(401).result("{\"error\":\"bad signature\"}");
            return;
        }
        if (down) {
            turnedAway.add(delivery);
            ctx.status(503).result("{\"error\":\"deploy pipeline is down\"}");
            return;
        }
        taken.add(delivery);
        arrivals.add(delivery);
        ctx.status(200).result("{}");
    }

    @Override
    public void close() {
        app.stop();
    }
}
