package org.countersign.domain;

import java.time.Duration;
import java.util.Set;

/**
 * Who may open requests and how often: members of {@code teams} and the {@code people} named (everyone when both are
 * empty), each person at most {@code limit} requests per {@code per} (no limit when {@code limit} is 0). Pipelines
 * with a named API token may always open: the operator named them.
 */
public record Opening(Set<String> teams, Set<String> people, int limit, Duration per) {
    public Opening {
        teams = Set.copyOf(teams);
        people = Set.copyOf(people);
    }

    /** Everyone may open, as often as they like. */
    public static Opening everyone() { return new Opening(Set.of(), Set.of(), 0, null); }

    public boolean restricted() { return !teams.isEmpty() || !people.isEmpty(); }

    public boolean limited() { return limit > 0 && per != null; }

    /** The limit as the policy writes it: {@code 5/1h}. */
    public String limitText() { return limit + "/" + span(per); }

    /** {@code 1h}, {@code 30m}, {@code 1d}, {@code 90s}. */
    static String span(Duration d) {
        long s = d.toSeconds();
        if (s % 86_400 == 0) return s / 86_400 + "d";
        if (s % 3_600 == 0) return s / 3_600 + "h";
        if (s % 60 == 0) return s / 60 + "m";
        return s + "s";
    }

    /** Whether this member may open a request. */
    public boolean allows(Member m) {
        return m.isSystem() || !restricted() || people.contains(m.person()) || teams.stream().anyMatch(m::in);
    }
}
