package org.countersign.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The policy's {@code break-glass:}: the people (as the policy's {@code people:} names them) who may let a request of
 * one of {@code reasons} proceed without its quorum, with a written reason of at least {@code minReason} characters.
 */
public record BreakGlassRule(Set<String> people, Set<String> reasons, int minReason) {
    public static final int DEFAULT_MIN_REASON = 40;
    /** Nobody may break the glass: the policy has no {@code break-glass:}. */
    public static final BreakGlassRule NONE = new BreakGlassRule(Set.of(), Set.of(), DEFAULT_MIN_REASON);

    public BreakGlassRule {
        people = Set.copyOf(people);
        reasons = Set.copyOf(reasons);
    }

    public boolean isOn() { return !people.isEmpty(); }

    /** What is wrong with it against the policy's people and reasons. */
    List<String> problems(Set<String> knownPeople, Set<String> knownReasons) {
        var problems = new ArrayList<String>();
        if (!isOn()) return problems;
        for (var p : people.stream().sorted().toList())
            if (!knownPeople.contains(p))
                problems.add("break-glass.people names " + p + ", who is not under people: (a person is known there"
                        + " with all their accounts)");
        if (reasons.isEmpty()) problems.add("break-glass.reasons is empty: list the reasons it may be used for");
        for (var r : reasons.stream().sorted().toList())
            if (!knownReasons.contains(r))
                problems.add("break-glass.reasons names unknown reason " + r + " (known: "
                        + String.join(", ", knownReasons) + ")");
        if (minReason < 1) problems.add("break-glass.min-reason must be at least 1, not " + minReason);
        return problems;
    }
}
