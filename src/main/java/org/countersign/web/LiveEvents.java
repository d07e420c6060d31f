package org.countersign.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.countersign.app.EventFeed;
import org.countersign.app.StoreUnavailable;
import org.countersign.domain.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the events stream (no consumer group: every instance reads every event) and pushes each event to the
 * browsers connected to this instance by Server-Sent Events. An event says only which request changed, its
 * type and its new state, never its text, so a confidential request's details never travel here; pages fetch
 * what they show through the same checks as any other request.
 */
public final class LiveEvents implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveEvents.class);
    static final Duration BLOCK = Duration.ofSeconds(2);
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final EventFeed feed;
    private final ObjectMapper json;
    private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private Thread thread;

    public LiveEvents(EventFeed feed, ObjectMapper json) {
        this.feed = feed;
        this.json = json;
    }

    /**
     * Starts tailing on a thread of its own, from the events written after now. "Now" is read here, before the
     * thread starts: read by the thread, an event written in between (a browser that connected and acted at once)
     * would be taken for the start and never shown.
     */
    public synchronized LiveEvents start() {
        if (thread != null) return this;
        running = true;
        String from;
        try {
            from = feed.newest();
        } catch (StoreUnavailable e) {
            from = null; // the loop reads it once Redis answers; nothing was written meanwhile
        }
        var start = from;
        thread = new Thread(() -> run(start), "live-events");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Keeps the browser's connection open until it leaves; what it is sent comes from {@link #run}. */
    void connect(SseClient client) {
        client.keepAlive();
        client.onClose(() -> clients.remove(client));
        clients.add(client);
        client.sendComment("connected");
    }

    int connected() { return clients.size(); }

    private void run(String from) {
        String position = from;
        long lastBeat = System.nanoTime();
        while (running) {
            try {
                var tail = feed.tail(position, 100, BLOCK);
                position = tail.position();
                for (var delivery : tail.deliveries()) broadcast(delivery.deliveryId(), delivery.event());
                if (System.nanoTime() - lastBeat > HEARTBEAT.toNanos()) {
                    lastBeat = System.nanoTime();
                    // Finds browsers that left without saying so, and keeps proxies from closing idle connections.
                    clients.forEach(c -> send(c, () -> c.sendComment("heartbeat")));
                }
            } catch (StoreUnavailable e) {
                if (!running) return;
                log.warn("live events: events stream unavailable ({}); retrying", e.getMessage());
                pause();
            } catch (RuntimeException e) {
                if (!running) return;
                log.error("live events: tailing failed; retrying", e);
                pause();
            }
        }
    }

    private void broadcast(String streamId, Event event) {
        String data;
        try {
            data = json.writeValueAsString(Map.of("id", event.id(), "type", event.type().wire(),
                    "request", event.request().toString(), "state", event.state().name()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot write a live event", e);
        }
        clients.forEach(c -> send(c, () -> c.sendEvent("request", data, streamId)));
    }

    private void send(SseClient client, Runnable send) {
        if (client.terminated()) {
            clients.remove(client);
            return;
        }
        try {
            send.run();
        } catch (RuntimeException e) {
            clients.remove(client);
        }
    }

    private void pause() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        // Ends each open stream while the server still runs (Main stops this before the web server): a stream
        // whose request the server already dropped must not be touched.
        clients.forEach(c -> {
            clients.remove(c);
            if (c.terminated()) return;
            try {
                c.close();
            } catch (RuntimeException e) {
                log.debug("closing a live stream: {}", e.toString());
            }
        });
        // Not joined: the thread may sit in a blocking read for up to BLOCK, and ends by itself after it.
        if (thread != null) thread.interrupt();
    }
}
