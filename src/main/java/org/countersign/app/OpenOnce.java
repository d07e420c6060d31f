package org.countersign.app;

import java.util.Optional;
import org.countersign.domain.RequestId;

/**
 * The id one delivery of an open is kept to (a Matrix event handled again after a crash, a webhook sent twice), so
 * that handling it twice opens one request: the id is kept before the request is saved, and saving at version 0
 * under a kept id is what decides, atomically, which handling opened it.
 */
public interface OpenOnce {
    /** An open that is not delivered again: every handling opens a request of its own. */
    OpenOnce NONE = new OpenOnce() {
        @Override
        public Optional<RequestId> kept() { return Optional.empty(); }

        @Override
        public RequestId keep(RequestId fresh) { return fresh; }
    };

    /** The id an earlier handling of this delivery kept, if any. */
    Optional<RequestId> kept();

    /** Keeps {@code fresh} for this delivery unless another handling kept one first; returns the id kept. */
    RequestId keep(RequestId fresh);
}
