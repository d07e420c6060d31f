package org.countersign.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class WindowsTest {
    static final ZoneId UTC = ZoneId.of("UTC");
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final Set<DayOfWeek> MON_TO_THU = EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY,
            DayOfWeek.THURSDAY);
    static final Windows.Freeze END_OF_YEAR = new Windows.Freeze(LocalDate.parse("2026-12-20"),
            LocalDate.parse("2027-01-04"), "End of year", List.of("security"));

    static Windows.Weekly weekly(Set<DayOfWeek> days, String from, String to) {
        return new Windows.Weekly(days, LocalTime.parse(from), LocalTime.parse(to), "backport window");
    }

    static Windows morning(ZoneId zone, Windows.Freeze... freezes) {
        return new Windows(zone, List.of(weekly(MON_TO_THU, "07:00", "08:00")), List.of(freezes));
    }

    static Instant at(String utc) { return Instant.parse(utc); }

    @Nested
    class WeeklyWindows {
        @Test
        void on_a_sunday_night_the_next_window_is_monday_morning_in_9_hours() {
            assertThat(morning(UTC).sentence(at("2026-11-29T22:00:00Z")))
                    .contains("No deployment window is open; the next is Mon 07:00 UTC (in 9 h)");
        }

        @Test
        void inside_a_window_it_is_open_until_its_end_and_suggests_the_normal_train() {
            var windows = morning(UTC);
            var now = at("2026-11-30T07:30:00Z");

            assertThat(windows.at(now).open()).map(Windows.Window::end).contains(at("2026-11-30T08:00:00Z"));
            assertThat(windows.sentence(now)).contains("A window is open now until 08:00 UTC: consider the normal train");
        }

        @Test
        void a_window_is_open_from_its_first_minute_and_closed_at_its_last() {
            var windows = morning(UTC);

            assertThat(windows.at(at("2026-11-30T07:00:00Z")).open()).isPresent();
            assertThat(windows.at(at("2026-11-30T08:00:00Z")).open()).isEmpty();
            assertThat(windows.at(at("2026-11-30T08:00:00Z")).next()).map(Windows.Window::start)
                    .contains(at("2026-12-01T07:00:00Z"));
        }

        @Test
        void on_a_friday_the_next_window_is_after_the_weekend() {
            var now = at("2026-12-04T09:00:00Z");

            assertThat(morning(UTC).next(now)).map(Windows.Window::start).contains(at("2026-12-07T07:00:00Z"));
            assertThat(morning(UTC).sentence(now)).contains("No deployment window is open; the next is Mon 07:00 UTC (in 3 d)");
        }

        @Test
        void today_and_the_next_windows_are_listed_in_order() {
            var windows = morning(UTC);
            var now = at("2026-12-02T06:44:00Z"); // a Wednesday

            assertThat(windows.todays(now)).extracting(Windows.Window::start).containsExactly(at("2026-12-02T07:00:00Z"));
            assertThat(windows.upcoming(now, 3)).extracting(Windows.Window::start).containsExactly(
                    at("2026-12-02T07:00:00Z"), at("2026-12-03T07:00:00Z"), at("2026-12-07T07:00:00Z"));
        }

        @Test
        void without_windows_or_freezes_nothing_is_said() {
            assertThat(Windows.none().sentence(at("2026-12-02T06:44:00Z"))).isEmpty();
            assertThat(Windows.none().configured()).isFalse();
        }
    }

    @Nested
    class AcrossMidnight {
        final Windows night = new Windows(UTC, List.of(weekly(EnumSet.of(DayOfWeek.FRIDAY), "22:00", "02:00")),
                List.of());

        @Test
        void a_window_from_22_to_02_is_open_after_midnight_on_the_next_day() {
            var now = at("2026-12-05T01:30:00Z"); // Saturday, a day the window does not name

            assertThat(night.at(now).open()).map(Windows.Window::end).contains(at("2026-12-05T02:00:00Z"));
            assertThat(night.sentence(now)).contains("A window is open now until 02:00 UTC: consider the normal train");
        }

        @Test
        void it_closes_at_02_and_opens_again_the_next_friday_at_22() {
            assertThat(night.at(at("2026-12-05T02:00:00Z")).open()).isEmpty();
            assertThat(night.next(at("2026-12-05T02:00:00Z"))).map(Windows.Window::start)
                    .contains(at("2026-12-11T22:00:00Z"));
        }

        @Test
        void a_minute_before_it_opens_the_next_is_in_1_minute() {
            assertThat(night.sentence(at("2026-12-04T21:59:00Z")))
                    .contains("No deployment window is open; the next is Fri 22:00 UTC (in 1 min)");
        }
    }

    @Nested
    class DaylightSavingTime {
        final Windows daily = new Windows(BERLIN, List.of(weekly(EnumSet.allOf(DayOfWeek.class), "07:00", "08:00")),
                List.of());

        @Test
        void a_berlin_morning_window_is_at_06_utc_in_winter_and_05_utc_in_summer() {
            assertThat(daily.next(at("2026-03-28T00:00:00Z"))).map(Windows.Window::start).contains(at("2026-03-28T06:00:00Z"));
            // Clocks go forward at 01:00 UTC on Sunday 29 March.
            assertThat(daily.next(at("2026-03-29T00:00:00Z"))).map(Windows.Window::start).contains(at("2026-03-29T05:00:00Z"));
        }

        @Test
        void the_time_is_said_in_the_zone_with_its_summer_or_winter_name() {
            assertThat(daily.sentence(at("2026-03-29T05:30:00Z")))
                    .contains("A window is open now until 08:00 CEST: consider the normal train");
            assertThat(daily.sentence(at("2026-03-28T06:30:00Z")))
                    .contains("A window is open now until 08:00 CET: consider the normal train");
        }

        @Test
        void a_night_window_across_the_spring_change_is_an_hour_shorter_and_across_the_autumn_one_longer() {
            // Five hours on an ordinary night.
            var night = new Windows(BERLIN, List.of(weekly(EnumSet.of(DayOfWeek.SATURDAY), "22:00", "03:00")), List.of());

            var spring = night.next(at("2026-03-28T12:00:00Z")).orElseThrow();
            var autumn = night.next(at("2026-10-24T12:00:00Z")).orElseThrow();

            assertThat(Duration.between(spring.start(), spring.end())).isEqualTo(Duration.ofHours(4));
            assertThat(Duration.between(autumn.start(), autumn.end())).isEqualTo(Duration.ofHours(6));
            assertThat(night.at(at("2026-03-29T00:59:00Z")).open()).isPresent(); // 01:59 CET, just before 03:00 CEST
            assertThat(night.at(at("2026-10-25T00:30:00Z")).open()).isPresent(); // 02:30 CEST, just before the clocks go back
        }
    }

    @Nested
    class Freezes {
        @Test
        void a_freeze_says_its_label_and_its_last_day() {
            assertThat(morning(UTC, END_OF_YEAR).sentence(at("2026-12-21T07:30:00Z")))
                    .contains("Deployment freeze: End of year (until 2027-01-04)");
        }

        @Test
        void the_last_day_of_a_freeze_is_frozen_to_its_last_second_and_the_day_after_is_not() {
            var windows = morning(UTC, END_OF_YEAR);

            assertThat(windows.freezeAt(at("2026-12-19T23:59:59Z"))).isEmpty();
            assertThat(windows.freezeAt(at("2026-12-20T00:00:00Z"))).contains(END_OF_YEAR);
            assertThat(windows.freezeAt(at("2027-01-04T23:59:59Z"))).contains(END_OF_YEAR);
            assertThat(windows.freezeAt(at("2027-01-05T00:00:00Z"))).isEmpty();
            assertThat(windows.freezeEnds(END_OF_YEAR)).isEqualTo(at("2027-01-05T00:00:00Z"));
        }

        @Test
        void a_freeze_boundary_is_in_the_windows_time_zone() {
            var windows = morning(BERLIN, END_OF_YEAR);

            // 23:30 UTC on the last day is already the next day in Berlin.
            assertThat(windows.freezeAt(at("2027-01-04T22:59:59Z"))).contains(END_OF_YEAR);
            assertThat(windows.freezeAt(at("2027-01-04T23:00:00Z"))).isEmpty();
        }

        @Test
        void no_window_opens_during_a_freeze_so_the_next_is_the_first_after_it() {
            var windows = morning(UTC, END_OF_YEAR);

            assertThat(windows.at(at("2026-12-21T07:30:00Z")).open()).isEmpty(); // a Monday, in the window's hours
            assertThat(windows.next(at("2026-12-21T07:30:00Z"))).map(Windows.Window::start)
                    .contains(at("2027-01-05T07:00:00Z"));
        }

        @Test
        void a_freeze_names_the_extra_teams_a_request_opened_during_it_needs() {
            var windows = morning(UTC, END_OF_YEAR);

            assertThat(windows.extraTeams(at("2026-12-24T12:00:00Z"))).containsExactly("security");
            assertThat(windows.extraTeams(at("2027-01-05T00:00:00Z"))).isEmpty();
        }
    }

    @Test
    void waits_are_said_in_minutes_hours_or_days() {
        assertThat(Windows.in(Duration.ofSeconds(30))).isEqualTo("in 1 min");
        assertThat(Windows.in(Duration.ofMinutes(25))).isEqualTo("in 25 min");
        assertThat(Windows.in(Duration.ofMinutes(90))).isEqualTo("in 1 h 30 min");
        assertThat(Windows.in(Duration.ofHours(9))).isEqualTo("in 9 h");
        assertThat(Windows.in(Duration.ofHours(30))).isEqualTo("in 30 h");
        assertThat(Windows.in(Duration.ofHours(70))).isEqualTo("in 3 d");
        assertThat(Windows.in(Duration.ofDays(3))).isEqualTo("in 3 d");
    }
}
