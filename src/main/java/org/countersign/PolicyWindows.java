package org.countersign;

import static org.countersign.PolicyProblems.show;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.countersign.domain.Windows;

/** Reads a policy's {@code windows} (time zone, weekly windows) and {@code freezes} into {@link Windows}. */
final class PolicyWindows {
    private static final List<String> WINDOWS_KEYS = List.of("time-zone", "weekly");
    private static final List<String> WEEKLY_KEYS = List.of("days", "from", "to", "label");
    private static final List<String> FREEZE_KEYS = List.of("from", "to", "label", "teams");
    private static final Pattern CLOCK = Pattern.compile("([01]?[0-9]|2[0-3]):[0-5][0-9]");
    private static final Map<String, DayOfWeek> DAYS = days();

    private final PolicyProblems problems;

    PolicyWindows(PolicyProblems problems) { this.problems = problems; }

    Windows read(JsonNode windows, JsonNode freezes) {
        ZoneId zone = ZoneOffset.UTC;
        var weekly = new ArrayList<Windows.Weekly>();
        if (windows != null && !windows.isNull()) {
            if (!windows.isObject()) {
                problems.add("windows", "must be a map with time-zone and weekly, not " + show(windows));
            } else {
                problems.unknownKeys(windows, "windows.", WINDOWS_KEYS);
                if (windows.has("time-zone")) zone = zone(windows.get("time-zone"));
                if (windows.has("weekly")) weekly(windows.get("weekly"), weekly);
            }
        }
        var frozen = new ArrayList<Windows.Freeze>();
        if (freezes != null && !freezes.isNull()) {
            if (!freezes.isArray()) problems.add("freezes", "must be a list of { from, to, label }, not " + show(freezes));
            else for (int i = 0; i < freezes.size(); i++) freeze(freezes.get(i), "freezes[" + i + "]", frozen);
        }
        return new Windows(zone, weekly, frozen);
    }

    private ZoneId zone(JsonNode node) {
        var text = problems.text(node, "windows.time-zone");
        if (text == null) return ZoneOffset.UTC;
        try {
            return text.equalsIgnoreCase("UTC") ? ZoneId.of("UTC") : ZoneId.of(text);
        } catch (DateTimeException e) {
            problems.add("windows.time-zone", "'" + text + "' is not a time zone; write UTC or a region such as "
                    + "Europe/Berlin");
            return ZoneOffset.UTC;
        }
    }

    private void weekly(JsonNode node, List<Windows.Weekly> into) {
        if (!node.isArray()) {
            problems.add("windows.weekly", "must be a list such as [ { days: [mon, tue], from: \"07:00\", to: \"08:00\", "
                    + "label: ... } ], not " + show(node));
            return;
        }
        for (int i = 0; i < node.size(); i++) {
            var w = node.get(i);
            var where = "windows.weekly[" + i + "]";
            if (!w.isObject()) {
                problems.add(where, "must be a map with days, from, to and label, not " + show(w));
                continue;
            }
            problems.unknownKeys(w, where + ".", WEEKLY_KEYS);
            var days = EnumSet.noneOf(DayOfWeek.class);
            if (!w.has("days")) problems.add(where + ".days", "missing: the days it opens, such as [mon, tue, wed, thu]");
            else for (var day : problems.list(w.get("days"), where + ".days")) {
                var d = DAYS.get(day.toLowerCase(Locale.ROOT));
                if (d == null) problems.add(where + ".days", "'" + day + "' is not a day; write mon, tue, wed, thu, fri, "
                        + "sat or sun");
                else days.add(d);
            }
            var from = clock(w, "from", where);
            var to = clock(w, "to", where);
            var label = w.has("label") ? problems.text(w.get("label"), where + ".label") : null;
            if (from != null && to != null && !days.isEmpty())
                into.add(new Windows.Weekly(days, from, to, label == null ? "deployment window" : label));
        }
    }

    private LocalTime clock(JsonNode map, String key, String where) {
        if (!map.has(key)) {
            problems.add(where + "." + key, "missing: a time of day such as \"07:00\"");
            return null;
        }
        var node = map.get(key);
        // A number (from: 7) is no time of day: say to quote it rather than guess what was meant.
        if (!node.isTextual() || !CLOCK.matcher(node.textValue().strip()).matches()) {
            problems.add(where + "." + key, "must be a time of day in quotes such as \"07:00\", not " + show(node));
            return null;
        }
        var text = node.textValue().strip();
        return LocalTime.parse(text.length() == 4 ? "0" + text : text);
    }

    private void freeze(JsonNode f, String where, List<Windows.Freeze> into) {
        if (!f.isObject()) {
            problems.add(where, "must be a map with from, to and label, not " + show(f));
            return;
        }
        problems.unknownKeys(f, where + ".", FREEZE_KEYS);
        var from = date(f, "from", where);
        var to = date(f, "to", where);
        var label = f.has("label") ? problems.text(f.get("label"), where + ".label") : null;
        if (!f.has("label")) problems.add(where + ".label", "missing: what people call the freeze, such as End of year");
        var teams = f.has("teams") ? problems.list(f.get("teams"), where + ".teams") : List.<String>of();
        if (from != null && to != null && label != null) into.add(new Windows.Freeze(from, to, label, teams));
    }

    private LocalDate date(JsonNode map, String key, String where) {
        if (!map.has(key)) {
            problems.add(where + "." + key, "missing: a date such as 2026-12-20");
            return null;
        }
        var node = map.get(key);
        try {
            if (node.isTextual()) return LocalDate.parse(node.textValue().strip());
        } catch (DateTimeException e) {
            // reported below
        }
        problems.add(where + "." + key, "must be a date such as 2026-12-20, not " + show(node));
        return null;
    }

    private static Map<String, DayOfWeek> days() {
        var days = new java.util.HashMap<String, DayOfWeek>();
        for (var d : DayOfWeek.values()) {
            var name = d.name().toLowerCase(Locale.ROOT);
            days.put(name, d);
            days.put(name.substring(0, 3), d);
        }
        return Map.copyOf(days);
    }
}
