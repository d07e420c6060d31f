package org.countersign.store;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisMonitor;

/**
 * Every command a Redis server runs while it is open, from MONITOR: what clients sent, and apart from it what
 * scripts ran inside ({@code [0 lua]} in MONITOR's lines). For command budgets: counting is exact, unlike timing.
 */
public final class CommandLog implements AutoCloseable {
    /** A command as MONITOR showed it: its name in lower case, and whether a script ran it. */
    public record Command(String name, boolean inScript, String line) {}

    private final Jedis monitor;
    private final Jedis probe;
    private final List<Command> seen = new ArrayList<>();
    private final String endMark = "command-log-end-" + UUID.randomUUID();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Thread reader;

    private CommandLog(URI redis) throws InterruptedException {
        monitor = new Jedis(redis);
        probe = new Jedis(redis);
        var startMark = "command-log-start-" + UUID.randomUUID();
        reader = new Thread(() -> {
            try {
                monitor.monitor(new JedisMonitor() {
                    @Override
                    public void onCommand(String line) {
                        if (line.contains(startMark)) { started.countDown(); return; }
                        if (started.getCount() > 0) return;
                        if (line.contains(endMark)) { ended.countDown(); monitor.disconnect(); return; }
                        synchronized (seen) { seen.add(parse(line)); }
                    }
                });
            } catch (RuntimeException e) {
                // disconnected at the end mark: MONITOR has no other way out
            }
        }, "command-log");
        reader.setDaemon(true);
        reader.start();
        // MONITOR starts when Redis has it; the first mark it shows is where counting begins.
        while (!started.await(20, TimeUnit.MILLISECONDS)) probe.echo(startMark);
    }

    /** Starts logging what {@code redis} runs from now on. */
    public static CommandLog of(URI redis) {
        try {
            return new CommandLog(redis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting MONITOR", e);
        }
    }

    /** Stops logging and returns every command seen since the start, in order. */
    public List<Command> stop() {
        probe.echo(endMark);
        try {
            if (!ended.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("MONITOR never showed the end mark");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping MONITOR", e);
        }
        synchronized (seen) { return List.copyOf(seen); }
    }

    /** How many {@code name} commands clients sent so far. */
    public long sentSoFar(String name) {
        synchronized (seen) { return seen.stream().filter(c -> !c.inScript() && c.name().equals(name)).count(); }
    }

    /** Commands clients sent (a script's EVALSHA counts once, what it runs inside not at all), by name. */
    public static Map<String, Long> sent(List<Command> commands) { return byName(commands, false); }

    /** Commands scripts ran inside, by name. */
    public static Map<String, Long> inScripts(List<Command> commands) { return byName(commands, true); }

    private static Map<String, Long> byName(List<Command> commands, boolean inScript) {
        var counts = new TreeMap<String, Long>();
        for (var c : commands) if (c.inScript() == inScript) counts.merge(c.name(), 1L, Long::sum);
        return counts;
    }

    public static long total(Map<String, Long> counts) { return counts.values().stream().mapToLong(Long::longValue).sum(); }

    // 1700000000.123456 [0 127.0.0.1:54321] "hget" "cs:req:1" "json"   or   ... [0 lua] "zadd" ...
    static Command parse(String line) {
        int bracket = line.indexOf('[');
        int close = line.indexOf(']', bracket);
        boolean lua = bracket >= 0 && close > bracket && line.substring(bracket, close).endsWith(" lua");
        int quote = line.indexOf('"', close);
        int end = line.indexOf('"', quote + 1);
        var name = quote >= 0 && end > quote ? line.substring(quote + 1, end).toLowerCase(java.util.Locale.ROOT) : line;
        return new Command(name, lua, line);
    }

    @Override
    public void close() {
        monitor.disconnect();
        probe.close();
    }
}
