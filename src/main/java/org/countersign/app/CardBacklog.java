package org.countersign.app;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * How far a card pipeline is behind, so that the answer to a press waits its turn instead of running ahead of the card
 * it changes. Acks are cheaper than cards: under a burst of presses, answered at once, the cards fell seconds behind
 * and the gap grew with the burst. A press is recorded before its answer waits, so waiting loses nothing; while the
 * pipeline holds more than {@code room} events, answers wait until it is back within its room, so a burst of N presses
 * in flight keeps at most {@code room} and their events queued, and the card follows its press within that many cards'
 * time. (Letting one answer go per event finished would not bound it: a press that completes a request sets off more
 * than one event.)
 * Slack shows the button busy until the answer, so the person sees their press done when its card shows it. An
 * answer never waits longer than {@code most}, nor on a pipeline that finished nothing for {@code stalled} (a 429,
 * the platform down): those are waits for the platform, which no answer should share.
 */
public final class CardBacklog {
    /** Events a card pipeline may hold before answers wait: one per lane. */
    public static final int ROOM = 8;
    /** The longest an answer waits: Slack wants one within 3 s. */
    public static final Duration MOST = Duration.ofSeconds(1);
    /** A pipeline that finished nothing for this long is waiting on its platform (longer than a slow Slack call). */
    public static final Duration STALLED = Duration.ofSeconds(1);
    private static final CompletableFuture<Void> NOW = CompletableFuture.completedFuture(null);

    private final int room;
    private final long mostMillis;
    private final long stalledNanos;
    private final LongSupplier nanos;
    private final AtomicInteger held = new AtomicInteger();
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> waiting = new ConcurrentLinkedQueue<>();
    /** When the pipeline last finished an event, or went busy after being idle. */
    private volatile long lastFinished;

    public CardBacklog(int room, Duration most, Duration stalled, LongSupplier nanos) {
        if (room < 0) throw new IllegalArgumentException("room < 0: " + room);
        this.room = room;
        this.mostMillis = most.toMillis();
        this.stalledNanos = stalled.toNanos();
        this.nanos = nanos;
        this.lastFinished = nanos.getAsLong();
    }

    /** With {@link #ROOM}, {@link #MOST} and {@link #STALLED}. */
    public CardBacklog() {
        this(ROOM, MOST, STALLED, System::nanoTime);
    }

    /** An event was handed to the pipeline. */
    void taken() {
        // A pipeline idle until now has finished nothing yet: its time to the first finish counts from here.
        if (held.getAndIncrement() == 0) lastFinished = nanos.getAsLong();
    }

    /** The pipeline is done with an event (shown, set aside or handed back): back within its room, answers go. */
    void finished() {
        int left = held.decrementAndGet();
        lastFinished = nanos.getAsLong();
        if (left <= room) letGo();
    }

    /** Events handed to the pipeline and not finished. */
    public int held() { return held.get(); }

    /** Completes when a press's answer may be sent: at once unless the pipeline is behind and moving. */
    public CompletableFuture<Void> turn() {
        if (held.get() <= room) return NOW;
        if (nanos.getAsLong() - lastFinished > stalledNanos) {
            letGo();
            return NOW;
        }
        var turn = new CompletableFuture<Void>();
        waiting.add(turn);
        if (held.get() <= room) letGo(); // it caught up while this one was queued
        return turn.completeOnTimeout(null, mostMillis, TimeUnit.MILLISECONDS);
    }

    /** Answers waiting now, including any whose wait ran out and that have not been passed over yet. */
    int waiting() { return waiting.size(); }

    private void letGo() {
        for (var next = waiting.poll(); next != null; next = waiting.poll()) next.complete(null);
    }
}
