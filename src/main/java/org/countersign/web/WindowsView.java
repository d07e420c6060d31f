package org.countersign.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.countersign.domain.Windows;
import org.countersign.domain.Workflow;

/**
 * Where the deployment windows and freezes stand, as the JSON API shows it: the window open now, the next, the freeze
 * on now, today's windows and the next ones, and the sentence the form and the card show. What is not there is
 * {@code null}, never left out, so a client can test {@code open == null}.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record WindowsView(Instant now, String timeZone, boolean configured, String sentence, WindowView open,
                   WindowView next, FreezeView freeze, List<WindowView> today, List<WindowView> upcoming,
                   List<FreezeView> freezes) {
    static final int UPCOMING = 10;

    record WindowView(String label, Instant start, Instant end) {
        static WindowView of(Windows.Window w) { return new WindowView(w.label(), w.start(), w.end()); }
    }

    /** A freeze; {@code from} and {@code to} are inclusive days, {@code until} the instant it ends. */
    record FreezeView(String label, LocalDate from, LocalDate to, Instant until, List<String> teams,
                      List<String> teamLabels) {}

    static WindowsView of(Windows windows, Instant now, Workflow workflow) {
        var standing = windows.at(now);
        var day = now.atZone(windows.zone()).toLocalDate();
        java.util.function.Function<Windows.Freeze, FreezeView> freeze = f -> new FreezeView(f.label(), f.from(), f.to(),
                windows.freezeEnds(f), f.teams(), f.teams().stream().map(workflow.policy()::teamLabel).toList());
        return new WindowsView(now, windows.zone().getId(), windows.configured(), windows.sentence(now).orElse(null),
                standing.open().map(WindowView::of).orElse(null), standing.next().map(WindowView::of).orElse(null),
                standing.freeze().map(freeze).orElse(null), windows.todays(now).stream().map(WindowView::of).toList(),
                windows.upcoming(now, UPCOMING).stream().map(WindowView::of).toList(),
                windows.freezes().stream().filter(f -> !f.to().isBefore(day)).map(freeze).toList());
    }
}
