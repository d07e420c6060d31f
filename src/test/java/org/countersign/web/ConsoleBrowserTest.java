package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console and the dashboard in real headless Chromium, on the whole service started as Main starts it: the
 * browser opens the start-up link first, as the person who started Countersign would; a developer opens a request
 * through the form, SRE and Release Engineering approve it from windows of their own, and the dashboard, open in a
 * third window, follows without a reload. Screenshots go to target/screenshots/.
 */
class ConsoleBrowserTest {
    private static final Pattern ID = Pattern.compile("EMG-\\d+");
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path dataDir;
    @TempDir
    static Path profile;
    @TempDir
    static Path otherProfile;
    static WebFixture web;
    static ChromeDriver driver;

    @BeforeAll
    static void start() throws Exception {
        Chromium.requireInstalled();
        web = new WebFixture(dataDir, Map.of());
        driver = Chromium.start(profile);
        // The link from the start-up line signs this browser in, in a window of its own (closed, so its live stream
        // is too: Chrome keeps a page it navigated away from, with its stream, and allows 6 connections per host).
        var first = driver.getWindowHandle();
        driver.switchTo().newWindow(WindowType.TAB);
        driver.get(web.service.startupLink());
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlToBe(web.base + "/console"));
        driver.close();
        driver.switchTo().window(first);
    }

    @Test
    void a_browser_that_did_not_open_the_start_up_link_is_asked_for_its_token_and_signs_in_with_it() {
        var other = Chromium.start(otherProfile);
        try {
            other.get(web.base + "/console?as=alice");
            var wait = new WebDriverWait(other, WAIT);
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
            assertThat(other.getCurrentUrl()).startsWith(web.base + "/signin?next=");
            assertThat(other.findElement(By.cssSelector(".signin .hint")).getText())
                    .contains("the link Countersign printed when it started");

            other.findElement(By.id("token")).sendKeys(web.service.startupToken().orElseThrow(), Keys.ENTER);

            wait.until(ExpectedConditions.urlToBe(web.base + "/console?as=alice"));
            wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
            assertThat(other.findElement(By.id("console")).getAttribute("data-as")).isEqualTo("alice");
        } finally {
            other.quit();
        }
    }

    @Test
    void after_the_start_up_link_the_console_opens_without_a_token_in_the_address() {
        newWindow("/console");
        assertThat(driver.getCurrentUrl()).isEqualTo(web.base + "/console").doesNotContain("token");
        assertThat(driver.findElement(By.id("console")).isDisplayed()).isTrue();
    }

    @AfterAll
    static void stop() {
        if (driver != null) driver.quit();
        if (web != null) web.close();
    }

    private String first;

    @BeforeEach
    void rememberTheFirstWindow() {
        first = driver.getWindowHandle();
    }

    @AfterEach
    void closeTheOtherWindows() {
        for (var handle : driver.getWindowHandles()) {
            if (handle.equals(first)) continue;
            driver.switchTo().window(handle).close();
        }
        driver.switchTo().window(first);
    }

    @Test
    void a_request_opened_in_the_console_is_approved_by_sre_and_releng_while_the_dashboard_updates_live() {
        // The dashboard, in the first window, stays open the whole time.
        var dashboard = first;
        driver.get(web.base + "/");
        Object loadedAt = driver.executeScript("return window.countersignLoadedAt");
        waitFor(ExpectedConditions.textToBe(By.id("live"), "live"));

        // dev opens a request through the form.
        var dev = newWindow("/console?as=dev");
        command("/emergency availability API returns 500s since the cache deploy");
        var form = waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("request-form")));
        assertThat(driver.findElement(By.id("f-reason")).getAttribute("value")).isEqualTo("availability");
        assertThat(driver.findElement(By.id("f-summary")).getAttribute("value")).isEqualTo("API returns 500s since the cache deploy");
        driver.findElement(By.id("f-changes")).sendKeys("https://gerrit.example.org/r/c/operations/+/123456");
        driver.findElement(By.id("f-task")).sendKeys("T12345");
        driver.findElement(By.id("f-rollback-yes")).click();
        shot("01-console-form");
        driver.findElement(By.id("open-request")).click();
        waitFor(ExpectedConditions.invisibilityOf(form));
        var opened = lastMessage("ok");
        var m = ID.matcher(opened);
        assertThat(m.find()).as(opened).isTrue();
        var id = m.group();
        assertThat(opened).isEqualTo(id + " is open; it needs SRE and Release Engineering to approve. Its card is below.");
        assertThat(this.<String>waitFor(d -> card(id).getAttribute("data-state"))).isEqualTo("PENDING");
        assertThat(this.<java.util.List<String>>waitFor(d -> buttons(card(id)))).containsExactly("Approve as SRE", "Approve as Release Engineering",
                "Reject", "Edit changes");

        // dev cannot approve their own request: the refusal is shown to dev only.
        press(id, "button[data-team=sre]");
        assertThat(lastMessage("error")).isEqualTo("You opened " + id
                + ", so someone else must approve it (SRE and Release Engineering)");
        shot("02-card-pending-and-own-approval-refused");

        // The dashboard already shows it, without a reload.
        driver.switchTo().window(dashboard);
        waitFor(d -> stateCell(id).equals("pending"));

        // alice approves for SRE in a window of her own; a second press (a stale card) says she already did.
        var alice = newWindow("/console?as=alice");
        press(id, "button[data-team=sre]");
        assertThat(lastMessage("ok")).isEqualTo("You approved " + id + " for SRE; it still needs Release Engineering");
        waitFor(d -> buttons(card(id)).equals(java.util.List.of("Approve as Release Engineering", "Reject",
                "Withdraw my approval", "Edit changes")));
        driver.executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "window.countersignPress(arguments[0], 'approve', 'sre').then(function () { done(); });", id);
        assertThat(lastMessage("unchanged")).startsWith("You already approved " + id + " for SRE at ")
                .endsWith("; nothing more to do");

        driver.switchTo().window(dashboard);
        waitFor(d -> driver.findElement(By.cssSelector("tr[data-id='" + id + "'] [data-team=sre]")).getText()
                .startsWith("✓ SRE"));

        // carol approves for Release Engineering: the request is approved.
        newWindow("/console?as=carol");
        press(id, "button[data-team=releng]");
        assertThat(lastMessage("ok")).contains("every team has signed, so it is approved");
        waitFor(d -> "APPROVED".equals(card(id).getAttribute("data-state")));
        assertThat(this.<java.util.List<String>>waitFor(d -> buttons(card(id)))).containsExactly("Deploy started", "Deployed", "Reject",
                "Edit changes");
        shot("03-card-approved");

        // dev's and alice's windows followed by themselves.
        driver.switchTo().window(dev);
        waitFor(d -> "APPROVED".equals(card(id).getAttribute("data-state")));
        driver.switchTo().window(alice);
        waitFor(d -> "APPROVED".equals(card(id).getAttribute("data-state")));

        // The dashboard changed its state cell with no navigation: the script's load time is the same.
        driver.switchTo().window(dashboard);
        waitFor(d -> stateCell(id).equals("approved"));
        assertThat(driver.executeScript("return window.countersignLoadedAt")).isEqualTo(loadedAt);
        assertThat(driver.findElement(By.id("view")).getAttribute("data-refreshes")).isNotNull();
        shot("04-dashboard");

        // Each window holds a live connection and Chromium opens at most six per server over HTTP/1.1: let go of
        // the console windows before loading more pages.
        closeTheOtherWindows();
        driver.get(web.base + "/requests/" + id);
        waitFor(ExpectedConditions.textToBe(By.id("live"), "live"));
        // The page swaps in a fresh copy of itself when its live connection opens: read the texts in one go.
        var timeline = waitFor(d -> d.findElements(By.cssSelector("ol.timeline li")).stream()
                .map(WebElement::getText).toList());
        assertThat(timeline).hasSize(3); // the last approval and "approved" are one entry
        assertThat(timeline.get(2)).contains("approved as Release Engineering, the last approval it needed → approved");
        assertThat(timeline.get(1)).contains("alice").contains("console:alice").contains("approved as SRE")
                .containsPattern("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC");
        shot("05-request-page");

        driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        try {
            driver.get(web.base + "/");
            shot("06-dashboard-phone");
        } finally {
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
        }
    }

    @Test
    void an_approver_withdraws_and_the_requester_edits_the_changes_in_the_dialog_which_clears_the_approvals()
            throws Exception {
        // A browser of its own: after the long test above, the shared one was seen to leave these presses unanswered.
        var shared = driver;
        driver = Chromium.start(java.nio.file.Files.createTempDirectory(profile, "edit"));
        try {
            // A new browser: the start-up link signs it in, as it did the shared one.
            driver.get(web.service.startupLink());
            waitFor(ExpectedConditions.urlToBe(web.base + "/console"));
            withdrawThenEdit();
        } finally {
            driver.quit();
            driver = shared;
        }
    }

    private void withdrawThenEdit() {
        driver.get(web.base + "/console?as=dev");
        waitFor(ExpectedConditions.textToBe(By.id("live"), "live"));
        command("/emergency availability Queue workers crash on start");
        var form = waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("request-form")));
        driver.findElement(By.id("f-changes")).sendKeys("https://gerrit.example.org/r/c/operations/+/223456");
        driver.findElement(By.id("f-rollback-yes")).click();
        driver.findElement(By.id("open-request")).click();
        waitFor(ExpectedConditions.invisibilityOf(form));
        var m = ID.matcher(lastMessage("ok"));
        assertThat(m.find()).isTrue();
        var id = m.group();

        // alice approves, withdraws, and approves again; her Edit press is refused on her page only. One window at a
        // time: the test before holds most of the connections Chromium opens to one server.
        driver.get(web.base + "/console?as=alice");
        waitFor(ExpectedConditions.textToBe(By.id("live"), "live"));
        assertThat(pressAndHear(id, "button[data-team=sre]", "ok")).startsWith("You approved " + id + " for SRE");
        waitFor(d -> buttons(card(id)).contains("Withdraw my approval"));
        assertThat(pressAndHear(id, "button[data-action=withdraw]", "ok")).isEqualTo("You withdrew your approval of "
                + id + " for SRE; it needs SRE and Release Engineering");
        waitFor(d -> buttons(card(id)).equals(java.util.List.of("Approve as SRE", "Approve as Release Engineering",
                "Reject", "Edit changes")));
        pressAndHear(id, "button[data-team=sre]", "ok");
        assertThat(pressAndHear(id, "button[data-action=edit]", "error"))
                .isEqualTo("Only the requester or the deployer can edit the changes of " + id);
        assertThat(driver.findElement(By.id("edit-form")).isDisplayed()).isFalse();

        // dev edits the changes: the dialog opens with the current ones.
        driver.get(web.base + "/console?as=dev");
        waitFor(ExpectedConditions.textToBe(By.id("live"), "live"));
        waitFor(d -> buttons(card(id)).contains("Withdraw my approval"));
        waitFor(d -> {
            press(id, "button[data-action=edit]");
            return d.findElement(By.id("edit-form")).isDisplayed();
        });
        var edit = waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("edit-form")));
        var changes = driver.findElement(By.id("f-edit-changes"));
        assertThat(changes.getAttribute("value")).isEqualTo("https://gerrit.example.org/r/c/operations/+/223456");
        changes.clear();
        changes.sendKeys("not a change");
        driver.findElement(By.id("edit-submit")).click();
        waitFor(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#edit-form p.error"), "is not a change"));
        shot("09-edit-dialog-error");
        changes.clear();
        changes.sendKeys("https://gerrit.example.org/r/c/operations/+/223457");
        int before = driver.findElements(By.cssSelector("#channel .message.ephemeral.ok")).size();
        driver.findElement(By.id("edit-submit")).click();
        waitFor(ExpectedConditions.invisibilityOf(edit));
        waitFor(d -> d.findElements(By.cssSelector("#channel .message.ephemeral.ok")).size() > before);
        assertThat(lastMessage("ok")).isEqualTo("You changed the changes of " + id + "; its 1 approval(s) were cleared, "
                + "so SRE and Release Engineering must approve again");
        waitFor(d -> card(id).getText().contains("223457") && !card(id).getText().contains("223456"));
        waitFor(d -> buttons(card(id)).equals(java.util.List.of("Approve as SRE", "Approve as Release Engineering",
                "Reject", "Edit changes")));
        shot("10-card-after-edit");
    }

    @Test
    void bad_input_gets_a_clear_message_on_the_page() {
        driver.get(web.base + "/console?as=dev");

        command("/emergency status EMG-999");
        assertThat(lastMessage("error")).isEqualTo("There is no request EMG-999; /emergency list shows the open ones");
        command("deploy it please");
        assertThat(lastMessage("error")).isEqualTo("Commands start with /emergency; try /emergency help");

        command("/emergency");
        waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("request-form")));
        driver.findElement(By.id("f-summary")).sendKeys("x".repeat(201));
        driver.findElement(By.id("open-request")).click();
        waitFor(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("p.error[data-error-for=summary]"), "Keep the summary"));
        assertThat(error("summary")).isEqualTo("Keep the summary to 200 characters (it has 201); put the rest in the details");
        assertThat(error("reason")).startsWith("Pick a reason: ");
        assertThat(error("changes")).startsWith("List the changes to deploy, one per line");
        assertThat(error("rollback")).isEqualTo("Say whether this deploy is a rollback or revert");
        assertThat(driver.findElement(By.cssSelector(".field[data-field=summary]")).getAttribute("class")).contains("invalid");
        shot("07-form-errors");

        driver.findElement(By.cssSelector("#request-form [data-close]")).click();
        shot("08-console-error-messages");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private String newWindow(String path) {
        driver.switchTo().newWindow(WindowType.WINDOW);
        driver.get(web.base + path);
        waitFor(ExpectedConditions.textToBe(By.id("live"), "live"));
        return driver.getWindowHandle();
    }

    private void command(String text) {
        var input = waitFor(ExpectedConditions.elementToBeClickable(By.id("command")));
        int before = driver.findElements(By.cssSelector("#channel .message.ephemeral")).size();
        input.sendKeys(text, Keys.ENTER);
        if (!text.equals("/emergency") && !text.startsWith("/emergency availability"))
            waitFor(d -> d.findElements(By.cssSelector("#channel .message.ephemeral")).size() > before);
    }

    /** The newest answer only this person sees, of the given kind (ok, error, unchanged). */
    private String lastMessage(String kind) {
        var selector = By.cssSelector("#channel .message.ephemeral." + kind);
        waitFor(d -> !d.findElements(selector).isEmpty());
        var all = driver.findElements(selector);
        return all.get(all.size() - 1).getText().replaceFirst("^Only visible to you · ", "");
    }

    /** Clicks a button of the card; a card swapped for a fresher copy meanwhile is looked up again. */
    private void press(String id, String button) {
        waitFor(d -> {
            var element = card(id).findElement(By.cssSelector(button));
            // With several cards on the page, the one pressed may sit under the composer at the bottom.
            driver.executeScript("arguments[0].scrollIntoView({block: 'center'})", element);
            element.click();
            return true;
        });
    }

    /**
     * Presses, then waits for the answer of that kind this press brings, and returns it. A press while the page swaps
     * in a fresh copy of the card (as it does when its live connection opens) can be lost between mouse down and up,
     * sending nothing: then, with no answer at all, it is pressed again.
     */
    private String pressAndHear(String id, String button, String kind) {
        var selector = By.cssSelector("#channel .message.ephemeral." + kind);
        var any = By.cssSelector("#channel .message.ephemeral");
        int before = driver.findElements(selector).size();
        for (int attempt = 1; ; attempt++) {
            int answers = driver.findElements(any).size();
            press(id, button);
            try {
                new WebDriverWait(driver, Duration.ofSeconds(3)).until(d -> d.findElements(any).size() > answers);
                break;
            } catch (org.openqa.selenium.TimeoutException lost) {
                if (attempt == 3) {
                    shot("lost-press");
                    throw lost;
                }
            }
        }
        waitFor(d -> d.findElements(selector).size() > before);
        return lastMessage(kind);
    }

    private WebElement card(String id) {
        return waitFor(ExpectedConditions.presenceOfElementLocated(By.id("card-" + id)));
    }

    private static java.util.List<String> buttons(WebElement card) {
        return card.findElements(By.cssSelector(".buttons button")).stream().map(WebElement::getText).toList();
    }

    private String stateCell(String id) {
        var cells = driver.findElements(By.cssSelector("tr[data-id='" + id + "'] .state"));
        return cells.isEmpty() ? "" : cells.get(0).getText();
    }

    private String error(String field) {
        return driver.findElement(By.cssSelector("p.error[data-error-for=" + field + "]")).getText();
    }

    private <T> T waitFor(java.util.function.Function<? super WebDriver, T> condition) {
        return new WebDriverWait(driver, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(condition);
    }

    private void shot(String name) {
        Chromium.save(driver.getScreenshotAs(OutputType.FILE), name);
    }
}
