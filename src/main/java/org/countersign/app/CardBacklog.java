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
 * pipeline holds more than {@code room} events, answers wait in turn, and as it gets back within its room, as many of
 * the oldest go as it has room for. So the pipeline stays full, the cards a burst waits on are about {@code room} and
 * what the presses just let go set off, and a press's answer waits about its place in the queue in cards' time. (One
 * answer per event finished would not bound it: a press that completes a request sets off more than one event; all
 * answers at once would send a burst of 256 at a pipeline with room for 8, and the next wait would run out.)
 * Slack shows the button busy until the answer, so under a burst it stays busy about as long as the cards take to
 * catch up, instead of the cards falling seconds behind presses already answered. An
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
    private final Telemetry telemetry;
    private final String platform;
    private final AtomicInteger held = new AtomicInteger();
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> waiting = new ConcurrentLinkedQueue<>();
    /** When the pipeline last finished an event, or went busy after being idle. */
    private volatile long lastFinished;

    /** Telling {@code telemetry} how long each answer on {@code platform} waited. */
    public CardBacklog(int room, Duration most, Duration stalled, LongSupplier nanos, Telemetry telemetry,
                       String platform) {
        if (room < 0) throw new IllegalArgumentException("room < 0: " + room);
        this.room = room;
        this.mostMillis = most.toMillis();
        this.stalledNanos = stalled.toNanos();
        this.nanos = nanos;
        this.telemetry = telemetry;
        this.platform = platform;
        this.lastFinished = nanos.getAsLong();
    }

    /** With {@link #ROOM}, {@link #MOST} and {@link #STALLED}. */
    public CardBacklog(Telemetry telemetry, String platform) {
        this(ROOM, MOST, STALLED, System::nanoTime, telemetry, platform);
    }

    /** An event was handed to the pipeline. */
    void taken() {
        // A pipeline idle until now has finished nothing yet: its time to the first finish counts from here.
        if (held.getAndIncrement() == 0) lastFinished = nanos.getAsLong();
    }

    /** The pipeline is done with an event (shown, set aside or handed back): as many answers go as it has room for. */
    void finished() {
        int left = held.decrementAndGet();
        lastFinished = nanos.getAsLong();
        if (left <= room) letGo(room - left + 1);
    }

    /** Events handed to the pipeline and not finished. */
    int held() { return held.get(); }

    /** Completes when a press's answer may be sent: at once unless the pipeline is behind and moving. */
    public CompletableFuture<Void> turn() {
        if (held.get() <= room && waiting.isEmpty()) return NOW;
        if (nanos.getAsLong() - lastFinished > stalledNanos) {
            letGo(Integer.MAX_VALUE);
            return NOW;
        }
        var turn = new CompletableFuture<Void>();
        waiting.add(turn); // behind those already waiting
        int now = held.get();
        if (now <= room) letGo(room - now + 1); // room came while this one was queued
        if (turn.isDone()) return turn;
        long since = nanos.getAsLong();
        turn.thenRun(() -> telemetry.answerWaited(platform, nanos.getAsLong() - since));
        return turn.completeOnTimeout(null, mostMillis, TimeUnit.MILLISECONDS);
    }

    /** Answers waiting now, including any whose wait ran out and that have not been passed over yet. */
    int waiting() { return waiting.size(); }

    /** Lets up to {@code count} of the oldest waiting answers go (those whose wait already ran out do not count). */
    private void letGo(int count) {
        while (count > 0) {
            var next = waiting.poll();
            if (next == null) return;
            if (next.complete(null)) count--;
        }
    }
}
