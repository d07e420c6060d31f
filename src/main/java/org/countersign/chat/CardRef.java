package org.countersign.chat;

import java.time.Instant;
import java.util.Optional;

/**
 * Where a request's card is on one platform, and the request version it shows: a Slack channel and message ts,
 * a Matrix room and event id. Stored as {@code "place message version"}; while a new card is being posted, the same
 * key holds {@code "posting <epoch millis>"} instead (which {@link #parse} does not read), so a publisher that finds
 * it knows a post may have happened and asks the platform first.
 */
public record CardRef(String place, String message, long version) {
    private static final String POSTING = "posting ";

    static Optional<CardRef> parse(String text) {
        var parts = text.split(" ");
        return parts.length == 3 ? Optional.of(new CardRef(parts[0], parts[1], Long.parseLong(parts[2])))
                : Optional.empty();
    }

    /** The note stored just before a new card is posted at {@code at}. The ledger's finish script knows its prefix. */
    static String posting(Instant at) { return POSTING + at.toEpochMilli(); }

    /** When the post noted by {@code text} began, if {@code text} is such a note. */
    static Optional<Instant> postingSince(String text) {
        if (!text.startsWith(POSTING)) return Optional.empty();
        try {
            return Optional.of(Instant.ofEpochMilli(Long.parseLong(text.substring(POSTING.length()))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    String text() { return place + " " + message + " " + version; }

    /** The same message, now showing {@code version}. */
    CardRef showing(long version) { return new CardRef(place, message, version); }
}
