package org.countersign.app;

import java.time.Duration;
import java.util.Optional;

/** Small shared facts adapters keep beside the requests: where a card was posted, what was already sent. */
public interface KeyValues {
    Optional<String> get(String key);

    /** Stores a value; {@code ttl} null keeps it for good. */
    void put(String key, String value, Duration ttl);

    /** Stores a value only if the key has none; true when this call stored it. */
    boolean putIfAbsent(String key, String value, Duration ttl);

    void delete(String key);
}
