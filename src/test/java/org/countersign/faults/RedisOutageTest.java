package org.countersign.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.faults.SlackWorkspace.DEV;
import static org.countersign.faults.SlackWorkspace.SRE1;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Redis stops in the middle of a request's life: Countersign says so plainly, writes nothing, and recovers by itself. */
class RedisOutageTest {
    static final String UNAVAILABLE = "State store unavailable; nothing was recorded, try again";

    @TempDir
    Path dir;

    private SlackWorkspace slack;
    private ControlledRedis redis;
    private Main.Running countersign;
    private String endpoint;

    @BeforeEach
    void start() throws Exception {
        slack = new SlackWorkspace();
        redis = ControlledRedis.start(dir.resolve("redis"));
        var env = new HashMap<>(slack.env());
        env.put("REDIS_URL", redis.url());
        env.put("PORT", String.valueOf(Http.freePort()));
        env.put("DATA_DIR", dir.resolve("unused").toString());
        countersign = Main.start(Config.fromEnv(env));
        endpoint = SlackWorkspace.endpoint(countersign.port());
    }

    @AfterEach
    void stop() {
        countersign.close();
        redis.close();
        slack.close();
    }

    @Test
    void while_redis_is_down_a_click_is_acked_and_told_within_3_s_that_nothing_was_recorded_and_readyz_is_503()
            throws Exception {
        var id = slack.open(endpoint, DEV, "availability");
        var approve = slack.button(id, "approve:sre", SRE1);
        redis.stop();

        var sent = Instant.now();
        var click = slack.press(endpoint, approve);
        var acked = Duration.between(sent, Instant.now());
        var answer = slack.awaitAnswer(click, Duration.ofSeconds(5));
        var answered = Duration.between(sent, answer.at());

        assertThat(click.reply().status()).isEqualTo(200);
        assertThat(answer.responseType()).isEqualTo("ephemeral");
        assertThat(answer.text()).startsWith(UNAVAILABLE);
        assertThat(answered).as("time to the 'unavailable' answer").isLessThan(Duration.ofSeconds(3));
        var ready = Http.get(countersign.port(), "/readyz");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("\"error\"").contains("Redis");
        System.out.printf("redis down: click acked in %d ms, 'unavailable' answer after %d ms, /readyz %d %s%n",
                acked.toMillis(), answered.toMillis(), ready.statusCode(), ready.body());
    }

    @Test
    void a_click_refused_while_redis_was_down_left_nothing_half_written_and_after_redis_restarts_it_approves()
            throws Exception {
        var id = slack.open(endpoint, DEV, "availability");
        var approve = slack.button(id, "approve:sre", SRE1);
        var before = settledDataset(id);
        redis.stop();
        var refused = slack.press(endpoint, approve);
        assertThat(slack.awaitAnswer(refused, Duration.ofSeconds(5)).text()).startsWith(UNAVAILABLE);

        var redisStart = redis.restart();
        var ready = Http.awaitReady(countersign.port(), Duration.ofSeconds(10));
        assertThat(dataset()).as("nothing of the refused click was written").isEqualTo(before);

        var sent = Instant.now();
        var click = slack.press(endpoint, approve);
        assertThat(click.reply().status()).isEqualTo(200);
        slack.awaitCardShows(id, "approved by <@U0SRE1>", Duration.ofSeconds(10));
        var cardUpdated = Duration.between(sent, Instant.now());

        assertThat(slack.answer(click)).as("an applied approval needs no answer").isEmpty();
        var request = countersign.service().find(id).orElseThrow();
        assertThat(request.state()).isEqualTo(State.PENDING);
        assertThat(request.approvals()).extracting(a -> a.team()).containsExactly("sre");
        assertThat(request.version()).isEqualTo(2);
        System.out.printf("redis back: started in %d ms, /readyz 200 after %d ms more, the retried click on the "
                + "card in %d ms; %d keys unchanged by the refused click%n", redisStart.toMillis(), ready.toMillis(),
                cardUpdated.toMillis(), before.size());
    }

    /** Everything stored, once the card of {@code id} was posted and its event acknowledged. */
    private Dataset settledDataset(RequestId id) {
        await().atMost(SlackWorkspace.WAIT).until(() -> {
            try (var client = redis.client()) {
                return client.exists("{cs}:kv:slack:card:" + id)
                        && client.xpending("{cs}:events", "slack-cards").getTotal() == 0;
            }
        });
        return dataset();
    }

    private Dataset dataset() {
        try (var client = redis.client()) {
            return Dataset.of(client, "{cs}:");
        }
    }
}
