package org.countersign.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.countersign.store.RedisKeyValues;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The watch over a real Redis, with a probe that answers what the test says the platform would. */
class PrivacyWatchTest {
    private static final Duration INTERVAL = Duration.ofMinutes(5);

    private final RedisKeyValues kv = new RedisKeyValues(TestRedis.client(), TestRedis.uniquePrefix());
    private final HandClock clock = new HandClock();
    private final Room room = new Room();
    private final List<PrivacyWatch> watches = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        watches.forEach(PrivacyWatch::close);
    }

    private PrivacyWatch watch() {
        var watch = new PrivacyWatch(room, kv, INTERVAL, clock);
        watches.add(watch);
        return watch;
    }

    @Test
    void a_place_never_checked_is_not_private() {
        assertThat(watch().problem()).contains("the security room !sec:example.org could not be checked to be private yet");
    }

    @Test
    void a_failed_check_before_any_answer_says_what_failed() {
        var watch = watch();
        room.down = true;

        watch.check();

        assertThat(watch.problem()).hasValueSatisfying(p -> assertThat(p).contains("could not be checked")
                .contains("the homeserver did not answer"));
    }

    @Test
    void a_private_answer_is_trusted_for_two_intervals_while_later_checks_fail_and_no_longer() {
        var watch = watch();
        watch.check();
        room.down = true;

        clock.advance(INTERVAL);
        watch.check();
        var withinTwoIntervals = watch.problem();
        clock.advance(INTERVAL);
        watch.check();

        assertThat(withinTwoIntervals).isEmpty();
        assertThat(watch.problem()).hasValueSatisfying(p -> assertThat(p)
                .contains("has not been checked to be private since").contains("the homeserver did not answer"));
    }

    @Test
    void an_exposed_answer_counts_at_once_even_right_after_a_private_one() {
        var watch = watch();
        watch.check();
        room.exposure = "its join rule is public";

        watch.check();

        assertThat(watch.problem()).contains("the security room !sec:example.org is not private (its join rule is public)");
        assertThat(watch.isPrivate()).isFalse();
    }

    @Test
    void two_instances_tell_the_ops_room_once_that_it_is_exposed_and_once_that_it_is_private_again() {
        var a = watch();
        var b = watch();
        room.exposure = "its join rule is public";
        a.check();
        b.check();
        a.check();
        room.exposure = null;
        a.check();
        b.check();

        assertThat(room.told).hasSize(2);
        assertThat(room.told.get(0)).contains("is not private (its join rule is public)")
                .contains("set MATRIX_SECURITY_ROOM_ID to a private one");
        assertThat(room.told.get(1)).contains("is private again");
    }

    @Test
    void a_place_private_from_the_start_is_not_announced_but_its_listeners_run_once() {
        var caughtUp = new AtomicInteger();
        var watch = watch().whenPrivate(caughtUp::incrementAndGet);

        watch.check();
        watch.check();
        room.exposure = "its history is world_readable";
        watch.check();
        room.exposure = null;
        watch.check();

        assertThat(caughtUp).hasValue(2);
        assertThat(room.told).hasSize(2);
    }

    /** A security room whose answers the test sets. */
    private static final class Room implements PrivacyWatch.Probe {
        volatile String exposure;
        volatile boolean down;
        final List<String> told = new CopyOnWriteArrayList<>();

        @Override
        public String platform() { return "test"; }

        @Override
        public String place() { return "!sec:example.org"; }

        @Override
        public String describe() { return "the security room !sec:example.org"; }

        @Override
        public String setting() { return "MATRIX_SECURITY_ROOM_ID"; }

        @Override
        public Optional<String> exposure() {
            if (down) throw new IllegalStateException("the homeserver did not answer");
            return Optional.ofNullable(exposure);
        }

        @Override
        public void tellOps(String text) { told.add(text); }
    }

    private static final class HandClock extends Clock {
        private volatile Instant now = Instant.parse("2026-12-01T12:00:00Z");

        void advance(Duration by) { now = now.plus(by); }

        @Override
        public Instant instant() { return now; }

        @Override
        public ZoneId getZone() { return ZoneOffset.UTC; }

        @Override
        public Clock withZone(ZoneId zone) { return this; }
    }
}
