package org.countersign.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.countersign.domain.EventType;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.State;

/**
 * Prometheus metrics: requests by state (read from the store at scrape time, so every instance reports
 * the shared truth) and transitions by event type (counted by the instance that made them). With a token
 * (METRICS_TOKEN), a scrape must send it as {@code Authorization: Bearer <token>}.
 */
public final class Metrics implements Consumer<Applied> {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<EventType, Counter> transitions = new EnumMap<>(EventType.class);
    private final Map<State, AtomicLong> byState = new EnumMap<>(State.class);
    private final Supplier<Map<State, Long>> countByState;
    private final byte[] token;

    public Metrics(Supplier<Map<State, Long>> countByState) {
        this(countByState, null);
    }

    /** @param token the bearer token a scrape must send, or null to leave {@code /metrics} open */
    public Metrics(Supplier<Map<State, Long>> countByState, String token) {
        this.countByState = countByState;
        this.token = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        for (var type : EventType.values())
            transitions.put(type, Counter.builder("countersign.transitions")
                    .description("Request events recorded by this instance, by type")
                    .tag("type", type.wire()).register(registry));
        for (var state : State.values()) {
            var value = new AtomicLong();
            byState.put(state, value);
            Gauge.builder("countersign.requests", value, AtomicLong::get)
                    .description("Stored requests by state").tag("state", state.name()).register(registry);
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** {@code countersign_security_place_private{platform}}: 1 while the platform's security room was found private. */
    public void watch(String platform, org.countersign.chat.Privacy privacy) {
        Gauge.builder("countersign.security.place.private", privacy, p -> p.isPrivate() ? 1 : 0)
                .description("1 while the security channel or room was last found private, else 0 (confidential "
                        + "cards held back)").tag("platform", platform).strongReference(true).register(registry);
    }

    private io.micrometer.core.instrument.Meter policyInfo;

    /** {@code countersign_policy_info{sha256}}: 1 for the policy this instance runs now (the hash of its file). */
    public synchronized void policy(String sha256) {
        if (policyInfo != null) registry.remove(policyInfo);
        policyInfo = Gauge.builder("countersign.policy.info", () -> 1).tag("sha256", String.valueOf(sha256))
                .description("The policy this instance runs, by the SHA-256 of its file").register(registry);
    }

    /** {@code countersign_policy_reloads_total{result}}: reloads of the policy file, applied or refused. */
    public void policyReload(boolean applied) {
        Counter.builder("countersign.policy.reloads").tag("result", applied ? "applied" : "refused")
                .description("Reloads of the policy file, applied or refused (the running policy kept)")
                .register(registry).increment();
    }

    @Override
    public void accept(Applied applied) {
        applied.events().forEach(e -> transitions.get(e.type()).increment());
    }

    /** Whether a scrape with this Authorization header (maybe null) may read the metrics; compared in constant time. */
    boolean admits(String authorization) {
        return token == null || authorization != null
                && MessageDigest.isEqual(token, authorization.strip().getBytes(StandardCharsets.UTF_8));
    }

    /** The Prometheus text exposition, with request counts read fresh. */
    String scrape() {
        var counts = countByState.get();
        byState.forEach((state, value) -> value.set(counts.getOrDefault(state, 0L)));
        return registry.scrape();
    }
}
