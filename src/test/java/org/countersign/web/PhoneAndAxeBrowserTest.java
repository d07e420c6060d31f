package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.countersign.domain.Actor;
import org.countersign.domain.Outcome;
import org.countersign.domain.Platform;
import org.countersign.domain.TestPolicies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Every page, at a phone's width and a desktop's, with requests pending (with an approval), approved, rejected and
 * confidential: nothing scrolls sideways, and axe-core (npm, installed by .ci/run under $HOME/.cache/countersign/npm)
 * finds no serious or critical violation on the dashboard, each request's page, the console as a team member and as a
 * person in no team, its request form (empty, and after a failed submit, which moves the focus to the first field with
 * a problem, tied to it) and its reject form (empty, and refused for want of a reason). Every box one types into has a
 * border of 3:1 at least. Screenshots go to target/screenshots/.
 */
class PhoneAndAxeBrowserTest {
    static final Path AXE = Path.of(System.getProperty("user.home"), ".cache", "countersign", "npm", "node_modules",
            "axe-core", "axe.min.js");
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** The visible boxes one types into or picks from whose border is below 3:1 against their inside (WCAG 1.4.11). */
    private static final String BORDERS = "function lum(c) { var m = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map("
            + "function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });"
            + "return 0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]; }"
            + "var out = [];"
            + "document.querySelectorAll('input:not([type=radio]):not([type=hidden]), select, textarea').forEach(function (e) {"
            + "  if (!e.offsetParent) return; var s = getComputedStyle(e);"
            + "  var bg = /rgba\\(.*, 0\\)$/.test(s.backgroundColor) || s.backgroundColor === 'transparent' ? 'rgb(255,255,255)' : s.backgroundColor;"
            + "  var a = lum(s.borderTopColor), b = lum(bg);"
            + "  var ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);"
            + "  if (ratio < 3) out.push((e.id || e.name) + ' ' + ratio.toFixed(2) + ':1'); });"
            + "return out;";

    @TempDir
    static Path dataDir;
    @TempDir
    static Path profile;
    static WebFixture web;
    static ChromeDriver driver;
    static String id, approved, rejected, confidential;
    static String axe;

    @BeforeAll
    static void start() throws Exception {
        Chromium.requireInstalled();
        if (!Files.isReadable(AXE)) {
            var message = "axe-core is not installed (" + AXE + "): run .ci/run, or npm install --prefix "
                    + "$HOME/.cache/countersign/npm axe-core";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError(message);
            Assumptions.abort(message);
        }
        axe = Files.readString(AXE);
        web = new WebFixture(dataDir, Map.of());
        var service = web.service.service();
        var opened = (Outcome.Applied) service.open(new Actor(Platform.CONSOLE, "dev"), TestPolicies.draft("availability"));
        id = opened.request().id().toString();
        service.approve(opened.request().id(), new Actor(Platform.CONSOLE, "alice"), "sre");
        var second = (Outcome.Applied) service.open(new Actor(Platform.CONSOLE, "dev"), TestPolicies.draft("availability"));
        approved = second.request().id().toString();
        service.approve(second.request().id(), new Actor(Platform.CONSOLE, "alice"), "sre");
        service.approve(second.request().id(), new Actor(Platform.CONSOLE, "carol"), "releng");
        var third = (Outcome.Applied) service.open(new Actor(Platform.CONSOLE, "dev"), TestPolicies.draft("availability"));
        rejected = third.request().id().toString();
        service.reject(third.request().id(), new Actor(Platform.CONSOLE, "bob"), "Roll back first; the fix can wait");
        confidential = ((Outcome.Applied) service.open(new Actor(Platform.CONSOLE, "alice"), TestPolicies.draft("security")))
                .request().id().toString();
        driver = Chromium.start(profile);
        driver.get(web.service.startupLink());
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlToBe(web.base + "/console"));
    }

    @AfterAll
    static void stop() {
        if (driver != null) driver.quit();
        if (web != null) web.close();
    }

    @ParameterizedTest(name = "at {0} px wide")
    @ValueSource(ints = {390, 1280})
    void no_page_scrolls_sideways_and_axe_finds_no_serious_or_critical_violation(int width) {
        driver.manage().window().setSize(new Dimension(width, 900));
        var found = new ArrayList<String>();
        look("/", "dashboard", width, found);
        look("/requests/" + id, "request-page", width, found);
        look("/requests/" + approved, "request-page-approved", width, found);
        look("/requests/" + rejected, "request-page-rejected", width, found);
        look("/requests/" + confidential, "request-page-confidential", width, found);
        look("/console?as=dev", "console-outside-the-teams", width, found);
        look("/console?as=alice", "console", width, found);
        driver.findElement(By.id("command")).sendKeys("/emergency\n");
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("request-form")));
        check("console-form", width, found);
        driver.findElement(By.id("open-request")).click();
        new WebDriverWait(driver, WAIT).until(d -> !d.findElement(By.cssSelector("p.error[data-error-for=summary]"))
                .getText().isBlank());
        check("console-form-errors", width, found);
        assertThat(focusedProblem()).as("the focus after a failed submit").isEqualTo("f-reason");
        driver.findElement(By.cssSelector("#request-form [data-close]")).click();

        var reject = driver.findElement(By.cssSelector("#card-" + id + " button[data-action=reject]"));
        driver.executeScript("arguments[0].scrollIntoView({block: 'center'})", reject);
        reject.click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("note-form")));
        check("console-reject-form", width, found);
        driver.findElement(By.id("note-submit")).click();
        new WebDriverWait(driver, WAIT).until(d -> !d.findElement(By.cssSelector("p.error[data-error-for=note]"))
                .getText().isBlank());
        check("console-reject-form-error", width, found);
        assertThat(focusedProblem()).as("the focus after a refused reject").isEqualTo("f-note");
        assertThat(found).as("pages too wide, boxes with faint borders, and axe-core's serious or critical violations")
                .isEmpty();
    }

    /**
     * The id of the focused control, once it is marked invalid and its description includes its error line; else what
     * has the focus instead.
     */
    private String focusedProblem() {
        return (String) driver.executeScript("var a = document.activeElement;"
                + "if (!a || a === document.body) return 'body';"
                + "if (a.getAttribute('aria-invalid') !== 'true') return a.id + ' (not marked invalid)';"
                + "var ids = (a.getAttribute('aria-describedby') || '').split(/\\s+/);"
                + "var tied = ids.some(function (i) { var e = document.getElementById(i);"
                + "  return e && e.classList.contains('error') && e.textContent.trim() !== ''; });"
                + "return tied ? a.id : a.id + ' (its error is not tied to it)';");
    }

    private void look(String path, String name, int width, List<String> found) {
        driver.get(web.base + path);
        new WebDriverWait(driver, WAIT).until(d -> "complete".equals(driver.executeScript("return document.readyState")));
        check(name, width, found);
    }

    private void check(String name, int width, List<String> found) {
        Chromium.save(driver.getScreenshotAs(OutputType.FILE), "phone-axe-" + name + "-" + width);
        long scroll = (Long) driver.executeScript("return document.documentElement.scrollWidth");
        long inner = (Long) driver.executeScript("return window.innerWidth");
        if (scroll > inner) found.add(name + " at " + width + ": " + scroll + " px wide in a " + inner + " px window");
        long headings = (Long) driver.executeScript("return document.querySelectorAll('h1').length");
        if (headings != 1) found.add(name + " at " + width + ": " + headings + " page headings (h1), not one");
        @SuppressWarnings("unchecked")
        var faint = (List<String>) driver.executeScript(BORDERS);
        for (var f : faint) found.add(name + " at " + width + ": border below 3:1: " + f);
        driver.executeScript(axe);
        @SuppressWarnings("unchecked")
        var violations = (List<Map<String, Object>>) driver.executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "axe.run(document, {resultTypes: ['violations']}).then(function (r) { done(r.violations.filter("
                + "function (v) { return v.impact === 'serious' || v.impact === 'critical'; }).map(function (v) {"
                + "return {id: v.id, impact: v.impact, nodes: v.nodes.length, first: v.nodes[0].html.substring(0, 160)}; })); });");
        System.out.printf("axe-core %s at %d: %d serious or critical rule(s) %s%n", name, width, violations.size(), violations);
        for (var v : violations) found.add(name + " at " + width + ": " + v);
    }
}
