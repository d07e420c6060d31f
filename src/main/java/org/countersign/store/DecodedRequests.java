package org.countersign.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.countersign.domain.EmergencyRequest;

/**
 * The requests most recently read, by the very text they were stored as. A list reads the same twenty requests again
 * and again, and a card update the version its press just wrote; decoding that JSON was most of a list's CPU. Keyed by
 * the whole text, a hit is the same request by construction: any change (a new version, an approval) is another text,
 * so nothing here can go stale, and the requests are immutable, so they can be shared. The least recently read go first.
 */
final class DecodedRequests {
    /** About 5 kB a request, text and object: a few MB at most, for the newest requests any list shows and then some. */
    static final int CAPACITY = 512;

    private final Map<String, EmergencyRequest> byText;

    DecodedRequests(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        byText = new LinkedHashMap<>(capacity * 4 / 3 + 1, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, EmergencyRequest> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The request {@code text} holds: the one decoded before from the same text, or {@code decode}'s, kept for next time. */
    EmergencyRequest read(String text, Function<String, EmergencyRequest> decode) {
        synchronized (byText) {
            var known = byText.get(text);
            if (known != null) return known;
        }
        // Decoded outside the lock: two threads may both decode one text, and either result is the same request.
        var decoded = decode.apply(text);
        synchronized (byText) {
            byText.put(text, decoded);
        }
        return decoded;
    }

    /**
     * Keeps {@code request} as the one {@code text} holds, {@code text} being what it was written as: a request reads
     * back from its JSON exactly as it was (DomainJsonTest), so the card update after a save, and the list, need not
     * decode what this instance just wrote.
     */
    void remember(String text, EmergencyRequest request) {
        synchronized (byText) {
            byText.put(text, request);
        }
    }

    int size() {
        synchronized (byText) {
            return byText.size();
        }
    }
}
