package org.countersign.app;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.countersign.domain.RequestId;

/**
 * Lanes for a {@link StreamConsumer}: each request always in the same lane (one thread), so its events stay in order,
 * different requests side by side, and no batch waits for its slowest request before the next events are read: the
 * reader hands events over as they come, up to {@code inFlight} at a time.
 */
final class Lanes implements AutoCloseable {
    private final ExecutorService[] lanes;
    private final Semaphore room;
    private final int inFlight;
    /** The store went away under a lane: the reader re-reads what is pending once every lane is idle. */
    private final AtomicReference<StoreUnavailable> failed = new AtomicReference<>();

    Lanes(int count, int inFlight, String name) {
        this.lanes = new ExecutorService[count];
        for (int i = 0; i < count; i++) {
            lanes[i] = Executors.newSingleThreadExecutor(r -> {
                var t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }
        this.inFlight = inFlight;
        this.room = new Semaphore(inFlight);
    }

    /** Runs {@code work} in the lane of {@code request}, after the work handed to that lane before; waits for room. */
    void submit(RequestId request, Runnable work) throws InterruptedException {
        room.acquire();
        try {
            lanes[Math.floorMod(request.hashCode(), lanes.length)].execute(() -> {
                try {
                    work.run();
                } catch (StoreUnavailable e) {
                    failed.compareAndSet(null, e);
                } finally {
                    room.release();
                }
            });
        } catch (RuntimeException e) {
            room.release();
            throw e;
        }
    }

    /** Whether every lane has room for more. */
    boolean hasRoom() { return room.availablePermits() > 0; }

    /** Waits until no work is left in any lane, then throws what the store failed with meanwhile, if it did. */
    void drain() throws InterruptedException {
        room.acquire(inFlight);
        room.release(inFlight);
        var e = failed.getAndSet(null);
        if (e != null) throw e;
    }

    /** Waits up to {@code within} until no work is left in any lane; false when some is still running then. */
    boolean awaitIdle(java.time.Duration within) {
        try {
            if (!room.tryAcquire(inFlight, within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        room.release(inFlight);
        return true;
    }

    /** Throws at once (without waiting) when a lane found the store gone: the reader then waits and re-reads. */
    void throwIfFailed() throws InterruptedException {
        if (failed.get() != null) drain();
    }

    @Override
    public void close() {
        for (var lane : lanes) lane.shutdownNow();
    }
}
