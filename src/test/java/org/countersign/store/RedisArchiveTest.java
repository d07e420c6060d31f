package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.TestPolicies.DEV;
import static org.countersign.domain.TestPolicies.REL1;
import static org.countersign.domain.TestPolicies.SRE1;

import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.countersign.app.ArchiveSweeper;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Outcome;
import org.countersign.domain.Policy;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.receipt.AuditLog;
import org.countersign.receipt.SigningKeys;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * Retention on a real Redis: finished requests past {@code retain-for} leave the live keys and indexes for the archive,
 * which takes a fraction of the memory, and the audit export reads them there, line for line as before.
 */
class RedisArchiveTest {
    /** How many requests the memory is measured at (the figure in the README is at 10,000). */
    static final int REQUESTS = Integer.getInteger("countersign.archive.requests", 2_000);
    static final Instant OPENED = Instant.parse("2025-01-06T09:00:00Z");

    private final UnifiedJedis redis = TestRedis.client();
    private final String prefix = TestRedis.uniquePrefix();
    private final Keys keys = new Keys(prefix);
    private final RedisRequestStore store = new RedisRequestStore(redis, prefix);
    private final RedisArchive archive = new RedisArchive(redis, prefix);
    private final SigningKeys signing = SigningKeys.ephemeral();

    private RequestService serviceAt(Instant now) {
        return new RequestService(store, new PolicyDirectory(TestPolicies.standard()), new Workflow(TestPolicies.standard()),
                Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void finished_requests_past_retain_for_leave_the_live_indexes_and_the_audit_export_still_reads_them_line_for_line() {
        var service = serviceAt(OPENED);
        var ids = new ArrayList<RequestId>();
        for (int i = 0; i < REQUESTS; i++) ids.add(deployedAndClosed(service));
        var stillOpen = opened(service);
        var exportBefore = export();
        var liveBefore = liveBytes(ids);

        var sweeper = new ArchiveSweeper(archive, () -> Policy.DEFAULT_RETAIN_FOR,
                Clock.fixed(OPENED.plus(Policy.DEFAULT_RETAIN_FOR).plusSeconds(1), ZoneOffset.UTC));
        long started = System.nanoTime();
        int moved = sweeper.sweepOnce();
        var took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(moved).isEqualTo(REQUESTS);
        assertThat(redis.zcard(keys.all())).as("requests in the live index").isEqualTo(1);
        assertThat(store.countByState()).containsEntry(State.CLOSED, 0L).containsEntry(State.PENDING, 1L);
        assertThat(store.recent(Set.of(), 10)).extracting(r -> r.id()).containsExactly(stillOpen);
        assertThat(redis.exists(keys.request(ids.get(0)))).isFalse();
        assertThat(redis.exists(keys.timeline(ids.get(0)))).isFalse();
        var exportAfter = export();
        assertThat(AuditLog.verify(exportAfter, signing.published()).valid()).isTrue();
        assertThat(exportAfter).as("the export, archived or not").isEqualTo(exportBefore);
        assertThat(exportAfter).hasSize(REQUESTS * 7 + 1 + 1);

        long liveAfter = liveBytes(ids);
        long archived = 0;
        for (long b = 0; b <= REQUESTS / RedisArchive.BUCKET; b++)
            archived += usage(keys.prefix() + "archive:" + b);
        assertThat(liveAfter).as("live bytes after archiving").isLessThan(liveBefore / 20);
        assertThat(archived).as("archived bytes").isPositive().isLessThan(liveBefore / 3);
        System.out.printf("%d closed requests (7 timeline entries each): live keys and indexes %d bytes per request "
                        + "before, %d after; the archive %d bytes per request; moved in %d ms; events stream (capped) "
                        + "%d bytes per request%n", REQUESTS, liveBefore / REQUESTS, liveAfter / REQUESTS,
                archived / REQUESTS, took.toMillis(), usage(keys.events()) / REQUESTS);
    }

    @Test
    void a_finished_request_changed_after_the_cutoff_and_an_open_one_stay_live() {
        var service = serviceAt(OPENED);
        var open = opened(service);
        var rejected = opened(service);
        serviceAt(OPENED.plus(Duration.ofDays(30))).reject(rejected, SRE1, "not now");
        var cutoff = OPENED.plus(Duration.ofDays(10));

        assertThat(archive.archive(open, cutoff)).as("open").isFalse();
        assertThat(archive.archive(rejected, cutoff)).as("rejected after the cutoff").isFalse();
        assertThat(archive.finishedOpenedBefore(cutoff, 0, 10)).containsExactly(rejected);
        assertThat(new ArchiveSweeper(archive, () -> Duration.ofDays(10), Clock.fixed(cutoff.plus(Duration.ofDays(10)),
                ZoneOffset.UTC)).sweepOnce()).isZero();
        assertThat(store.find(open)).isPresent();
        assertThat(store.find(rejected)).isPresent();

        assertThat(archive.archive(rejected, OPENED.plus(Duration.ofDays(31)))).isTrue();
        assertThat(store.find(rejected)).isEmpty();
        assertThat(store.history(1, 10)).extracting(k -> k.request().id() + " " + k.request().state() + " "
                + k.timeline().size()).containsExactly(open + " PENDING 1", rejected + " REJECTED 2");
    }

    private RequestId deployedAndClosed(RequestService service) {
        var id = opened(service);
        applied(service.approve(id, SRE1, "sre"));
        applied(service.approve(id, REL1, "releng"));
        applied(service.startDeploy(id, REL1));
        applied(service.finishDeploy(id, REL1, DeployResult.SUCCEEDED, "rolled out to every region"));
        applied(service.close(id, REL1, "cache fixed; follow-up in the incident review"));
        return id;
    }

    private static RequestId opened(RequestService service) {
        return ((Outcome.Applied) applied(service.open(DEV, TestPolicies.draft("availability")))).request().id();
    }

    private static Outcome applied(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Applied.class);
        return outcome;
    }

    private List<String> export() {
        var out = new StringWriter();
        var service = serviceAt(OPENED);
        AuditLog.export(new AuditLog.History() {
            @Override public long highest() { return service.highestNumber(); }

            @Override public List<AuditLog.Recorded> numbered(long from, int count) {
                return service.history(from, count).stream().map(k -> new AuditLog.Recorded(k.request(), k.timeline()))
                        .toList();
            }
        }, null, OPENED.plus(Duration.ofDays(500)), signing, out);
        return out.toString().lines().toList();
    }

    /** MEMORY USAGE of every request's hash and timeline and of every index, exactly (SAMPLES 0). */
    private long liveBytes(List<RequestId> ids) {
        long bytes = usage(keys.all()) + usage(keys.open());
        for (var s : State.values()) bytes += usage(keys.state(s));
        for (var id : ids) bytes += usage(keys.request(id)) + usage(keys.timeline(id));
        return bytes;
    }

    private long usage(String key) {
        var bytes = redis.memoryUsage(key, 0);
        return bytes == null ? 0 : bytes;
    }
}
