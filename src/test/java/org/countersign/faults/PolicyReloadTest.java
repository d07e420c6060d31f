package org.countersign.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.countersign.faults.SlackWorkspace.DEV;
import static org.countersign.faults.SlackWorkspace.REL1;
import static org.countersign.faults.SlackWorkspace.SRE1;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.countersign.store.RedisRequestStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy reloaded in a running process, as an operator does it: SIGHUP after editing the file, or a new file put
 * in place (as a ConfigMap update does). New requests get the new rules; open ones keep their teams and hash; a bad
 * file changes nothing and says every problem.
 */
class PolicyReloadTest {
    private static final String AVAILABILITY = "availability:  { label: Availability, teams: [sre, releng] }";
    private static final String SCRAPER = "A scraper ignoring HTTP 429";

    @TempDir
    Path dir;

    private SlackWorkspace slack;
    private ControlledRedis redis;
    private Path policy;
    private CountersignProcess process;
    private String endpoint;

    @BeforeEach
    void start() throws Exception {
        slack = new SlackWorkspace();
        redis = ControlledRedis.start(dir.resolve("redis"));
        policy = dir.resolve("policy.yml");
        Files.writeString(policy, Files.readString(Path.of("infra/policy.example.yml")));
        assertThat(Files.readString(policy)).contains(AVAILABILITY);
    }

    @AfterEach
    void stop() {
        if (process != null) process.close();
        redis.close();
        slack.close();
    }

    @Test
    void SIGHUP_reloads_the_policy_and_an_open_request_keeps_its_teams_and_the_hash_it_was_opened_under()
            throws Exception {
        start("off");
        String first = sha256(policy);
        assertThat(readyPolicy()).isEqualTo(first);
        assertThat(metrics()).contains("countersign_policy_info{sha256=\"" + first + "\"} 1");
        var before = slack.open(endpoint, DEV, "availability");

        assertThat(slack.forms().get(0).view().toString()).doesNotContain(SCRAPER);
        // Security joins availability; SRE gets a new label and a reason is added: every word Countersign says follows.
        String second = write(Files.readString(policy).replace(AVAILABILITY,
                "availability:  { label: Availability, teams: [sre, releng, security] }\n"
                        + "  scraper:  { label: " + SCRAPER + ", teams: [sre, releng] }")
                .replace("label: SRE ", "label: Site Reliability "));
        Thread.sleep(2_500); // POLICY_WATCH_INTERVAL=off: nothing but the signal reloads it
        assertThat(readyPolicy()).as("not reloaded before SIGHUP").isEqualTo(first);
        long sent = System.nanoTime();
        process.signal("HUP");
        await().atMost(Duration.ofSeconds(10)).until(() -> readyPolicy().equals(second));
        long reloadMillis = Duration.ofNanos(System.nanoTime() - sent).toMillis();
        assertThat(process.log()).contains("Policy reloaded from " + policy + " (SIGHUP): now sha256 " + second
                + " (was " + first + ")");
        assertThat(metrics()).contains("countersign_policy_info{sha256=\"" + second + "\"} 1")
                .doesNotContain("sha256=\"" + first + "\"")
                .contains("countersign_policy_reloads_total{result=\"applied\"} 1");

        var after = slack.open(endpoint, DEV, "availability");
        assertThat(slack.cardText(after)).contains("Approve as Site Reliability").contains("Approve as Security")
                .doesNotContain("Approve as SRE");
        assertThat(slack.forms().get(1).view().toString()).as("the reloaded form offers the new reason").contains(SCRAPER);
        assertThat(stored(after).requiredTeams()).containsExactly("sre", "releng", "security");
        assertThat(stored(after).policySha256()).isEqualTo(second);
        assertThat(stored(before).requiredTeams()).containsExactly("sre", "releng");
        assertThat(stored(before).policySha256()).isEqualTo(first);
        // Its two teams still approve it, as they would have under the policy it was opened under.
        slack.press(endpoint, before, "approve:sre", SRE1);
        slack.press(endpoint, before, "approve:releng", REL1);
        await().atMost(SlackWorkspace.WAIT).until(() -> stored(before).state() == State.APPROVED);
        slack.awaitCardShows(before, "Site Reliability", SlackWorkspace.WAIT);
        await().atMost(SlackWorkspace.WAIT).until(() -> slack.replies(before).stream()
                .anyMatch(m -> m.text().contains("for Site Reliability")));
        slack.press(endpoint, after, "approve:sre", SRE1);
        slack.press(endpoint, after, "approve:releng", REL1);
        await().atMost(SlackWorkspace.WAIT).until(() -> stored(after).approvals().size() == 2);
        assertThat(stored(after).state()).as("Security must still sign the new one").isEqualTo(State.PENDING);

        System.out.printf("SIGHUP to the new policy on /readyz: %d ms%n", reloadMillis);
    }

    @Test
    void a_bad_file_keeps_the_running_policy_and_every_problem_is_logged_and_shown_on_readyz() throws Exception {
        start("off");
        String good = sha256(policy);
        write(Files.readString(policy)
                .replace(AVAILABILITY, "availability:  { label: Availability, teams: [sre, nobody] }")
                .replace("expire-after: 60m", "expire-after: soon"));
        process.signal("HUP");
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains(
                "countersign_policy_reloads_total{result=\"refused\"} 1"));

        assertThat(readyPolicy()).isEqualTo(good);
        var ready = new ObjectMapper().readTree(Http.get(process.port(), "/readyz").body());
        assertThat(ready.path("status").asText()).isEqualTo("ready");
        assertThat(ready.path("warnings").toString()).contains("nobody").contains("soon")
                .contains("still sha256 " + good);
        var log = process.log();
        assertThat(log.substring(log.indexOf("not reloaded"))).contains("2 problem(s)").contains("nobody")
                .contains("soon");
        var opened = slack.open(endpoint, DEV, "availability");
        assertThat(stored(opened).requiredTeams()).containsExactly("sre", "releng");
        assertThat(stored(opened).policySha256()).isEqualTo(good);
    }

    @Test
    void a_new_file_put_in_place_is_reloaded_within_seconds_without_a_signal() throws Exception {
        start(null);
        String first = sha256(policy);
        // As a ConfigMap update lands: a new file renamed over the old one.
        var next = dir.resolve("policy.yml.new");
        Files.writeString(next, Files.readString(policy).replace(AVAILABILITY,
                "availability:  { label: Availability, teams: [sre, releng, security] }"));
        long moved = System.nanoTime();
        Files.move(next, policy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        String second = sha256(policy);
        await().atMost(Duration.ofSeconds(10)).until(() -> readyPolicy().equals(second));
        long millis = Duration.ofNanos(System.nanoTime() - moved).toMillis();
        assertThat(process.log()).contains("(the file changed): now sha256 " + second + " (was " + first + ")");
        var opened = slack.open(endpoint, DEV, "availability");
        assertThat(stored(opened).requiredTeams()).containsExactly("sre", "releng", "security");
        System.out.printf("policy file replaced to the new policy on /readyz: %d ms (looked at every 2 s)%n", millis);
    }

    private void start(String watch) throws Exception {
        var env = new HashMap<>(slack.env());
        env.put("REDIS_URL", redis.url());
        env.put("PORT", String.valueOf(Http.freePort()));
        env.put("DATA_DIR", dir.resolve("data").toString());
        env.put("POLICY_FILE", policy.toString());
        if (watch != null) env.put("POLICY_WATCH_INTERVAL", watch);
        process = CountersignProcess.start(env, dir.resolve("countersign.log"));
        endpoint = SlackWorkspace.endpoint(process.port());
    }

    private String write(String text) throws Exception {
        Files.writeString(policy, text);
        return sha256(policy);
    }

    private String readyPolicy() throws Exception {
        return new ObjectMapper().readTree(Http.get(process.port(), "/readyz").body()).path("policy").asText();
    }

    private String metrics() throws Exception {
        return Http.get(process.port(), "/metrics").body();
    }

    private EmergencyRequest stored(RequestId id) {
        try (var client = redis.client()) {
            return new RedisRequestStore(client).find(id).orElseThrow();
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
