package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.countersign.domain.Actor;
import org.countersign.domain.Outcome;
import org.countersign.domain.Platform;
import org.countersign.domain.RequestId;
import org.countersign.domain.TestPolicies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's card carries a line per reminder and expiry warning, as its thread. */
class ConsoleRemindersTest {
    @TempDir
    Path dir;

    private WebFixture web;

    @AfterEach
    void stop() {
        if (web != null) web.close();
    }

    @Test
    void a_reminder_and_the_expiry_warning_are_lines_under_the_console_card() throws Exception {
        var policy = dir.resolve("policy.yml");
        Files.writeString(policy, Files.readString(Path.of("infra/policy.example.yml"))
                .replace("expire-after: 60m", "expire-after: 60s")
                .replace("# remind-after: 15m", "remind-after: 3s")
                .replace("# warn-before-expiry: 10m", "warn-before-expiry: 55s"));
        web = new WebFixture(dir.resolve("data"), Map.of("POLICY_FILE", policy.toString(), "EXPIRY_SWEEP_INTERVAL", "1s"));
        var id = open();

        await().atMost(Duration.ofSeconds(15)).until(() -> web.get("/console/cards/" + id + "?as=dev").body()
                .contains("<li>⏳ "));

        var card = web.get("/console/cards/" + id + "?as=dev").body();
        assertThat(card).containsPattern("<ul class=\"thread\"><li>⏰ Reminder: " + id
                        + " still needs SRE and Release Engineering \\(waiting [0-9]+ s\\)\\.</li>")
                .contains("<li>⏳ " + id + " expires at ")
                .contains("unless SRE and Release Engineering approve it; cancel it if it is no longer needed.</li>");
    }

    @Test
    void without_reminders_in_the_policy_the_console_card_has_no_thread() throws Exception {
        web = new WebFixture(dir.resolve("data"), Map.of("EXPIRY_SWEEP_INTERVAL", "1s"));
        var id = open();
        Thread.sleep(1500);

        assertThat(web.get("/console/cards/" + id + "?as=dev").body()).contains(id.toString()).doesNotContain("thread");
    }

    private RequestId open() {
        var outcome = web.service.service().open(new Actor(Platform.CONSOLE, "dev"), TestPolicies.draft("availability"));
        return ((Outcome.Applied) outcome).request().id();
    }
}
