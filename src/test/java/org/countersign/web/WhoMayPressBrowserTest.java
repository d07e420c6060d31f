package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.countersign.app.RequestService;
import org.countersign.domain.Actor;
import org.countersign.domain.Outcome;
import org.countersign.domain.Platform;
import org.countersign.domain.TestPolicies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in real headless Chromium, for the person looking: only the buttons they may press are on, each of the
 * others says why on hover and as its accessible description, in the words the press would get; a confidential card
 * shows what it is about to a member of its teams and its id, state and teams only to a person in none. At a phone's
 * width and a desktop's; screenshots go to target/screenshots/.
 */
class WhoMayPressBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    static final String SECRET = "Patch the token check that lets anyone in";

    @TempDir
    static Path dataDir;
    @TempDir
    static Path profile;
    static WebFixture web;
    static ChromeDriver driver;
    /** Pending, opened by dev; approved, opened by dev with no deployer; confidential, opened by alice. */
    static String pending, approved, confidential;

    @BeforeAll
    static void start() throws Exception {
        Chromium.requireInstalled();
        web = new WebFixture(dataDir, Map.of());
        var service = web.service.service();
        pending = open(service, "dev", TestPolicies.draft("availability"));
        var draft = TestPolicies.draft("availability");
        approved = open(service, "dev", draft);
        service.approve(org.countersign.domain.RequestId.parse(approved).orElseThrow(), console("alice"), "sre");
        service.approve(org.countersign.domain.RequestId.parse(approved).orElseThrow(), console("carol"), "releng");
        var secret = TestPolicies.draft("security");
        confidential = open(service, "alice", new org.countersign.domain.Draft(secret.reason(), SECRET, "Reproduced with a crafted header",
                secret.changes(), secret.task(), secret.rollback(), secret.whyNotRollback(), null));
        driver = Chromium.start(profile);
        driver.get(web.service.startupLink());
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlToBe(web.base + "/console"));
    }

    private static Actor console(String name) { return new Actor(Platform.CONSOLE, name); }

    private static String open(RequestService service, String by, org.countersign.domain.Draft draft) {
        return ((Outcome.Applied) service.open(console(by), draft)).request().id().toString();
    }

    @AfterAll
    static void stop() {
        if (driver != null) driver.quit();
        if (web != null) web.close();
    }

    @ParameterizedTest(name = "at {0} px wide")
    @ValueSource(ints = {390, 1280})
    void the_requester_may_not_approve_their_own_request_and_is_told_why_on_the_button(int width) {
        look("/console?as=dev", width);
        stable(() -> {
            assertOff(button(pending, "button[data-team=sre]"), "You opened " + pending + ", so someone else must approve it");
            assertThat(button(pending, "button[data-action=reject]").getAttribute("aria-disabled"))
                    .as("dev is in no required team").isEqualTo("true");
            assertThat(button(pending, "button[data-action=edit]").getAttribute("aria-disabled")).isNull();
        });
        shot("who-may-press-dev", width);

        // Pressed anyway (a keyboard reaches it): the reason is said, nothing is sent.
        stable(() -> {
            var sre = button(pending, "button[data-team=sre]");
            driver.executeScript("arguments[0].scrollIntoView({block: 'center'})", sre);
            sre.click();
        });
        var said = new WebDriverWait(driver, WAIT).until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#channel .message.ephemeral.error")));
        assertThat(said.getText()).contains("You opened " + pending);
        assertThat(card(pending).getAttribute("data-state")).isEqualTo("PENDING");
    }

    @ParameterizedTest(name = "at {0} px wide")
    @ValueSource(ints = {390, 1280})
    void the_requester_who_named_no_deployer_may_report_the_deploy_and_someone_who_did_not_approve_may_not(int width) {
        look("/console?as=dev", width);
        stable(() -> {
            assertThat(button(approved, "button[data-action=deploy_started]").getAttribute("aria-disabled")).isNull();
            assertThat(button(approved, "button[data-action=deployed]").getAttribute("aria-disabled")).isNull();
        });

        look("/console?as=bob", width);
        stable(() -> {
            assertOff(button(approved, "button[data-action=deploy_started]"),
                    "Only the requester or someone who approved " + approved + " can report its deploy");
            assertThat(button(pending, "button[data-team=sre]").getAttribute("aria-disabled")).as("bob is in SRE").isNull();
            assertOff(button(pending, "button[data-team=releng]"), "You are not a member of Release Engineering");
        });
        shot("who-may-press-bob", width);
    }

    @ParameterizedTest(name = "at {0} px wide")
    @ValueSource(ints = {390, 1280})
    void a_confidential_card_shows_its_details_to_a_member_of_its_teams_and_only_id_state_and_teams_to_anyone_else(int width) {
        look("/console?as=dev", width);
        stable(() -> {
            var hidden = card(confidential);
            assertThat(hidden.getText()).doesNotContain(SECRET).doesNotContain("crafted header")
                    .doesNotContain("Security issue").doesNotContain("gerrit").contains(confidential).contains("Security");
            assertThat(hidden.findElements(By.cssSelector("button"))).isEmpty();
            assertThat(hidden.findElements(By.cssSelector("dl.fields"))).isEmpty();
        });
        shot("confidential-outsider", width);

        look("/console?as=erin", width);
        stable(() -> {
            var shown = card(confidential);
            assertThat(shown.getText()).contains(SECRET).contains("crafted header");
            assertThat(shown.findElement(By.cssSelector("button[data-team=security]")).getAttribute("aria-disabled"))
                    .isNull();
        });
        shot("confidential-security-member", width);
    }

    private void look(String path, int width) {
        driver.manage().window().setSize(new Dimension(width, 900));
        driver.get(web.base + path);
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.textToBe(By.id("live"), "live"));
        new WebDriverWait(driver, WAIT).until(d -> !d.findElements(By.cssSelector("#card-" + pending)).isEmpty());
    }

    /**
     * Runs {@code check} again when the page swapped a card for a fresh copy under it (it refreshes every card when its
     * live connection opens); a failed assertion fails at once.
     */
    private static void stable(Runnable check) {
        for (int attempt = 1; ; attempt++) {
            try {
                check.run();
                return;
            } catch (StaleElementReferenceException swapped) {
                if (attempt == 5) throw swapped;
            }
        }
    }

    private WebElement card(String id) { return driver.findElement(By.id("card-" + id)); }

    private WebElement button(String id, String selector) { return card(id).findElement(By.cssSelector(selector)); }

    /** Off, with the reason in its title and in the element its aria-describedby names. */
    private void assertOff(WebElement button, String reason) {
        assertThat(button.getAttribute("aria-disabled")).isEqualTo("true");
        assertThat(button.getAttribute("title")).startsWith(reason);
        var described = (String) driver.executeScript("return document.getElementById(arguments[0]"
                + ".getAttribute('aria-describedby')).textContent", button);
        assertThat(described).isEqualTo(button.getAttribute("title"));
    }

    private void shot(String name, int width) {
        Chromium.save(driver.getScreenshotAs(OutputType.FILE), name + "-" + width);
    }
}
