package org.countersign.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The answers to presses, held behind a card pipeline that is behind, one let go per card it finishes. */
class CardBacklogTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<String> waited = new CopyOnWriteArrayList<>();
    private final CardBacklog backlog = new CardBacklog(2, Duration.ofSeconds(30), Duration.ofMillis(250), now::get,
            new Telemetry() {
                @Override
                public void answerWaited(String platform, long nanos) {
                    waited.add(platform + " " + Duration.ofNanos(nanos).toMillis() + " ms");
                }
            }, "slack");

    @Test
    void an_answer_goes_at_once_while_the_pipeline_holds_no_more_than_its_room() {
        backlog.taken();
        backlog.taken();
        assertThat(backlog.turn()).isDone();
        assertThat(backlog.waiting()).isZero();
    }

    @Test
    void behind_answers_wait_and_as_the_pipeline_gets_back_within_its_room_as_many_go_as_it_has_room_for() {
        for (int i = 0; i < 5; i++) backlog.taken();
        var a = backlog.turn();
        var b = backlog.turn();
        var c = backlog.turn();
        var d = backlog.turn();
        backlog.finished(); // 4 left
        backlog.finished(); // 3 left: still more than the room of 2
        assertThat(a).isNotDone();

        backlog.finished(); // 2 left: room for one
        assertThat(a).isDone();
        assertThat(b).isNotDone();
        backlog.finished(); // 1 left: room for two
        assertThat(b).isDone();
        assertThat(c).isDone();
        assertThat(d).isNotDone();
        backlog.finished(); // none left
        assertThat(d).isDone();
        assertThat(backlog.waiting()).isZero();
    }

    @Test
    void a_press_that_comes_while_others_wait_waits_behind_them() {
        for (int i = 0; i < 4; i++) backlog.taken();
        var first = backlog.turn();
        backlog.finished(); // 3 left
        var later = backlog.turn();
        backlog.finished(); // 2 left: room for one, the oldest
        assertThat(first).isDone();
        assertThat(later).isNotDone();
    }

    @Test
    void a_press_whose_answer_went_sets_off_more_events_without_letting_more_answers_go() {
        for (int i = 0; i < 3; i++) backlog.taken();
        var waiting = backlog.turn();
        backlog.finished(); // 2 left: the answer goes
        assertThat(waiting).isDone();
        backlog.taken(); // that press completed its request: two events
        backlog.taken();
        var next = backlog.turn();
        backlog.finished(); // 3 left
        assertThat(next).isNotDone();
    }

    @Test
    void a_pipeline_that_finished_nothing_for_a_while_is_waiting_on_its_platform_and_holds_no_answer() {
        for (int i = 0; i < 5; i++) backlog.taken();
        var held = backlog.turn();
        assertThat(held).isNotDone();

        now.addAndGet(Duration.ofMillis(251).toNanos());
        assertThat(backlog.turn()).as("an answer after the stall").isDone();
        assertThat(held).as("the one waiting since before it").isDone();
    }

    @Test
    void a_pipeline_busy_after_being_idle_counts_its_first_wait_from_when_it_went_busy() {
        now.addAndGet(Duration.ofMinutes(5).toNanos()); // idle: nothing to finish
        for (int i = 0; i < 5; i++) backlog.taken();
        assertThat(backlog.turn()).isNotDone();
    }

    @Test
    void an_answer_never_waits_longer_than_the_most() {
        var quick = new CardBacklog(0, Duration.ofMillis(50), Duration.ofMinutes(1), System::nanoTime,
                Telemetry.NONE, "slack");
        quick.taken();
        quick.taken();
        var turn = quick.turn();
        assertThat(turn).isNotDone();
        await().atMost(Duration.ofSeconds(5)).until(turn::isDone);
        assertThat(quick.held()).isEqualTo(2);
    }

    @Test
    void an_answer_that_waited_is_counted_with_how_long_it_waited_and_one_that_did_not_is_not() {
        backlog.taken();
        backlog.turn();
        backlog.taken();
        backlog.taken();
        var held = backlog.turn();
        now.addAndGet(Duration.ofMillis(40).toNanos());
        backlog.finished();
        assertThat(held).isDone();
        assertThat(waited).containsExactly("slack 40 ms");
    }

    @Test
    void a_room_below_zero_is_refused_with_its_value() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new CardBacklog(-1, Duration.ofSeconds(1), Duration.ofSeconds(1), System::nanoTime,
                        Telemetry.NONE, "slack"))
                .hasMessage("room < 0: -1");
    }
}
