package org.countersign.app;

import java.time.Duration;
import java.util.Optional;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.RequestId;

/**
 * What a card publisher reads and writes in the store for one event, in two steps instead of eight: {@link #begin}
 * takes the card's lease and reads the request, the card's reference and whether the event's reply was sent;
 * {@link #finish} stores what was shown and sent, and gives the lease up unless a newer version is waiting.
 */
public interface CardLedger {
    /**
     * Takes {@code lease} for {@code holder} for {@code ttl} if it is free or already ours, and reads, in the same step,
     * the request, the value under {@code cardKey} and whether {@code replyKey} is set (both keys as {@link KeyValues}
     * names them).
     */
    Begun begin(RequestId id, String lease, String holder, Duration ttl, String cardKey, String replyKey);

    /** What {@link #begin} found: whether we hold the lease, and what it read (whatever the lease). */
    record Begun(boolean leased, Optional<EmergencyRequest> request, Optional<String> card, boolean replied) {}

    /**
     * Stores {@code done}'s card value (and its reply, if any); then, when the stored request is newer than the version
     * shown, returns it and keeps (extends) the lease, else gives the lease up when {@code done} asks to and returns
     * empty. When the lease is no longer {@code done}'s holder's, the card value is stored only where no card is noted
     * yet (so another holder's is never overwritten) and empty is returned: the newer version is that holder's work.
     */
    Optional<EmergencyRequest> finish(Done done);

    /**
     * @param card      the card's reference to store under {@code cardKey}, showing version {@code shown}
     * @param replyKey  where to note the reply that was sent, or null when none was
     * @param release   whether to give the lease up when nothing newer is waiting (false: more work follows under it)
     */
    record Done(RequestId id, String lease, String holder, Duration ttl, String cardKey, String card, long shown,
                String replyKey, String reply, Duration replyTtl, boolean release) {}

    /** Gives the lease up if {@code holder} holds it. */
    void release(String lease, String holder);
}
