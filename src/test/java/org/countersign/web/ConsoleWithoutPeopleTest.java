package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.countersign.domain.TestPolicies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console switched on (CONSOLE=on) with a policy that names no console people: nobody to act as, so the page
 * shows the channel as anyone may see it, and a confidential request stored there is shown without its details.
 */
class ConsoleWithoutPeopleTest {
    @TempDir
    static Path dataDir;
    static WebFixture web;

    @BeforeAll
    static void start() throws Exception {
        var example = Files.readString(Path.of("infra", "policy.example.yml"));
        var policy = dataDir.resolve("policy.yml");
        Files.writeString(policy, example.replaceAll("(?m)^\\s*console-users:.*$", "").replaceAll(",? console: \\w+", ""));
        web = new WebFixture(dataDir.resolve("data"), Map.of("POLICY_FILE", policy.toString(), "CONSOLE", "on"));
        web.service.service().open(TestPolicies.DEV, TestPolicies.draft("security"));
    }

    @AfterAll
    static void stop() {
        web.close();
    }

    @Test
    void the_console_page_answers_200_and_hides_the_confidential_requests_details() throws Exception {
        var page = web.get("/console");
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.body()).contains("Confidential").doesNotContain(TestPolicies.draft("security").summary());
    }

    @Test
    void the_channel_and_a_card_without_a_person_get_a_4xx_not_a_5xx() throws Exception {
        for (var path : new String[] {"/console/channel", "/console/cards/EMG-1", "/console/channel?as=", "/console/cards/EMG-1?as=nobody"}) {
            var answer = web.get(path);
            assertThat(answer.statusCode()).as(path + " " + answer.body()).isBetween(200, 499);
        }
    }
}
