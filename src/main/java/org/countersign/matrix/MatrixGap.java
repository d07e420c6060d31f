package org.countersign.matrix;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a gappy sync left out. When more happened in a room since the last sync than its timeline holds, the homeserver
 * sends only the newest events, marks the timeline {@code limited} and gives a {@code prev_batch} token; the events
 * before it are read back with {@code /messages} down to the last sync's token, so no command is dropped.
 */
final class MatrixGap {
    private static final Logger log = LoggerFactory.getLogger(MatrixGap.class);
    static final int PAGE = 100;
    /** How far back a gap is read at most: more than any burst of commands in a room between two syncs. */
    static final int MAX_PAGES = 20;

    private final MatrixClient matrix;
    private final String eventFilter;

    /** Reads back events of {@code types}, leaving out those of {@code me} (the bot) when known. */
    MatrixGap(MatrixClient matrix, List<String> types, String me) {
        this.matrix = matrix;
        var filter = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        types.forEach(filter.putArray("types")::add);
        if (me != null) filter.putArray("not_senders").add(me);
        this.eventFilter = filter.toString();
    }

    /**
     * The room's events since {@code since}, oldest first: the sync's own timeline, preceded, when it is limited, by the
     * events the homeserver left out before it.
     */
    List<SyncResponse.Event> events(String room, SyncResponse.JoinedRoom joined, String since) {
        if (!joined.limited() || joined.prevBatch() == null) return joined.timeline();
        var missed = new ArrayDeque<SyncResponse.Event>();
        var from = joined.prevBatch();
        int pages = 0;
        while (from != null && pages < MAX_PAGES) {
            var page = matrix.messages(room, from, since, PAGE, eventFilter);
            pages++;
            page.events().forEach(missed::addFirst); // newest first, so each one goes before those already read
            if (page.events().isEmpty() || from.equals(page.end())) break;
            from = page.end();
        }
        if (from != null && pages == MAX_PAGES)
            log.warn("Matrix: more than {} events in {} since the last sync; the oldest were not read",
                    PAGE * MAX_PAGES, room);
        else
            log.info("Matrix: the sync of {} was limited; read {} earlier events with /messages", room, missed.size());
        var seen = new LinkedHashSet<String>();
        var all = new ArrayList<SyncResponse.Event>();
        for (var event : missed) if (seen.add(event.eventId())) all.add(event);
        for (var event : joined.timeline()) if (seen.add(event.eventId())) all.add(event);
        return all;
    }
}
