package org.countersign;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.countersign.app.RequestService;
import org.countersign.app.RequestService.Rules;
import org.countersign.domain.Policy;
import org.countersign.web.Metrics;
import org.countersign.webhook.Integration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads POLICY_FILE without a restart: on SIGHUP, and when the file's bytes change on disk (looked at every few
 * seconds, which also sees a Kubernetes ConfigMap's symlink swap that file events miss). A file that cannot be used
 * is refused with every problem logged and shown on {@code /readyz}; the running policy stays. The teams, reasons,
 * people and rules change at once for new actions; a request already open keeps its required teams and the hash of
 * the policy it was opened under. Webhook integrations, Slack and Matrix settings and the GitHub gate are read at
 * start only: a change to them is logged as needing a restart.
 */
final class PolicyReload implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PolicyReload.class);

    private final Path path;
    private final Map<String, String> env;
    private final Function<Policy, Rules> rulesOf;
    private final RequestService service;
    private final Metrics metrics;
    private final List<Integration> integrations;
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        var t = new Thread(r, "policy-reload");
        t.setDaemon(true);
        return t;
    });
    /** The hash of the bytes last looked at, good or bad, so a bad file is reported once, not every few seconds. */
    private String seen;
    private volatile List<String> problems = List.of();
    private Rules mine;

    /** @param rulesOf builds the workflow and directory of a policy, as at start */
    PolicyReload(Path path, Map<String, String> env, Function<Policy, Rules> rulesOf, RequestService service,
                 Metrics metrics, List<Integration> integrations) {
        this.path = path;
        this.env = env;
        this.rulesOf = rulesOf;
        this.service = service;
        this.metrics = metrics;
        this.integrations = List.copyOf(integrations);
        this.seen = service.policy().sha256();
        metrics.policy(seen);
    }

    static final Duration DEFAULT_WATCH = Duration.ofSeconds(2);

    /**
     * POLICY_WATCH_INTERVAL: how often the file is looked at (default 2s, from 1s to 1h), or {@code off} to reload on
     * SIGHUP only; empty when off.
     */
    static java.util.Optional<Duration> watchInterval(Map<String, String> env) {
        var text = env.get("POLICY_WATCH_INTERVAL");
        if (text == null || text.isBlank()) return java.util.Optional.of(DEFAULT_WATCH);
        if (text.strip().equals("off")) return java.util.Optional.empty();
        var d = Durations.parse(text.strip());
        if (d.isEmpty() || d.get().compareTo(Duration.ofSeconds(1)) < 0 || d.get().compareTo(Duration.ofHours(1)) > 0)
            throw new Config.Invalid(List.of("POLICY_WATCH_INTERVAL='" + text + "': expected " + Durations.EXPECTED
                    + ", from 1s to 1h (default 2s), or off to reload on SIGHUP only"));
        return d;
    }

    /** Reloads on SIGHUP and, unless {@code interval} is empty, looks at the file every {@code interval}. */
    PolicyReload start(java.util.Optional<Duration> every) {
        if (every.isEmpty()) {
            installSignal();
            log.info("The policy reloads on SIGHUP (POLICY_WATCH_INTERVAL=off)");
            return this;
        }
        installSignal();
        var interval = every.get();
        watcher.scheduleWithFixedDelay(() -> reload(null), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void installSignal() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> watcher.execute(() -> reload("SIGHUP")));
        } catch (IllegalArgumentException e) {
            log.warn("SIGHUP cannot be handled here ({}); reload by changing {}", e.getMessage(), path);
        }
    }

    /** Why the file on disk is not the policy this instance runs, when it is not; empty after a good reload. */
    List<String> problems() { return problems; }

    /** Reads the file and runs under it if it is good; {@code signal} names a SIGHUP, null for a look at the file. */
    synchronized void reload(String signal) {
        try {
            var bytes = Files.readAllBytes(path);
            var sha = PolicyFile.sha256(new String(bytes, StandardCharsets.UTF_8));
            if (sha.equals(seen) && signal == null) return;
            seen = sha;
            var running = service.policy().sha256();
            if (sha.equals(running)) {
                problems = List.of();
                if (signal != null) log.info("{}: policy {} unchanged (sha256 {})", signal, path, running);
                return;
            }
            var loaded = PolicyFile.read(path, env);
            var next = rulesOf.apply(loaded.policy());
            var replaced = service.adopt(next);
            if (replaced.directory() instanceof AutoCloseable old) old.close(); // Slack user groups read for the old teams
            mine = next;
            problems = List.of();
            metrics.policy(loaded.policy().sha256());
            metrics.policyReload(true);
            log.info("Policy reloaded from {} ({}): now sha256 {} (was {}); {} teams, {} reasons", path,
                    signal == null ? "the file changed" : signal, loaded.policy().sha256(), running,
                    loaded.policy().teams().size(), loaded.policy().reasons().size());
            if (!loaded.integrations().equals(integrations))
                log.warn("The webhook integrations in {} changed; they are read at start only: restart to use them", path);
        } catch (Policy.InvalidPolicy e) {
            refuse(e.problems());
        } catch (java.io.IOException e) {
            refuse(List.of(path + ": cannot be read: " + e));
        } catch (Exception e) {
            refuse(List.of(path + ": " + e));
        }
    }

    private void refuse(List<String> found) {
        problems = found.stream().map(p -> "policy not reloaded, still sha256 " + service.policy().sha256() + ": " + p)
                .toList();
        metrics.policyReload(false);
        log.error("Policy {} not reloaded; still running sha256 {}. {} problem(s):\n  {}", path,
                service.policy().sha256(), found.size(), String.join("\n  ", found));
    }

    @Override
    public void close() {
        watcher.shutdownNow();
        if (mine != null && mine.directory() instanceof AutoCloseable d) {
            try {
                d.close();
            } catch (Exception e) {
                log.warn("while stopping the reloaded directory: {}", e.toString());
            }
        }
    }
}
