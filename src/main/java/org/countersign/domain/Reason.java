package org.countersign.domain;

import java.util.List;
import java.util.Map;

/**
 * Why production must change now, and which teams must sign for it.
 *
 * @param informed  teams told of a request of this reason (shown on its card) but not asked to approve it
 * @param approvals approvals a team must give on a request of this reason, overriding the team's own count
 */
public record Reason(String key, String label, List<String> teams, boolean confidential, List<String> informed,
                     Map<String, Integer> approvals) {
    public Reason {
        teams = List.copyOf(teams);
        informed = List.copyOf(informed);
        approvals = Map.copyOf(approvals);
    }

    public Reason(String key, String label, List<String> teams, boolean confidential) {
        this(key, label, teams, confidential, List.of(), Map.of());
    }

    List<String> problems(Map<String, Team> known) {
        var problems = new java.util.ArrayList<String>();
        for (var team : informed) {
            if (!known.containsKey(team))
                problems.add("reason " + key + " informs unknown team " + team + " (known: "
                        + String.join(", ", known.keySet()) + ")");
            else if (teams.contains(team))
                problems.add("reason " + key + " both requires and only informs " + team + "; list it in one of "
                        + "teams or informed");
        }
        if (new java.util.LinkedHashSet<>(informed).size() != informed.size())
            problems.add("reason " + key + " informs a team twice");
        approvals.forEach((team, n) -> {
            if (!teams.contains(team))
                problems.add("reason " + key + " sets approvals for " + team + ", which it does not require (it requires "
                        + String.join(", ", teams) + ")");
            if (n == null || n < 1) problems.add("reason " + key + " needs at least 1 approval from " + team + ", not " + n);
        });
        return problems;
    }
}
