package org.countersign.domain;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The regular deployment windows (the normal train) and the freezes, in one time zone. Pure: every answer is for an
 * instant it is given. A window whose {@code to} is not after its {@code from} runs across midnight into the next
 * day; a freeze's dates are inclusive (its {@code to} is its last day); no window opens during a freeze.
 */
public final class Windows {
    /** How far ahead the next window is looked for (a freeze may push it weeks away). */
    static final int LOOK_AHEAD_DAYS = 400;

    /** Every week on {@code days}, from {@code from} to {@code to} (the next day when {@code to} is not after it). */
    public record Weekly(Set<DayOfWeek> days, LocalTime from, LocalTime to, String label) {
        public Weekly {
            days = days.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(days));
        }

        boolean acrossMidnight() { return !to.isAfter(from); }
    }

    /** No deployments from {@code from} to {@code to} (both days included); {@code teams} must sign too. */
    public record Freeze(LocalDate from, LocalDate to, String label, List<String> teams) {
        public Freeze {
            teams = List.copyOf(teams);
        }
    }

    /** One occurrence of a weekly window. */
    public record Window(String label, Instant start, Instant end) {
        public boolean contains(Instant t) { return !t.isBefore(start) && t.isBefore(end); }
    }

    /**
     * Where we stand at {@code now}: the window open now, the next one to open, the freeze on now (each when there is
     * one).
     */
    public record Standing(Instant now, Optional<Window> open, Optional<Window> next, Optional<Freeze> freeze) {}

    private final ZoneId zone;
    private final List<Weekly> weekly;
    private final List<Freeze> freezes;

    public Windows(ZoneId zone, List<Weekly> weekly, List<Freeze> freezes) {
        this.zone = zone == null ? ZoneOffset.UTC : zone;
        this.weekly = List.copyOf(weekly);
        this.freezes = List.copyOf(freezes);
    }

    /** No windows and no freezes: Countersign says nothing about them. */
    public static Windows none() { return new Windows(ZoneOffset.UTC, List.of(), List.of()); }

    public ZoneId zone() { return zone; }

    public List<Weekly> weekly() { return weekly; }

    public List<Freeze> freezes() { return freezes; }

    /** Whether the policy names any window or freeze. */
    public boolean configured() { return !weekly.isEmpty() || !freezes.isEmpty(); }

    /** What is wrong with these windows and freezes, each a sentence naming where. */
    List<String> problems(java.util.Map<String, Team> teams) {
        var problems = new ArrayList<String>();
        for (int i = 0; i < weekly.size(); i++) {
            var w = weekly.get(i);
            if (w.days().isEmpty()) problems.add("windows.weekly[" + i + "] names no days");
            if (w.from().equals(w.to()))
                problems.add("windows.weekly[" + i + "] opens and closes at " + w.from() + "; give a to after from "
                        + "(or before it, for a window across midnight)");
        }
        for (int i = 0; i < freezes.size(); i++) {
            var f = freezes.get(i);
            if (f.to().isBefore(f.from()))
                problems.add("freezes[" + i + "] ends (" + f.to() + ") before it starts (" + f.from() + ")");
            for (var t : f.teams())
                if (!teams.containsKey(t))
                    problems.add("freezes[" + i + "] requires unknown team " + t + " (known: "
                            + String.join(", ", teams.keySet()) + ")");
        }
        return problems;
    }

    /** Where we stand at {@code now}. */
    public Standing at(Instant now) {
        var freeze = freezeAt(now);
        var open = freeze.isPresent() ? Optional.<Window>empty()
                : occurrences(today(now).minusDays(1), today(now)).stream().filter(w -> w.contains(now)).findFirst();
        return new Standing(now, open, next(now), freeze);
    }

    /** The freeze on at {@code now}, if any (the first the policy lists when several overlap). */
    public Optional<Freeze> freezeAt(Instant now) {
        var day = today(now);
        return freezes.stream().filter(f -> !day.isBefore(f.from()) && !day.isAfter(f.to())).findFirst();
    }

    /** The teams the freezes on at {@code now} require besides the reason's. */
    public List<String> extraTeams(Instant now) {
        var day = today(now);
        return freezes.stream().filter(f -> !day.isBefore(f.from()) && !day.isAfter(f.to()))
                .flatMap(f -> f.teams().stream()).distinct().toList();
    }

    /** The next window to open after {@code now}, outside every freeze. */
    public Optional<Window> next(Instant now) {
        var day = today(now);
        for (int i = 0; i <= LOOK_AHEAD_DAYS && !weekly.isEmpty(); i++) {
            var found = occurrences(day.plusDays(i), day.plusDays(i)).stream().filter(w -> w.start().isAfter(now))
                    .findFirst();
            if (found.isPresent()) return found;
        }
        return Optional.empty();
    }

    /** The windows that open today (in the windows' time zone), frozen ones left out. */
    public List<Window> todays(Instant now) { return occurrences(today(now), today(now)); }

    /** The next {@code count} windows to open after {@code now}, outside every freeze. */
    public List<Window> upcoming(Instant now, int count) {
        var result = new ArrayList<Window>();
        var day = today(now);
        for (int i = 0; i <= LOOK_AHEAD_DAYS && result.size() < count && !weekly.isEmpty(); i++)
            for (var w : occurrences(day.plusDays(i), day.plusDays(i)))
                if (w.start().isAfter(now) && result.size() < count) result.add(w);
        return result;
    }

    /**
     * One line saying where we stand, as the form and the card show it: {@code No deployment window is open; the next
     * is Mon 07:00 UTC (in 9 h)}; empty when the policy names no windows and no freeze is on.
     */
    public Optional<String> sentence(Instant now) {
        var standing = at(now);
        if (standing.freeze().isPresent()) return Optional.of(freezeLine(standing.freeze().get()));
        if (standing.open().isPresent())
            return Optional.of("A window is open now until " + time(standing.open().get().end())
                    + ": consider the normal train");
        if (weekly.isEmpty()) return Optional.empty();
        return Optional.of("No deployment window is open" + standing.next()
                .map(w -> "; the next is " + dayAndTime(w.start()) + " (" + in(Duration.between(now, w.start())) + ")")
                .orElse(" and none is coming up"));
    }

    /** {@code Deployment freeze: End of year (until 2027-01-04)}. */
    public String freezeLine(Freeze f) { return "Deployment freeze: " + f.label() + " (until " + f.to() + ")"; }

    /** When the freeze ends: the start of the day after its last day. */
    public Instant freezeEnds(Freeze f) { return f.to().plusDays(1).atStartOfDay(zone).toInstant(); }

    /** {@code Mon 07:00 UTC} in the windows' time zone. */
    public String dayAndTime(Instant t) {
        return DateTimeFormatter.ofPattern("EEE HH:mm zzz", Locale.ENGLISH).format(t.atZone(zone));
    }

    /** {@code 08:00 UTC} in the windows' time zone. */
    public String time(Instant t) { return DateTimeFormatter.ofPattern("HH:mm zzz", Locale.ENGLISH).format(t.atZone(zone)); }

    /** {@code in 9 h}, {@code in 25 min}, {@code in 3 d}. */
    public static String in(Duration d) {
        long minutes = Math.max(1, (d.toSeconds() + 59) / 60);
        if (minutes < 60) return "in " + minutes + " min";
        long hours = minutes / 60;
        long rest = minutes % 60;
        if (hours < 10 && rest != 0) return "in " + hours + " h " + rest + " min";
        if (hours < 48) return "in " + hours + " h";
        return "in " + (hours + 12) / 24 + " d"; // to the nearest day: 70 h is "in 3 d"
    }

    private LocalDate today(Instant now) { return now.atZone(zone).toLocalDate(); }

    /** The windows that open on the days {@code first} to {@code last}, in order, those opening in a freeze left out. */
    private List<Window> occurrences(LocalDate first, LocalDate last) {
        var result = new ArrayList<Window>();
        for (var day = first; !day.isAfter(last); day = day.plusDays(1))
            for (var w : weekly) {
                if (!w.days().contains(day.getDayOfWeek())) continue;
                var start = ZonedDateTime.of(day, w.from(), zone).toInstant();
                var end = ZonedDateTime.of(w.acrossMidnight() ? day.plusDays(1) : day, w.to(), zone).toInstant();
                if (end.isAfter(start) && freezeAt(start).isEmpty()) result.add(new Window(w.label(), start, end));
            }
        result.sort(Comparator.comparing(Window::start));
        return result;
    }
}
