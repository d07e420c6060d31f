package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A person signed in through the identity provider, in a real browser: the console acts as them (no picker of whom
 * to act as) and its cards are live. The page's script once looked the picker up unguarded, threw, and never
 * connected the live cards for them.
 */
class SignedInConsoleBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;
    @TempDir
    Path profile;

    @Test
    void a_signed_in_person_gets_live_cards_in_the_console() throws Exception {
        Chromium.requireInstalled();
        try (var oidc = new OidcFixture(dir, Map.of())) {
            oidc.nextSignIn("sub-alice-1", OidcFixture.email("alice@example.org", true));
            var driver = Chromium.start(profile);
            try {
                driver.get(oidc.base + "/signin/oidc?next=%2Fconsole");
                var wait = new WebDriverWait(driver, WAIT);
                wait.until(ExpectedConditions.urlToBe(oidc.base + "/console"));
                assertThat(driver.findElements(By.id("as"))).as("no picker for a person signed in").isEmpty();

                wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
                var errors = driver.manage().logs().get("browser").getAll().stream()
                        .filter(e -> e.getMessage().contains("Uncaught")).toList();
                assertThat(errors).as("script errors on the page").isEmpty();
            } finally {
                driver.quit();
            }
        }
    }
}
