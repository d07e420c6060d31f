package org.countersign.store;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A master, its replicas and the Sentinels watching it ({@link RealRedis#MASTER}), each a process of its own from
 * Debian's packages. Sentinels call the master down after {@link #DOWN_AFTER} without an answer and promote a replica.
 */
public final class RealSentinel implements AutoCloseable {
    // Far below the defaults (30 s, 3 min) so a failover test takes seconds; not so low that a busy machine's pause
    // looks like a dead master.
    public static final Duration DOWN_AFTER = Duration.ofMillis(1_000);
    public static final Duration FAILOVER_TIMEOUT = Duration.ofMillis(3_000);

    private final List<RealRedis.Server> servers = new ArrayList<>(); // the master first, then the replicas
    private final List<RealRedis.Server> sentinels = new ArrayList<>();

    private RealSentinel() {}

    /** Starts them and waits until every Sentinel knows the master, every replica and every other Sentinel. */
    public static RealSentinel start(Path dir, int replicas, int sentinelCount) throws IOException {
        var topology = new RealSentinel();
        try {
            var master = RealRedis.server(dir, "repl-diskless-sync yes", "repl-diskless-sync-delay 0");
            topology.servers.add(master);
            for (int i = 0; i < replicas; i++)
                topology.servers.add(RealRedis.server(dir, "replicaof 127.0.0.1 " + master.port(),
                        "repl-diskless-sync yes", "repl-diskless-sync-delay 0", "repl-diskless-load on-empty-db"));
            RealRedis.await(replicas + " replicas in sync", RealRedis.UP, () -> {
                try (var jedis = master.jedis()) {
                    return jedis.info("replication").lines().filter(l -> l.matches("slave[0-9]+:.*state=online.*")).count()
                            == replicas;
                }
            });
            int quorum = sentinelCount / 2 + 1;
            for (int i = 0; i < sentinelCount; i++)
                topology.sentinels.add(RealRedis.Server.start(dir, "redis-sentinel", List.of(
                        "sentinel monitor " + RealRedis.MASTER + " 127.0.0.1 " + master.port() + " " + quorum,
                        "sentinel down-after-milliseconds " + RealRedis.MASTER + " " + DOWN_AFTER.toMillis(),
                        "sentinel failover-timeout " + RealRedis.MASTER + " " + FAILOVER_TIMEOUT.toMillis(),
                        "sentinel parallel-syncs " + RealRedis.MASTER + " " + Math.max(1, replicas))));
            RealRedis.await("every Sentinel sees " + replicas + " replicas and " + (sentinelCount - 1) + " other Sentinels",
                    RealRedis.UP, () -> topology.sentinels.stream().allMatch(s -> {
                        try (var jedis = s.jedis()) {
                            return jedis.sentinelReplicas(RealRedis.MASTER).size() == replicas
                                    && jedis.sentinelSentinels(RealRedis.MASTER).size() == sentinelCount - 1;
                        } catch (RuntimeException e) {
                            return false;
                        }
                    }));
            return topology;
        } catch (IOException | RuntimeException | AssertionError e) {
            topology.close();
            throw e;
        }
    }

    /** {@code redis-sentinel://127.0.0.1:p1,127.0.0.1:p2,.../mymaster}. */
    public String url() {
        return "redis-sentinel://" + String.join(",", sentinels.stream().map(s -> "127.0.0.1:" + s.port()).toList())
                + "/" + RealRedis.MASTER;
    }

    public RealRedis.Server master() { return servers.get(0); }

    public List<RealRedis.Server> servers() { return List.copyOf(servers); }

    /** The port the first Sentinel that answers names as the master's now. */
    public int masterPortNow() {
        for (var s : sentinels) {
            try (var jedis = s.jedis()) {
                return Integer.parseInt(jedis.sentinelGetMasterAddrByName(RealRedis.MASTER).get(1));
            } catch (RuntimeException e) {
                // ask the next
            }
        }
        throw new AssertionError("no Sentinel answers");
    }

    public String logs() {
        var text = new StringBuilder();
        for (var s : sentinels) text.append("--- sentinel ").append(s.port()).append('\n').append(s.log());
        for (var s : servers) text.append("--- redis ").append(s.port()).append('\n').append(s.log());
        return text.toString();
    }

    @Override
    public void close() {
        sentinels.forEach(RealRedis.Server::close);
        servers.forEach(RealRedis.Server::close);
    }
}
