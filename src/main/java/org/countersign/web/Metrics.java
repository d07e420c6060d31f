package org.countersign.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.countersign.app.EventFeed;
import org.countersign.app.RequestStore;
import org.countersign.app.Telemetry;
import org.countersign.domain.EventType;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.State;

/**
 * Prometheus metrics: what the store holds (read at scrape time, so every instance reports the shared truth, see
 * {@link StoreGauges}), transitions by event type and how long requests took ({@link FlowTimes}), counted by the
 * instance that made them, chat API errors and webhook deliveries, readiness, and the JVM's. The names pass
 * {@code promtool check metrics}. With a token (METRICS_TOKEN), a scrape must send it as
 * {@code Authorization: Bearer <token>}.
 */
public final class Metrics implements Consumer<Applied>, Telemetry {
    static final List<String> PLATFORMS = List.of("slack", "matrix");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<EventType, Counter> transitions = new EnumMap<>(EventType.class);
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final StoreGauges store;
    private final FlowTimes times;
    private final byte[] token;

    public Metrics(Supplier<Map<State, Long>> countByState) {
        this(countByState, null);
    }

    /** @param token the bearer token a scrape must send, or null to leave {@code /metrics} open */
    public Metrics(Supplier<Map<State, Long>> countByState, String token) {
        this(countByState, null, null, Clock.systemUTC(), token);
    }

    /** Everything: with the store's pending requests and the events stream's consumer groups read at each scrape. */
    public Metrics(RequestStore store, EventFeed feed, Clock clock, String token) {
        this(store::countByState, store, feed, clock, token);
    }

    private Metrics(Supplier<Map<State, Long>> countByState, RequestStore requests, EventFeed feed, Clock clock,
                    String token) {
        this.token = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        promtoolNames();
        for (var type : EventType.values())
            transitions.put(type, Counter.builder("countersign.transitions")
                    .description("Request events recorded by this instance, by type")
                    .tag("type", type.wire()).register(registry));
        store = new StoreGauges(registry, countByState, requests, feed, clock);
        times = new FlowTimes(registry, requests == null ? null : requests::timeline);
        for (var platform : PLATFORMS) for (var error : ApiError.values()) apiErrors(platform, error);
        answersWaited("slack");
        answerWait("slack");
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
            FunctionCounter.builder("process.cpu", os, b -> b.getProcessCpuTime() / 1e9).baseUnit("seconds")
                    .description("CPU time the Java virtual machine process used").register(registry);
    }

    /**
     * Micrometer's names that {@code promtool check metrics} refuses, renamed: {@code system_cpu_count} (a
     * {@code _count} suffix outside a histogram) is {@code system_cpus}; {@code process_cpu_time_ns_total}
     * (an abbreviated unit) gives way to {@code process_cpu_seconds_total}, Prometheus's usual name.
     */
    private void promtoolNames() {
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")))
                .meterFilter(new MeterFilter() {
                    @Override
                    public Meter.Id map(Meter.Id id) {
                        return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
                    }
                });
    }

    /** {@code countersign_security_place_private{platform}}: 1 while the platform's security room was found private. */
    public void watch(String platform, org.countersign.chat.Privacy privacy) {
        Gauge.builder("countersign.security.place.private", privacy, p -> p.isPrivate() ? 1 : 0)
                .description("1 while the security channel or room was last found private, else 0 (confidential "
                        + "cards held back)").tag("platform", platform).strongReference(true).register(registry);
    }

    /** {@code countersign_ready}: 1 while {@code /readyz} would answer ready, read at each scrape. */
    public void watch(Readiness readiness) {
        Gauge.builder("countersign.ready", readiness, r -> r.problem().isEmpty() ? 1 : 0)
                .description("1 while this instance is ready (GET /readyz answers 200), else 0")
                .strongReference(true).register(registry);
    }

    /** Registers each integration's delivery counters at 0, so they are there before its first delivery. */
    public void integrations(List<String> names) {
        for (var name : names) for (var outcome : Delivery.values()) deliveries(name, outcome);
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
        times.accept(applied);
    }

    @Override
    public void apiError(String platform, ApiError error) {
        apiErrors(platform, error).increment();
    }

    @Override
    public void delivery(String integration, Delivery outcome) {
        deliveries(integration, outcome).increment();
    }

    @Override
    public void answerWaited(String platform, long nanos) {
        answersWaited(platform).increment();
        answerWait(platform).increment(nanos / 1e9);
    }

    private Counter answersWaited(String platform) {
        return counters.computeIfAbsent("waited " + platform, k -> Counter.builder("countersign.chat.answers.waited")
                .description("Answers to presses that waited behind the platform's card pipeline, which was behind")
                .tag("platform", platform).register(registry));
    }

    private Counter answerWait(String platform) {
        return counters.computeIfAbsent("wait " + platform, k -> Counter.builder("countersign.chat.answer.wait")
                .baseUnit("seconds").description("Time answers to presses waited behind the platform's card pipeline")
                .tag("platform", platform).register(registry));
    }

    private Counter apiErrors(String platform, ApiError error) {
        return counters.computeIfAbsent("api " + platform + " " + error.label(), k ->
                Counter.builder("countersign.chat.api.errors")
                        .description("Calls to a chat platform's API that failed, by platform and kind "
                                + "(rate_limited: HTTP 429)")
                        .tag("platform", platform).tag("kind", error.label()).register(registry));
    }

    private Counter deliveries(String integration, Delivery outcome) {
        return counters.computeIfAbsent("webhook " + integration + " " + outcome.label(), k ->
                Counter.builder("countersign.webhook.deliveries")
                        .description("Tries to deliver an event to a webhook integration, by outcome")
                        .tag("integration", integration).tag("outcome", outcome.label()).register(registry));
    }

    /** Whether a scrape with this Authorization header (maybe null) may read the metrics; compared in constant time. */
    boolean admits(String authorization) {
        return token == null || authorization != null
                && MessageDigest.isEqual(token, authorization.strip().getBytes(StandardCharsets.UTF_8));
    }

    /** The Prometheus text exposition, with what the store holds read fresh. */
    String scrape() {
        store.refresh();
        return registry.scrape();
    }
}
