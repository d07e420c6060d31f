package org.countersign.webhook;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.countersign.app.KeyValues;
import org.countersign.app.StoreUnavailable;
import org.countersign.chat.AlertNotice;
import org.countersign.chat.AlertSurface;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /webhooks/alertmanager}: Prometheus Alertmanager's webhook (payload version 4), with
 * {@code Authorization: Bearer <ALERTMANAGER_TOKEN>}. Each alert group gets one message per chat room, posted when it
 * first fires and changed in place after that (still firing, resolved, firing again).
 *
 * <p>The chat calls are made before answering, bounded by a short deadline: 200 means every room shows the group;
 * 503 means a room did not take it (or did not answer in time) and Alertmanager, which retries 5xx answers, sends it
 * again. Nothing is queued here, so nothing is lost when Countersign stops. 401 bad token; 400 a body that is not
 * Alertmanager's, which Alertmanager does not retry.
 *
 * <p>One message per group, across retries, Alertmanager replicas and Countersign instances: the first delivery
 * claims the group's key with a put-if-absent before posting; the others wait for its message and update it.
 */
public final class AlertmanagerWebhook implements Consumer<RoutesConfig>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertmanagerWebhook.class);
    public static final String PATH = "/webhooks/alertmanager";
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(5);
    /** How long a claim holds when its poster dies mid-post; the next delivery after it posts. */
    static final Duration CLAIM = Duration.ofMinutes(2);
    static final Duration FIRING_MEMORY = Duration.ofDays(30);
    /** A group that fires again within this time of resolving is shown in its old message; later, in a new one. */
    static final Duration RESOLVED_MEMORY = Duration.ofHours(1);
    static final long RETRY_AFTER_SECONDS = 10;
    private static final String CLAIMED = "claimed:";
    private static final Duration POLL = Duration.ofMillis(50);

    private final byte[] tokenDigest;
    private final List<AlertSurface> rooms;
    private final KeyValues kv;
    private final Duration deadline;
    private final ExecutorService chat;

    public AlertmanagerWebhook(String token, List<AlertSurface> rooms, KeyValues kv) {
        this(token, rooms, kv, DEFAULT_DEADLINE);
    }

    AlertmanagerWebhook(String token, List<AlertSurface> rooms, KeyValues kv, Duration deadline) {
        if (token == null || token.isBlank()) throw new IllegalArgumentException("the Alertmanager token is blank");
        this.tokenDigest = sha256(token);
        this.rooms = List.copyOf(rooms);
        this.kv = kv;
        this.deadline = deadline;
        // Bounded both ways: a hung chat platform costs 4 threads and a short queue, then deliveries get 503.
        this.chat = new ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64), r -> {
            var t = new Thread(r, "alertmanager-chat");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.post(PATH, this::handle);
    }

    @Override
    public void close() {
        chat.shutdown();
    }

    private void handle(Context ctx) {
        var authorization = ctx.header("Authorization");
        if (authorization == null || authorization.isBlank()) {
            unauthorized(ctx, "Missing Authorization header; in the Alertmanager receiver set "
                    + "http_config.authorization.credentials to ALERTMANAGER_TOKEN");
            return;
        }
        if (!authorized(authorization)) {
            unauthorized(ctx, "Wrong bearer token; Countersign takes \"Authorization: Bearer <ALERTMANAGER_TOKEN>\"");
            return;
        }
        var parsed = AlertmanagerGroup.parse(ctx.bodyAsBytes());
        if (parsed instanceof AlertmanagerGroup.Invalid invalid) {
            answer(ctx, 400, Map.of("error", invalid.problem()));
            return;
        }
        var group = ((AlertmanagerGroup.Valid) parsed).group();
        var body = new LinkedHashMap<String, Object>();
        body.put("group", group.id());
        body.put("status", group.firing() ? "firing" : "resolved");
        if (rooms.isEmpty()) {
            body.put("message", "Neither Slack nor Matrix is configured, so nothing was posted");
            answer(ctx, 200, body);
            return;
        }
        try {
            body.putAll(chat.submit(() -> showEverywhere(group)).get(deadline.toMillis(), TimeUnit.MILLISECONDS));
            answer(ctx, 200, body);
        } catch (TimeoutException e) {
            // The call goes on: it stores its message or drops its claim, and the retry updates or posts.
            retryLater(ctx, "Chat did not answer within " + deadline.toMillis() + " ms; Alertmanager will send this "
                    + "group again");
        } catch (RejectedExecutionException e) {
            retryLater(ctx, "Too many alert notifications are waiting on chat; Alertmanager will send this group again");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StoreUnavailable unavailable) throw unavailable;
            log.warn("alert group {} not shown: {}", group.id(), e.getCause().getMessage());
            retryLater(ctx, e.getCause().getMessage() + "; Alertmanager will send this group again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            retryLater(ctx, "Countersign is stopping; Alertmanager will send this group again");
        }
    }

    /** Shows the group in every room; one room failing does not keep it from the others. */
    private Map<String, String> showEverywhere(AlertmanagerGroup group) {
        var notice = group.notice();
        var shown = new LinkedHashMap<String, String>();
        var failures = new ArrayList<String>();
        for (var room : rooms) {
            try {
                shown.put(room.name(), show(room, notice));
            } catch (StoreUnavailable e) {
                throw e;
            } catch (RuntimeException e) {
                failures.add(room.name() + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) throw new IllegalStateException("Not shown in " + String.join("; ", failures));
        return shown;
    }

    /** "posted" or "updated". */
    private String show(AlertSurface room, AlertNotice notice) {
        var key = "alertmanager:" + room.name() + ":" + notice.id();
        var memory = notice.firing() ? FIRING_MEMORY : RESOLVED_MEMORY;
        long waitUntil = System.nanoTime() + deadline.toNanos();
        while (true) {
            var where = kv.get(key);
            if (where.isEmpty()) {
                if (!kv.putIfAbsent(key, CLAIMED + UUID.randomUUID(), CLAIM)) continue;
                String posted;
                try {
                    posted = room.post(notice);
                } catch (RuntimeException e) {
                    kv.delete(key);
                    throw e;
                }
                kv.put(key, posted, memory);
                return "posted";
            }
            if (where.get().startsWith(CLAIMED)) {
                if (System.nanoTime() > waitUntil)
                    throw new IllegalStateException("another delivery of this group is still being posted");
                pause();
                continue;
            }
            try {
                room.update(where.get(), notice);
            } catch (AlertSurface.Gone e) {
                log.info("alert group {}: {}; posting it again", notice.id(), e.getMessage());
                kv.delete(key);
                continue;
            }
            kv.put(key, where.get(), memory);
            return "updated";
        }
    }

    /** Constant time, and the same time whatever the length: digests are compared, never the tokens. */
    private boolean authorized(String header) {
        var parts = header.strip().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].toLowerCase(Locale.ROOT).equals("bearer")) return false;
        return MessageDigest.isEqual(tokenDigest, sha256(parts[1].strip()));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while another delivery was posting this group", e);
        }
    }

    private static void unauthorized(Context ctx, String message) {
        ctx.header("WWW-Authenticate", "Bearer");
        answer(ctx, 401, Map.of("error", message));
    }

    private static void retryLater(Context ctx, String message) {
        ctx.header("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
        answer(ctx, 503, Map.of("error", message));
    }

    private static void answer(Context ctx, int status, Map<String, ?> body) {
        ctx.status(status).contentType("application/json").result(WebhookJson.bytes(body));
    }
}
