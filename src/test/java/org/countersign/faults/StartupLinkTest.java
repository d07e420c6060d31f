package org.countersign.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first run, as a process of its own with no configuration: the start-up line ends with the console
 * link, and that one link opens the console in a browser (which then keeps a cookie for the API too).
 */
class StartupLinkTest {
    private static final Pattern LINK = Pattern.compile("console on (http://127\\.0\\.0\\.1:\\d+/console\\?token=[0-9a-f]{64})\\)");

    @TempDir
    Path dir;

    @Test
    void the_start_up_line_ends_with_a_link_that_opens_the_console_in_one_click() throws Exception {
        var port = Http.freePort();
        var log = dir.resolve("countersign.log");
        try (var countersign = CountersignProcess.start(Map.of("PORT", String.valueOf(port),
                "DATA_DIR", dir.resolve("data").toString()), log)) {
            // /readyz may answer a moment before the line is written.
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("Countersign is ready on"));
            var ready = Files.readAllLines(log).stream().filter(l -> l.contains("Countersign is ready on")).findFirst()
                    .orElseThrow(() -> new AssertionError("no start-up line in\n" + countersign.logTail()));
            var link = LINK.matcher(ready);
            assertThat(link.find()).as(ready).isTrue();

            var browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            var console = browser.send(HttpRequest.newBuilder(URI.create(link.group(1))).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(console.statusCode()).isEqualTo(200);
            assertThat(console.uri()).hasToString("http://127.0.0.1:" + port + "/console");
            assertThat(console.body()).contains("This is the local console");
            assertThat(browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/requests"))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(Http.get(port, "/api/requests").statusCode()).as("without the link").isEqualTo(401);
        }
    }
}
