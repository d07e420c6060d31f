package org.countersign.domain;

import java.util.List;

/** What the Workflow made of a command. */
public sealed interface Outcome {
    /** A line to show the person who acted. */
    String message();

    /** The request changed; write it together with its events. */
    record Applied(EmergencyRequest request, List<Event> events, String message) implements Outcome {
        public Applied {
            events = List.copyOf(events);
        }
    }

    /** Nothing to do, and that is fine (a repeated click, a step already taken). */
    record Unchanged(EmergencyRequest request, String message) implements Outcome {}

    /** Not allowed or not possible; nothing changed. */
    record Refused(Refusal kind, String message, List<Problem> problems) implements Outcome {
        public Refused {
            problems = List.copyOf(problems);
        }

        public static Refused of(Refusal kind, String message) { return new Refused(kind, message, List.of()); }
    }

    /** Why a command was refused, so each adapter can answer in its own terms (404, 403, 409, 400). */
    enum Refusal { NOT_FOUND, NOT_ALLOWED, WRONG_STATE, INVALID }
}
