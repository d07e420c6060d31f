package org.countersign.chat;

import java.util.Optional;

/**
 * Where a request's card is on one platform, and the request version it shows: a Slack channel and message ts,
 * a Matrix room and event id. Stored as {@code "place message version"}.
 */
public record CardRef(String place, String message, long version) {
    static Optional<CardRef> parse(String text) {
        var parts = text.split(" ");
        return parts.length == 3 ? Optional.of(new CardRef(parts[0], parts[1], Long.parseLong(parts[2])))
                : Optional.empty();
    }

    String text() { return place + " " + message + " " + version; }

    /** The same message, now showing {@code version}. */
    CardRef showing(long version) { return new CardRef(place, message, version); }
}
