package org.countersign.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.TestPolicies.DEV;
import static org.countersign.domain.TestPolicies.REL1;
import static org.countersign.domain.TestPolicies.SRE1;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.app.RequestService;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.countersign.domain.TestPolicies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Redis goes away and starts again from its append-only file: every request, timeline and index is as it was. */
class RedisRestartTest {
    @TempDir
    Path dir;

    private ControlledRedis redis;
    private Main.Running countersign;
    private RequestService service;

    @BeforeEach
    void start() throws Exception {
        redis = ControlledRedis.start(dir.resolve("redis"));
        countersign = Main.start(Config.fromEnv(Map.of("REDIS_URL", redis.url(), "PORT", String.valueOf(Http.freePort()),
                "DATA_DIR", dir.resolve("unused").toString())));
        service = countersign.service();
    }

    @AfterEach
    void stop() {
        countersign.close();
        redis.close();
    }

    @Test
    void after_a_clean_stop_redis_starts_from_its_append_only_file_with_every_request_timeline_and_index()
            throws Exception {
        var requests = oneRequestInEachState();
        var stored = dataset();
        var answers = apiAnswers(requests);

        redis.stop();
        var restarted = redis.restart();
        var ready = Http.awaitReady(countersign.port(), Duration.ofSeconds(10));

        assertIntact(requests, stored, answers);
        System.out.printf("clean stop: redis back in %d ms, /readyz 200 %d ms later; %d requests, %d keys intact%n",
                restarted.toMillis(), ready.toMillis(), requests.size(), stored.size());
    }

    @Test
    void after_a_hard_kill_redis_starts_from_its_append_only_file_with_all_that_was_written_a_second_before()
            throws Exception {
        var requests = oneRequestInEachState();
        var stored = dataset();
        var answers = apiAnswers(requests);
        Thread.sleep(1_500); // appendfsync everysec: a kill may lose the last second, no more

        var pid = redis.kill();
        var restarted = redis.restart();
        var ready = Http.awaitReady(countersign.port(), Duration.ofSeconds(10));

        assertIntact(requests, stored, answers);
        System.out.printf("SIGKILL to redis-server (pid %d): back in %d ms, /readyz 200 %d ms later; %d requests, "
                + "%d keys intact%n", pid, restarted.toMillis(), ready.toMillis(), requests.size(), stored.size());
    }

    /** The same keys and values, the same API answers, timelines that lead to each state, and a service that goes on. */
    private void assertIntact(Map<State, RequestId> requests, Dataset stored, Map<String, String> answers)
            throws Exception {
        assertThat(dataset()).isEqualTo(stored);
        assertThat(apiAnswers(requests)).isEqualTo(answers);
        requests.forEach((state, id) -> {
            var request = service.find(id).orElseThrow();
            assertThat(request.state()).isEqualTo(state);
            Replay.assertTimelineLeadsTo(request, service.timeline(id));
            assertThat(service.recent(java.util.Set.of(state), 10)).extracting(r -> r.id()).containsExactly(id);
        });

        var pending = requests.get(State.PENDING);
        assertThat(applied(service.approve(pending, REL1, "releng")).state()).isEqualTo(State.APPROVED);
        var next = applied(service.open(DEV, TestPolicies.draft("abuse"))).id();
        assertThat(next.number()).as("request numbers go on from where they were")
                .isEqualTo(requests.values().stream().mapToLong(RequestId::number).max().orElseThrow() + 1);
    }

    /** Seven requests, each taken through real steps to a different state, with their timelines. */
    private Map<State, RequestId> oneRequestInEachState() {
        var requests = new EnumMap<State, RequestId>(State.class);
        var pending = opened();
        applied(service.approve(pending, SRE1, "sre"));
        requests.put(State.PENDING, pending);
        requests.put(State.APPROVED, approved());
        var deploying = approved();
        applied(service.startDeploy(deploying, SRE1));
        requests.put(State.DEPLOYING, deploying);
        var rolledBack = approved();
        applied(service.startDeploy(rolledBack, SRE1));
        applied(service.finishDeploy(rolledBack, REL1, DeployResult.ROLLED_BACK, "the fix made it worse"));
        requests.put(State.ROLLED_BACK, rolledBack);
        var closed = approved();
        applied(service.startDeploy(closed, SRE1));
        applied(service.finishDeploy(closed, REL1, DeployResult.SUCCEEDED, null));
        applied(service.close(closed, DEV, "Proper fix in T12346"));
        requests.put(State.CLOSED, closed);
        var rejected = opened();
        applied(service.approve(rejected, SRE1, "sre"));
        applied(service.reject(rejected, REL1, "Roll back instead"));
        requests.put(State.REJECTED, rejected);
        var cancelled = opened();
        applied(service.cancel(cancelled, DEV, null));
        requests.put(State.CANCELLED, cancelled);
        requests.forEach((state, id) -> assertThat(service.find(id).orElseThrow().state()).isEqualTo(state));
        return requests;
    }

    private RequestId opened() {
        return applied(service.open(DEV, TestPolicies.draft("availability"))).id();
    }

    private RequestId approved() {
        var id = opened();
        applied(service.approve(id, SRE1, "sre"));
        applied(service.approve(id, REL1, "releng"));
        return id;
    }

    private static org.countersign.domain.EmergencyRequest applied(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Applied.class);
        return ((Outcome.Applied) outcome).request();
    }

    /** What the API answers for each request, each state's list and the whole list; every answer a 200. */
    private Map<String, String> apiAnswers(Map<State, RequestId> requests) throws Exception {
        var answers = new TreeMap<String, String>();
        var paths = new java.util.ArrayList<String>();
        paths.add("/api/requests");
        for (var state : requests.keySet()) paths.add("/api/requests?state=" + state.name().toLowerCase());
        for (var id : requests.values()) paths.add("/api/requests/" + id);
        for (var path : paths) {
            var response = Http.get(countersign.port(), path, countersign.startupToken().orElseThrow());
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            answers.put(path, response.body());
        }
        return answers;
    }

    private Dataset dataset() {
        try (var client = redis.client()) {
            return Dataset.of(client, "{cs}:");
        }
    }
}
