package org.countersign.irc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.countersign.app.Leases;
import org.countersign.app.StoreUnavailable;
import org.countersign.app.StreamConsumer;
import org.kitteh.irc.client.library.Client;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one connection to the IRC network, held by one instance at a time: it takes a lease in Redis, connects while it
 * holds it (and only then), renews it every third of its time and drops the connection the moment it loses it, so two
 * instances never both speak for the bot; another instance takes over within a lease's time when the holder dies.
 * While it is the owner it runs what only the owner may (the card publisher and IRC log lines). Lines go out through
 * Kitteh's paced sender, and {@link #send} returns only once they were written, so a line queued when the server went
 * away is tried again after the reconnect instead of being lost. The nick is taken back when someone else held it.
 */
public final class IrcConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IrcConnection.class);
    static final String LEASE = "irc-connection";

    /** What the network said that the bot listens to. */
    public interface Listener {
        /** A PRIVMSG: {@code channel} null for a private message; {@code account} as services vouch for it. */
        void said(String channel, String nick, Optional<String> account, String text);
    }

    private final IrcSettings settings;
    private final Leases leases;
    private final String instance;
    private final Duration leaseTime;
    private final List<Supplier<AutoCloseable>> ownerWork = new ArrayList<>();
    private final List<AutoCloseable> running = new ArrayList<>();
    private final Map<String, ConcurrentLinkedDeque<CompletableFuture<Void>>> unwritten = new ConcurrentHashMap<>();
    private final IrcSession session;
    private volatile Client client;
    private volatile boolean stopped;
    private volatile boolean releaseOnStop = true;
    private Thread thread;

    public IrcConnection(IrcSettings settings, Leases leases, String instance, Duration leaseTime) {
        this.settings = settings;
        this.leases = leases;
        this.instance = instance;
        this.leaseTime = leaseTime;
        this.session = new IrcSession(settings, this::written, this::lost);
    }

    /** Hands every message the bot hears to {@code listener} (before {@link #start}). */
    public IrcConnection listening(Listener listener) {
        session.listener(listener);
        return this;
    }

    /** Also joins these channels (where {@code format: irc} integrations say their lines), before {@link #start}. */
    public IrcConnection joining(List<String> channels) {
        session.alsoJoin(channels);
        return this;
    }

    /** Runs {@code work} each time this instance becomes the owner, closing it when it stops being one. */
    public synchronized IrcConnection whileOwner(Supplier<AutoCloseable> work) {
        ownerWork.add(work);
        return this;
    }

    /** Calls {@code then} with the channel each time its modes are (re)learned: at join and on every change. */
    public IrcConnection onModes(java.util.function.Consumer<String> then) {
        session.onModes(then);
        return this;
    }

    public synchronized IrcConnection start() {
        if (thread != null) return this;
        thread = new Thread(this::run, "irc-connection");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void run() {
        boolean owner = false;
        while (!stopped) {
            try {
                if (!owner) {
                    owner = leases.acquire(LEASE, instance, leaseTime);
                    if (owner) becomeOwner();
                } else if (!leases.renew(LEASE, instance, leaseTime)) {
                    log.warn("IRC: lost the connection lease; another instance speaks for the bot now");
                    owner = false;
                    stepDown();
                } else {
                    session.regainNick(client);
                }
            } catch (StoreUnavailable e) {
                if (owner) {
                    // Not knowing whether we still hold the lease, we must not speak: another may hold it soon.
                    log.warn("IRC: cannot renew the lease ({}); disconnecting until Redis answers", e.getMessage());
                    owner = false;
                    stepDown();
                }
            } catch (RuntimeException e) {
                log.error("IRC: connection loop failed; carrying on", e);
            }
            pause(leaseTime.dividedBy(owner ? 3 : 4));
        }
        stepDown();
        if (!releaseOnStop) return;
        try {
            leases.release(LEASE, instance);
        } catch (RuntimeException e) {
            // The lease expires by itself.
        }
    }

    private synchronized void becomeOwner() {
        log.info("IRC: this instance holds the connection; connecting to {}:{} as {}", settings.host(), settings.port(),
                settings.nick());
        client = session.connect();
        for (var work : ownerWork) running.add(work.get());
    }

    private synchronized void stepDown() {
        for (var work : running) {
            try {
                work.close();
            } catch (Exception e) {
                log.warn("IRC: while stopping {}: {}", work, e.toString());
            }
        }
        running.clear();
        var c = client;
        client = null;
        if (c != null) c.shutdown("Countersign hands over");
        lost();
    }

    /** Whether the bot is on the network now and in {@code channel}. */
    public boolean inChannel(String channel) { return client != null && session.joined(channel); }

    /** The channel's modes as last learned ({@code +inst}), empty when the bot is not in it. */
    public Optional<String> modes(String channel) { return client == null ? Optional.empty() : session.modes(channel); }

    /** The nick the bot has on the network now. */
    public Optional<String> nick() { return Optional.ofNullable(client).map(Client::getNick); }

    /**
     * Sends {@code lines} as NOTICEs to a channel the bot is in or to a nick, at the pace the sender keeps, and waits
     * until each was written; {@link StreamConsumer.RetryLater} when the bot is not connected (or not in the channel),
     * or the connection ended before they went out.
     */
    public void send(String target, List<String> lines) {
        var c = client;
        boolean channel = target.startsWith("#") || target.startsWith("&");
        if (c == null || !session.ready() || channel && !session.joined(target))
            throw new StreamConsumer.RetryLater("IRC: not " + (channel ? "in " + target : "connected") + " yet",
                    Duration.ofSeconds(2));
        var waits = new ArrayList<CompletableFuture<Void>>();
        for (var line : lines) {
            var raw = "NOTICE " + target + " :" + line;
            var written = new CompletableFuture<Void>();
            unwritten.computeIfAbsent(raw, k -> new ConcurrentLinkedDeque<>()).add(written);
            waits.add(written);
            c.sendRawLine(raw);
        }
        long budget = settings.lineDelay().toMillis() * (lines.size() + unwritten.size()) + 15_000;
        try {
            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).get(budget, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new StreamConsumer.RetryLater("IRC: the lines to " + target + " did not go out (" + e + ")",
                    Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamConsumer.RetryLater("IRC: interrupted", Duration.ofSeconds(1));
        }
    }

    /** Sends without waiting (a reply to one person): lost with the connection, as a reply would be anyway. */
    public void tell(String target, List<String> lines) {
        var c = client;
        if (c == null) return;
        for (var line : lines) c.sendRawLine("NOTICE " + target + " :" + line);
    }

    private void written(String raw) {
        var waiting = unwritten.get(raw);
        if (waiting == null) return;
        var first = waiting.poll();
        if (first != null) first.complete(null);
        if (waiting.isEmpty()) unwritten.remove(raw, waiting);
    }

    /** The connection ended: nothing queued will go out; whoever waits is told to try again after the reconnect. */
    private void lost() {
        for (var waiting : unwritten.values()) {
            for (var f = waiting.poll(); f != null; f = waiting.poll())
                f.completeExceptionally(new IllegalStateException("the connection ended"));
        }
        unwritten.clear();
    }

    static Duration backoff(int failures) {
        long base = Math.min(60_000, 1000L << Math.min(failures, 6));
        return Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
    }

    private void pause(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
        }
    }

    /** Stops dead, keeping the lease, as a crashed process would: for tests of the takeover. */
    void halt() {
        releaseOnStop = false;
        close();
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            stopped = true;
            t = thread;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
