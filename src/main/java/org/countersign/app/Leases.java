package org.countersign.app;

import java.time.Duration;

/** Work that must have one owner across instances (the Matrix sync loop) holds a lease that expires unless renewed. */
public interface Leases {
    /** Takes the lease if it is free (or already ours) for {@code ttl}; true when {@code holder} now holds it. */
    boolean acquire(String name, String holder, Duration ttl);

    /** Extends our lease; false when it expired and someone else may hold it now. */
    boolean renew(String name, String holder, Duration ttl);

    /** Gives the lease up if we hold it. */
    void release(String name, String holder);
}
