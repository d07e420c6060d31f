package org.countersign.domain;

import java.time.Instant;
import java.util.List;

/** One team's sign-off: who, as which person, when, and the changes they saw. */
public record Approval(String team, Actor by, String person, Instant at, List<String> changes) {
    public Approval {
        changes = List.copyOf(changes);
    }
}
