package org.countersign.domain;

import java.time.Instant;
import java.util.Objects;

/** The look afterwards at a request whose deploy ended: who reviewed it, the follow-up (a task or a URL) and when. */
public record Review(Actor by, String person, String followUp, Instant at) {
    public Review {
        Objects.requireNonNull(by, "by");
        Objects.requireNonNull(person, "person");
        Objects.requireNonNull(followUp, "followUp");
        Objects.requireNonNull(at, "at");
    }
}
