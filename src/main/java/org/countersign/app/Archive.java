package org.countersign.app;

import java.time.Instant;
import java.util.List;
import org.countersign.domain.RequestId;

/**
 * Where finished requests go once the policy's {@code retain-for} has passed: out of the live keys and indexes (lists,
 * counts, the dashboard), into a compact form that only the audit export reads ({@link RequestStore#history}).
 */
public interface Archive {
    /** Finished requests opened at or before {@code before}, oldest first: {@code limit} of them after skipping {@code skip}. */
    List<RequestId> finishedOpenedBefore(Instant before, int skip, int limit);

    /**
     * Moves one request to the archive, in one atomic step, if it is finished and last changed at or before
     * {@code changedBefore}; false (nothing moved) when it is not, or changed while it was being moved.
     */
    boolean archive(RequestId id, Instant changedBefore);
}
