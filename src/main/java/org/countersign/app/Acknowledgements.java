package org.countersign.app;

import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.countersign.app.EventFeed.Delivery;

/**
 * The acknowledgements of one consumer group, sent together when lanes finish together: a lane that finds none being
 * sent sends its own and every other that came meanwhile in one call ({@code XACK} takes many ids), so under a burst
 * eight lanes need not make eight round trips. A lane whose acknowledgement another sends goes on at once; if that send
 * fails, the events stay pending and are delivered again, as when a lane's own acknowledgement fails.
 */
final class Acknowledgements {
    private final EventFeed feed;
    private final String group;
    private final ConcurrentLinkedQueue<Delivery> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sending = new AtomicBoolean();

    Acknowledgements(EventFeed feed, String group) {
        this.feed = feed;
        this.group = group;
    }

    void acknowledge(Delivery delivery) {
        waiting.add(delivery);
        // Whoever holds the flag sends what is waiting and looks again after letting go, so nothing is left behind.
        while (!waiting.isEmpty() && sending.compareAndSet(false, true)) {
            try {
                var batch = new ArrayList<Delivery>();
                for (Delivery next; (next = waiting.poll()) != null; ) batch.add(next);
                if (!batch.isEmpty()) feed.acknowledge(group, batch);
            } finally {
                sending.set(false);
            }
        }
    }
}
