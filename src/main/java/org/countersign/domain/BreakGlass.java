package org.countersign.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * The mark a request carries when someone the policy names let it proceed without its quorum: who (the account and
 * the person behind it), why (their written reason) and when.
 */
public record BreakGlass(Actor by, String person, String reason, Instant at) {
    public BreakGlass {
        Objects.requireNonNull(by, "by");
        Objects.requireNonNull(person, "person");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
    }
}
