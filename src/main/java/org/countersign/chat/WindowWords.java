package org.countersign.chat;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.stream.Collectors;
import org.countersign.domain.Windows;
import org.countersign.domain.Workflow;

/** What {@code windows} answers on every platform: the deployment windows and freezes as they stand. */
public final class WindowWords {
    static final int NEXT_WINDOWS = 5;

    private WindowWords() {}

    /** Where the deployment windows and freezes stand at {@code now}: the line the form shows, today's, the next. */
    public static String of(Windows windows, Instant now, Workflow workflow) {
        if (!windows.configured())
            return "The policy names no deployment windows and no freezes (windows: and freezes: in the policy file).";
        var out = new StringBuilder("Deployment windows (" + windows.zone().getId() + "):\n");
        windows.sentence(now).ifPresent(line -> out.append(line).append(".\n"));
        var today = windows.todays(now);
        out.append("Today, ").append(DateTimeFormatter.ofPattern("EEE d MMM", Locale.ENGLISH)
                .format(now.atZone(windows.zone()))).append(": ");
        out.append(today.isEmpty() ? "no window" : today.stream().map(w -> span(windows, w) + " " + w.label() + " ("
                + (w.contains(now) ? "open now" : w.end().isAfter(now) ? Windows.in(Duration.between(now, w.start()))
                : "over") + ")").collect(Collectors.joining("; "))).append('\n');
        var next = windows.upcoming(now, NEXT_WINDOWS);
        out.append("Next: ").append(next.isEmpty() ? "none" : next.stream().map(w -> windows.dayAndTime(w.start())
                .replaceFirst(" [^ ]+$", "") + "–" + windows.time(w.end()) + " " + w.label() + " ("
                + Windows.in(Duration.between(now, w.start())) + ")").collect(Collectors.joining("; ")));
        var day = now.atZone(windows.zone()).toLocalDate();
        var freezes = windows.freezes().stream().filter(f -> !f.to().isBefore(day)).toList();
        if (!freezes.isEmpty())
            out.append("\nFreezes: ").append(freezes.stream().map(f -> f.label() + ", " + f.from() + " to " + f.to()
                    + (f.teams().isEmpty() ? "" : " (" + workflow.labels(f.teams()) + " must approve too)"))
                    .collect(Collectors.joining("; ")));
        return out.toString();
    }

    private static String span(Windows windows, Windows.Window w) {
        return windows.time(w.start()).replaceFirst(" [^ ]+$", "") + "–" + windows.time(w.end());
    }
}
