package org.countersign.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Windows;
import org.countersign.domain.Workflow;
import org.junit.jupiter.api.Test;

/** The words of {@code windows} at fixed times: the line of the form, today's windows, the next, the freezes. */
class ConversationWindowsTest {
    static final Windows WINDOWS = new Windows(ZoneId.of("UTC"), List.of(new Windows.Weekly(
            EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY),
            LocalTime.of(7, 0), LocalTime.of(8, 0), "UTC morning backport window")), List.of(new Windows.Freeze(
            LocalDate.parse("2026-12-20"), LocalDate.parse("2027-01-04"), "End of year", List.of("security"))));
    static final Workflow WORKFLOW = new Workflow(TestPolicies.standard());

    @Test
    void inside_a_window_today_says_it_is_open_and_lists_the_next_ones() {
        var text = WindowWords.of(WINDOWS, Instant.parse("2026-11-30T07:30:00Z"), WORKFLOW);

        assertThat(text).isEqualTo("""
                Deployment windows (UTC):
                A window is open now until 08:00 UTC: consider the normal train.
                Today, Mon 30 Nov: 07:00–08:00 UTC UTC morning backport window (open now)
                Next: Tue 07:00–08:00 UTC UTC morning backport window (in 23 h); \
                Wed 07:00–08:00 UTC UTC morning backport window (in 47 h); \
                Thu 07:00–08:00 UTC UTC morning backport window (in 3 d); \
                Mon 07:00–08:00 UTC UTC morning backport window (in 7 d); \
                Tue 07:00–08:00 UTC UTC morning backport window (in 8 d)
                Freezes: End of year, 2026-12-20 to 2027-01-04 (Security must approve too)""");
    }

    @Test
    void after_todays_window_it_is_over_and_the_line_says_when_the_next_opens() {
        var text = WindowWords.of(WINDOWS, Instant.parse("2026-11-30T09:00:00Z"), WORKFLOW);

        assertThat(text).contains("No deployment window is open; the next is Tue 07:00 UTC (in 22 h).")
                .contains("Today, Mon 30 Nov: 07:00–08:00 UTC UTC morning backport window (over)");
    }

    @Test
    void without_windows_it_says_the_policy_names_none() {
        assertThat(WindowWords.of(Windows.none(), Instant.parse("2026-11-30T09:00:00Z"), WORKFLOW))
                .startsWith("The policy names no deployment windows and no freezes");
    }
}
