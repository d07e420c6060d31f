package org.countersign.bench;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.countersign.PolicyFile;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.domain.Actor;
import org.countersign.domain.Draft;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.RequestId;
import org.countersign.domain.Workflow;
import org.countersign.store.RedisRequestStore;
import redis.clients.jedis.UnifiedJedis;

/**
 * Opens real requests straight into Redis, as another Countersign instance would: the same Workflow, the same
 * store and save script. Fast, so the benchmark can fill Redis with 100,000 requests in seconds.
 */
final class Requests {
    private final RequestService service;
    private final RedisRequestStore store;
    private final BenchPolicy people;

    Requests(UnifiedJedis redis, String prefix, BenchPolicy people) {
        var policy = PolicyFile.load(people.file());
        this.store = new RedisRequestStore(redis, prefix);
        this.service = new RequestService(store, new PolicyDirectory(policy), new Workflow(policy), Clock.systemUTC());
        this.people = people;
    }

    RedisRequestStore store() { return store; }

    /** Opens {@code n} availability requests from developers, on {@code threads} threads; returns their ids, in order. */
    List<RequestId> open(int n, int threads) {
        var pool = Executors.newFixedThreadPool(threads);
        try {
            var parts = new ArrayList<Future<List<RequestId>>>();
            for (int t = 0; t < threads; t++) {
                int from = n * t / threads;
                int to = n * (t + 1) / threads;
                parts.add(pool.submit(() -> {
                    var ids = new ArrayList<RequestId>(to - from);
                    for (int i = from; i < to; i++) ids.add(openOne(i));
                    return ids;
                }));
            }
            var ids = new ArrayList<RequestId>(n);
            for (var part : parts) ids.addAll(part.get());
            Collections.sort(ids);
            return ids;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening requests", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not open requests: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }
    }

    private RequestId openOne(int n) {
        var draft = new Draft("availability", "Bench " + n + ": API returns 500s since the cache deploy", null,
                List.of("https://gerrit.example.org/r/c/operations/+/123456", "987654"), "T12345", true, null, null);
        var outcome = service.open(Actor.slack(people.developer(n)), draft);
        if (!(outcome instanceof Applied applied)) throw new IllegalStateException("not opened: " + outcome.message());
        return applied.request().id();
    }
}
