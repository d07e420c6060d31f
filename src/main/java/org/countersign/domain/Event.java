package org.countersign.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of a request's timeline, and one message on the events stream. The id is stable
 * ({@code EMG-12/3/0}: request, version written, position), so consumers use it as the delivery id.
 *
 * @param team   the team concerned (approvals), else null
 * @param detail free text: a rejection reason, a deploy result, a note; else null
 */
public record Event(String id, EventType type, RequestId request, long version, Instant at, Actor actor,
                    State state, String team, String detail) {
    public Event {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(state, "state");
    }

    static String idOf(RequestId request, long version, int index) {
        return request + "/" + version + "/" + index;
    }
}
