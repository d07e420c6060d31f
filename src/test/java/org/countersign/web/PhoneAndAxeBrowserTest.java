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
 * Every page, at a phone's width and a desktop's, once a request has approvals: nothing scrolls sideways, and axe-core
 * (npm, installed by .ci/run under $HOME/.cache/countersign/npm) finds no serious or critical violation on the
 * dashboard, the request page, the console and its request form, empty and after a failed submit. Screenshots go to
 * target/screenshots/.
 */
class PhoneAndAxeBrowserTest {
    static final Path AXE = Path.of(System.getProperty("user.home"), ".cache", "countersign", "npm", "node_modules",
            "axe-core", "axe.min.js");
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path dataDir;
    @TempDir
    static Path profile;
    static WebFixture web;
    static ChromeDriver driver;
    static String id;
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
        look("/console?as=alice", "console", width, found);
        driver.findElement(By.id("command")).sendKeys("/emergency\n");
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("request-form")));
        check("console-form", width, found);
        driver.findElement(By.id("open-request")).click();
        new WebDriverWait(driver, WAIT).until(d -> !d.findElement(By.cssSelector("p.error[data-error-for=summary]"))
                .getText().isBlank());
        check("console-form-errors", width, found);
        assertThat(found).as("pages too wide, and axe-core's serious or critical violations").isEmpty();
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
