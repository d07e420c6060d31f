package org.countersign.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A Redis Cluster of {@code masters} masters (no replicas) from Debian's redis-server, made with {@code redis-cli --cluster create}. */
public final class RealCluster implements AutoCloseable {
    private final List<RealRedis.Server> nodes = new ArrayList<>();

    private RealCluster() {}

    public static RealCluster start(Path dir, int masters) throws IOException, InterruptedException {
        var cluster = new RealCluster();
        try {
            for (int i = 0; i < masters; i++)
                cluster.nodes.add(RealRedis.server(dir, "cluster-enabled yes", "cluster-config-file nodes.conf",
                        "cluster-node-timeout 2000"));
            var command = new ArrayList<>(RealRedis.command("redis-cli"));
            command.add("--cluster");
            command.add("create");
            for (var node : cluster.nodes) command.add("127.0.0.1:" + node.port());
            command.add("--cluster-yes");
            var log = dir.resolve("cluster-create.log");
            var create = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0)
                throw new AssertionError("redis-cli --cluster create failed: " + java.nio.file.Files.readString(log));
            RealRedis.await("cluster_state:ok on every node", RealRedis.UP, () -> cluster.nodes.stream().allMatch(n -> {
                try (var jedis = n.jedis()) {
                    return jedis.clusterInfo().contains("cluster_state:ok");
                }
            }));
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    /** {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,...}. */
    public String url() {
        return "redis-cluster://" + String.join(",", nodes.stream().map(n -> "127.0.0.1:" + n.port()).toList());
    }

    public List<RealRedis.Server> nodes() { return List.copyOf(nodes); }

    @Override
    public void close() {
        nodes.forEach(RealRedis.Server::close);
    }
}
