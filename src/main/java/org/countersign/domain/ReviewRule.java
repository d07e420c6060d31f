package org.countersign.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The policy's {@code review:}: the teams whose members review a request after its deploy, which requests must be
 * reviewed before they close ({@code required-for}: {@code break-glass}, {@code all}, or reason keys), and how long
 * after the deploy ended a missing review is overdue.
 */
public record ReviewRule(Set<String> teams, Set<String> requiredFor, Duration dueAfter) {
    public static final String BREAK_GLASS = "break-glass";
    public static final String ALL = "all";
    public static final Duration DEFAULT_DUE_AFTER = Duration.ofDays(2);
    /** No review teams: nobody reviews and nothing waits for a review. */
    public static final ReviewRule NONE = new ReviewRule(Set.of(), Set.of(), DEFAULT_DUE_AFTER);

    public ReviewRule {
        teams = Set.copyOf(teams);
        requiredFor = Set.copyOf(requiredFor);
        dueAfter = dueAfter == null ? DEFAULT_DUE_AFTER : dueAfter;
    }

    public boolean isOn() { return !teams.isEmpty(); }

    /** Whether this request must be reviewed before it is closed. */
    public boolean requiredFor(EmergencyRequest r) {
        if (!isOn()) return false;
        return requiredFor.contains(ALL) || requiredFor.contains(r.reason())
                || requiredFor.contains(BREAK_GLASS) && r.breakGlass() != null;
    }

    List<String> problems(Set<String> knownTeams, Set<String> knownReasons) {
        var problems = new ArrayList<String>();
        for (var t : teams.stream().sorted().toList())
            if (!knownTeams.contains(t))
                problems.add("review.teams names unknown team " + t + " (known: " + String.join(", ", knownTeams) + ")");
        if (!isOn() && !requiredFor.isEmpty())
            problems.add("review.required-for needs review.teams: somebody must be able to review");
        for (var k : requiredFor.stream().sorted().toList())
            if (!k.equals(ALL) && !k.equals(BREAK_GLASS) && !knownReasons.contains(k))
                problems.add("review.required-for names " + k + ": use break-glass, all or a reason key ("
                        + String.join(", ", knownReasons) + ")");
        if (dueAfter.isNegative() || dueAfter.isZero())
            problems.add("review.due-after must be a positive duration such as 2d, not " + dueAfter);
        return problems;
    }
}
