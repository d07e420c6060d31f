package org.countersign.domain;

import java.util.List;

/** Why production must change now, and which teams must sign for it. */
public record Reason(String key, String label, List<String> teams, boolean confidential) {
    public Reason {
        teams = List.copyOf(teams);
    }
}
