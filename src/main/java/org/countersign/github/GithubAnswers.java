package org.countersign.github;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.countersign.app.RequestService;
import org.countersign.app.StreamConsumer;
import org.countersign.domain.Disclosure;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the GitHub runs waiting on a request once it is decided: approved, or rejected when it is rejected,
 * cancelled or expires, with a comment saying who and why (never what a confidential request is about). Driven by the
 * events stream (consumer group {@code github}, so one instance answers each decision), and at once for a run linked to
 * a request already approved. Each run is answered once; GitHub down or failing is tried again with backoff.
 */
public final class GithubAnswers implements StreamConsumer.Handler, AutoCloseable {
    public static final String GROUP = "github";
    static final int COMMENT_MAX = 1000;
    static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private static final Logger log = LoggerFactory.getLogger(GithubAnswers.class);

    private final RequestService service;
    private final Links links;
    private final GithubApp github;
    private final StreamConsumer.Retries retries;
    private final ExecutorService now = Executors.newSingleThreadExecutor(r -> {
        var t = new Thread(r, "github-answers-now");
        t.setDaemon(true);
        return t;
    });

    GithubAnswers(RequestService service, Links links, GithubApp github, StreamConsumer.Retries retries) {
        this.service = service;
        this.links = links;
        this.github = github;
        this.retries = retries;
    }

    /** A decision GitHub is told: the review state and the comment. */
    record Verdict(String state, String comment) {}

    /** GitHub did not take every answer this time; the consumer tries the event again later. */
    static final class NotYet extends RuntimeException {
        NotYet(String message) { super(message); }
    }

    @Override
    public void handle(Event event) {
        if (!decides(event.type())) return;
        var request = service.find(event.request());
        if (request.isEmpty()) return;
        answer(request.get(), verdict(request.get(), event));
    }

    /** Answers a run just linked to a request that is already decided, on a thread of its own, retrying. */
    void answerSoon(RequestId id) {
        now.execute(() -> {
            for (int failures = 1; !now.isShutdown(); failures++) {
                try {
                    var request = service.find(id).orElseThrow();
                    var decisive = decisive(request);
                    if (decisive.isEmpty()) return;
                    answer(request, verdict(request, decisive.get()));
                    return;
                } catch (RuntimeException e) {
                    if (failures >= 20) {
                        log.error("github: gave up answering GitHub about {} at once: {}; it is answered again when "
                                + "the request changes", id, e.getMessage());
                        return;
                    }
                    var wait = retries.backoff().apply(failures);
                    log.warn("github: answering GitHub about {} failed (attempt {}), again in {} ms: {}", id, failures,
                            wait.toMillis(), e.getMessage());
                    try {
                        Thread.sleep(wait.toMillis());
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        });
    }

    /** Tells every run waiting on the request not told yet; throws {@link NotYet} when GitHub should be asked again. */
    void answer(EmergencyRequest request, Verdict verdict) {
        var waiting = links.of(request.id());
        String again = null;
        for (var link : waiting) {
            if (links.answered(request.id(), link)) continue;
            var reply = github.review(link.callback(), link.installation(), link.environment(), verdict.state(),
                    verdict.comment());
            if (reply instanceof GithubApp.Reply.Done) {
                links.answered(request.id(), link, verdict.state());
                log.info("github: told {} run {} ({}) that {} is {}", link.repo(), link.runId(), link.environment(),
                        request.id(), verdict.state());
            } else if (reply instanceof GithubApp.Reply.Refused r) {
                links.answered(request.id(), link, "refused");
                log.warn("github: {} run {} ({}) was not told about {}: {}", link.repo(), link.runId(),
                        link.environment(), request.id(), r.why());
            } else if (reply instanceof GithubApp.Reply.Again a) {
                again = a.why();
            }
        }
        if (again != null) throw new NotYet("GitHub was not told about " + request.id() + " yet: " + again);
    }

    static boolean decides(EventType type) {
        return type == EventType.REQUEST_APPROVED || type == EventType.REQUEST_REJECTED
                || type == EventType.REQUEST_CANCELLED || type == EventType.REQUEST_EXPIRED;
    }

    /** The event that decided the request, from its timeline; empty while it waits. */
    Optional<Event> decisive(EmergencyRequest r) {
        if (r.state() == State.PENDING) return Optional.empty();
        var timeline = service.timeline(r.id());
        for (int i = timeline.size() - 1; i >= 0; i--)
            if (decides(timeline.get(i).type())) return Optional.of(timeline.get(i));
        return Optional.empty();
    }

    /** What GitHub is told, and why, in words that never reveal what a confidential request is about. */
    Verdict verdict(EmergencyRequest r, Event e) {
        boolean discreet = Disclosure.hidesFrom(r, new Disclosure.Audience.Endpoint(false));
        var policy = service.policy();
        String comment = switch (e.type()) {
            case REQUEST_APPROVED -> r.id() + " was approved in Countersign at " + HH_MM.format(e.at()) + " by "
                    + r.approvals().stream().map(a -> policy.teamLabel(a.team()) + " (" + a.by() + ")")
                    .collect(Collectors.joining(", "));
            case REQUEST_REJECTED -> r.id() + " was rejected in Countersign by " + e.actor()
                    + (discreet ? " (why is confidential: see the security channel)" : ": " + e.detail());
            case REQUEST_CANCELLED -> r.id() + " was cancelled in Countersign by " + e.actor()
                    + (discreet || e.detail() == null ? "" : ": " + e.detail());
            default -> r.id() + " expired in Countersign: " + (e.detail() == null ? "not every team approved in time"
                    : e.detail()) + "; open a new request to deploy";
        };
        var state = e.type() == EventType.REQUEST_APPROVED ? "approved" : "rejected";
        return new Verdict(state, comment.length() > COMMENT_MAX ? comment.substring(0, COMMENT_MAX - 1) + "…" : comment);
    }

    @Override
    public void close() {
        now.shutdownNow();
        try {
            now.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
