package org.countersign.web;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;

/** Standard command-line tools a test runs (openssl, jq): skipped without them, except under CI=true, where they must be. */
final class Tools {
    private Tools() {}

    static void require(String... commands) {
        requireFrom("openssl jq xxd", commands);
    }

    /** As {@link #require}, naming the Debian packages that have them. */
    static void requireFrom(String debianPackages, String... commands) {
        var missing = Arrays.stream(commands).filter(c -> !onPath(c)).toList();
        if (missing.isEmpty()) return;
        var message = "not installed: " + String.join(", ", missing) + " (apt-get install -y " + debianPackages
                + "; .ci/run does)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError(message + " (CI=true: these tests must run)");
        Assumptions.abort(message);
    }

    private static boolean onPath(String command) {
        var path = System.getenv("PATH");
        return path != null && Arrays.stream(path.split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
