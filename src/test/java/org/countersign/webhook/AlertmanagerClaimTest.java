package org.countersign.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.javalin.Javalin;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.countersign.chat.AlertNotice;
import org.countersign.chat.AlertSurface;
import org.countersign.store.DomainJson;
import org.countersign.web.Metrics;
import org.countersign.web.WebApp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The one-message-per-group bookkeeping on the real Redis, with rooms that are slow, fail or lose the message: the
 * room is the port under test here, so it is a stand-in that records what it was asked.
 */
class AlertmanagerClaimTest {
    private static final Duration DEADLINE = Duration.ofMillis(300);
    private final WebhookFixture countersign = new WebhookFixture();
    private final AlertmanagerPayloads group = AlertmanagerPayloads.firing("");
    private Javalin app;
    private AlertmanagerWebhook webhook;

    private int start(AlertSurface... rooms) {
        webhook = new AlertmanagerWebhook(AlertmanagerPayloads.TOKEN, List.of(rooms), countersign.kv, DEADLINE);
        app = WebApp.create(countersign.service, countersign.store::ping, new Metrics(countersign.store::countByState),
                DomainJson.mapper(), List.of(webhook)).start("127.0.0.1", 0);
        return app.port();
    }

    @AfterEach
    void stop() {
        if (app != null) app.stop();
        if (webhook != null) webhook.close();
        countersign.close();
    }

    @Test
    void a_room_slower_than_the_deadline_gets_503_and_the_retry_updates_the_message_the_slow_post_made() {
        var room = new Room("slow");
        room.hold = new CountDownLatch(1);
        int port = start(room);

        var first = AlertmanagerPayloads.post(port, group);
        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(first.body()).contains("did not answer within 300 ms");
        room.hold.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> room.posts.get() == 1);

        var retry = AlertmanagerPayloads.post(port, group);

        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).contains("\"slow\":\"updated\"");
        assertThat(room.posts).hasValue(1);
        assertThat(room.updates).containsExactly("message-1");
    }

    @Test
    void a_failed_post_releases_the_group_so_the_retry_posts_it() {
        var room = new Room("flaky");
        room.failures.set(1);
        int port = start(room);

        assertThat(AlertmanagerPayloads.post(port, group).statusCode()).isEqualTo(503);
        var retry = AlertmanagerPayloads.post(port, group);

        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).contains("\"flaky\":\"posted\"");
        assertThat(room.posts).hasValue(1);
    }

    @Test
    void a_deleted_message_is_posted_again() {
        var room = new Room("chat");
        int port = start(room);
        AlertmanagerPayloads.post(port, group);
        room.gone = true;

        var again = AlertmanagerPayloads.post(port, group);

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("\"chat\":\"posted\"");
        assertThat(room.posts).hasValue(2);
    }

    @Test
    void one_room_failing_does_not_keep_the_group_from_the_other_and_the_answer_is_503() {
        var broken = new Room("broken");
        broken.failures.set(Integer.MAX_VALUE);
        var working = new Room("working");
        int port = start(broken, working);

        var answer = AlertmanagerPayloads.post(port, group);

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.body()).contains("broken: the room is down");
        assertThat(working.posts).hasValue(1);
    }

    @Test
    void another_group_gets_a_message_of_its_own() {
        var room = new Room("chat");
        int port = start(room);

        AlertmanagerPayloads.post(port, group);
        AlertmanagerPayloads.post(port, AlertmanagerPayloads.firing("{instance=\"db-1\"}"));

        assertThat(room.posts).hasValue(2);
        assertThat(room.updates).isEmpty();
    }

    /** A room that numbers its messages and can be made slow, failing, or to have lost them. */
    private static final class Room implements AlertSurface {
        final String name;
        final AtomicInteger posts = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final List<String> updates = new CopyOnWriteArrayList<>();
        volatile CountDownLatch hold;
        volatile boolean gone;

        Room(String name) {
            this.name = name;
        }

        @Override
        public String name() { return name; }

        @Override
        public String post(AlertNotice notice) {
            if (failures.getAndDecrement() > 0) throw new IllegalStateException("the room is down");
            try {
                if (hold != null && !hold.await(5, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return "message-" + posts.incrementAndGet();
        }

        @Override
        public void update(String where, AlertNotice notice) {
            if (gone) {
                gone = false;
                throw new Gone(where + " was deleted");
            }
            updates.add(where);
        }
    }
}
