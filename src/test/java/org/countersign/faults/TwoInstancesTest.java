package org.countersign.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.faults.SlackWorkspace.DEV;
import static org.countersign.faults.SlackWorkspace.REL1;
import static org.countersign.faults.SlackWorkspace.SRE1;
import static org.countersign.faults.SlackWorkspace.SRE2;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.function.Supplier;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.domain.Actor;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.EventType;
import org.countersign.domain.Outcome;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.countersign.domain.TestPolicies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Countersign instances on one Redis and one Slack workspace, people acting on the same request through both
 * at the same moment: one consistent result, each approval once, and one card per request updated once per version.
 */
class TwoInstancesTest {
    @TempDir
    Path dir;

    private SlackWorkspace slack;
    private ControlledRedis redis;
    private Main.Running a;
    private Main.Running b;
    private String atA;
    private String atB;

    @BeforeEach
    void start() throws Exception {
        slack = new SlackWorkspace();
        redis = ControlledRedis.start(dir.resolve("redis"));
        a = instance("web-a");
        b = instance("web-b");
        atA = SlackWorkspace.endpoint(a.port());
        atB = SlackWorkspace.endpoint(b.port());
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
        redis.close();
        slack.close();
    }

    @Test
    void both_teams_approving_at_once_on_two_instances_count_once_each_and_approve_the_request_once() {
        var id = slack.open(atA, DEV, "availability");
        var sre = slack.button(id, "approve:sre", SRE1);
        var releng = slack.button(id, "approve:releng", REL1);

        var clicks = atOnce(() -> slack.press(atA, sre), () -> slack.press(atB, releng));

        assertThat(clicks).allMatch(c -> c.reply().status() == 200);
        var request = settled(id);
        assertThat(request.state()).isEqualTo(State.APPROVED);
        assertThat(request.approvals()).extracting(x -> x.team() + " " + x.by())
                .containsExactlyInAnyOrder("sre " + Actor.slack(SRE1), "releng " + Actor.slack(REL1));
        assertThat(types(id)).containsExactly(EventType.REQUEST_OPENED, EventType.APPROVAL_ADDED,
                EventType.APPROVAL_ADDED, EventType.REQUEST_APPROVED);
        assertThat(slack.cardText(id)).contains("approved by <@U0SRE1>").contains("approved by <@U0REL1>");
        assertOneCardUpdatedOncePerVersion(id);
    }

    @Test
    void a_rejection_on_one_instance_and_the_last_approval_on_the_other_at_once_end_in_one_outcome() {
        var orders = new ArrayList<String>();
        for (int round = 0; round < 4; round++) {
            var id = slack.open(atA, DEV, "availability");
            slack.press(atA, id, "approve:sre", SRE1);
            slack.awaitCardShows(id, "approved by <@U0SRE1>", SlackWorkspace.WAIT);
            var form = slack.rejectionForm(atA, id, SRE2);
            var releng = slack.button(id, "approve:releng", REL1);

            var results = atOnce(() -> slack.reject(atA, form, SRE2, "Roll back instead").body(),
                    () -> slack.press(atB, releng));

            // A rejection may stop a pending or an approved request, so it is taken either way; the approval only
            // when it came first.
            var request = settled(id);
            assertThat((String) results.get(0)).as("the rejection was taken").isEmpty();
            assertThat(request.state()).isEqualTo(State.REJECTED);
            var approval = (SlackWorkspace.Click) results.get(1);
            var types = types(id);
            assertThat(types).containsOnlyOnce(EventType.REQUEST_REJECTED).endsWith(EventType.REQUEST_REJECTED);
            if (types.contains(EventType.REQUEST_APPROVED)) {
                orders.add("approved, then rejected");
                assertThat(types).containsOnlyOnce(EventType.REQUEST_APPROVED);
                assertThat(request.approvals()).extracting(x -> x.team()).containsExactlyInAnyOrder("sre", "releng");
            } else {
                orders.add("rejected, approval refused");
                assertThat(slack.awaitAnswer(approval, SlackWorkspace.WAIT).text()).contains("was rejected by bob");
                assertThat(request.approvals()).extracting(x -> x.team()).containsExactly("sre");
            }
            assertOneCardUpdatedOncePerVersion(id);
        }
        System.out.println("rejection against the last approval, on two instances at once: " + orders);
    }

    @Test
    void double_clicks_across_two_instances_record_one_approval_and_one_card_update() {
        var id = slack.open(atA, DEV, "availability");
        var sre = slack.button(id, "approve:sre", SRE1);

        var clicks = atOnce(() -> slack.press(atA, sre), () -> slack.press(atB, sre), () -> slack.press(atA, sre),
                () -> slack.press(atB, sre));

        assertThat(clicks).allMatch(c -> c.reply().status() == 200);
        var request = settled(id);
        assertThat(request.approvals()).hasSize(1);
        assertThat(request.version()).isEqualTo(2);
        await().atMost(SlackWorkspace.WAIT).until(() -> clicks.stream().filter(c -> slack.answer(c).isPresent()).count() == 3);
        var answers = clicks.stream().flatMap(c -> slack.answer(c).stream()).map(p -> p.text()).toList();
        assertThat(answers).hasSize(3).allMatch(t -> t.contains("You already approved " + id + " for SRE"));
        assertOneCardUpdatedOncePerVersion(id);
    }

    @Test
    void a_request_approved_on_one_instance_the_moment_the_other_opened_it_gets_one_card() {
        var ids = new ArrayList<RequestId>();
        for (int round = 0; round < 8; round++) {
            var opened = (Outcome.Applied) a.service().open(TestPolicies.DEV, TestPolicies.draft("availability"));
            var id = opened.request().id();
            assertThat(b.service().approve(id, TestPolicies.SRE1, "sre")).isInstanceOf(Outcome.Applied.class);
            ids.add(id);
        }

        for (var id : ids) {
            await().atMost(SlackWorkspace.WAIT).until(() -> !slack.cardPosts(id).isEmpty());
            settled(id);
            assertOneCardUpdatedOncePerVersion(id);
        }
    }

    /** The request once both instances are done with its events and its card shows its version. */
    private EmergencyRequest settled(RequestId id) {
        await().atMost(SlackWorkspace.WAIT).until(() -> {
            var request = a.service().find(id).orElseThrow();
            try (var client = redis.client()) {
                var card = client.get("{cs}:kv:slack:card:" + id);
                return card != null && card.endsWith(" " + request.version())
                        && client.xpending("{cs}:events", "slack-cards").getTotal() == 0;
            }
        });
        var request = a.service().find(id).orElseThrow();
        Replay.assertTimelineLeadsTo(request, a.service().timeline(id));
        return request;
    }

    /** One chat.postMessage for the card; no version shown twice, nor more updates than versions after the first. */
    private void assertOneCardUpdatedOncePerVersion(RequestId id) {
        var request = a.service().find(id).orElseThrow();
        assertThat(slack.cardPosts(id)).as("card posts of " + id).hasSize(1);
        var updates = slack.cardUpdates(id).stream().map(c -> shown(c.json("blocks"))).toList();
        assertThat(updates).as("card updates of " + id + " at version " + request.version()).doesNotHaveDuplicates()
                .hasSizeLessThanOrEqualTo((int) request.version() - 1);
    }

    /** What a card says about the request's progress: its status and each team's line. */
    private static String shown(JsonNode blocks) {
        var lines = new ArrayList<String>();
        for (var block : blocks) {
            var blockId = block.path("block_id").asText();
            if (blockId.equals("status")) lines.add(block.path("text").path("text").asText());
            if (blockId.startsWith("team-")) lines.add(block.path("elements").path(0).path("text").asText());
        }
        return String.join(" | ", lines);
    }

    private List<EventType> types(RequestId id) {
        return a.service().timeline(id).stream().map(e -> e.type()).toList();
    }

    /** Runs every action at the same moment, each on a thread of its own; their results in order. */
    @SafeVarargs
    private static <T> List<T> atOnce(Supplier<? extends T>... actions) {
        var barrier = new CyclicBarrier(actions.length);
        var running = new ArrayList<CompletableFuture<T>>();
        for (var action : actions) {
            running.add(CompletableFuture.supplyAsync(() -> {
                try {
                    barrier.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return action.get();
            }, r -> new Thread(r).start()));
        }
        return running.stream().map(CompletableFuture::join).toList();
    }

    private Main.Running instance(String name) throws Exception {
        var env = new HashMap<>(slack.env());
        env.put("REDIS_URL", redis.url());
        env.put("PORT", String.valueOf(Http.freePort()));
        env.put("DATA_DIR", dir.resolve("unused").toString());
        env.put("COUNTERSIGN_INSTANCE", name);
        return Main.start(Config.fromEnv(env));
    }
}
