package org.countersign.webhook;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.countersign.app.RequestService;
import org.countersign.app.StreamConsumer;
import org.countersign.app.Telemetry;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;
import org.countersign.receipt.Dsse;
import org.countersign.receipt.Receipts;

/**
 * Sends each event one integration wants to its endpoint, signed. 2xx is done; 408, 429, 5xx, a timeout or a
 * connection that fails are tried again (by the consumer's backoff, or after a 429's Retry-After); any other
 * answer cannot get better by waiting, so the event is dead-lettered at once with the status.
 */
final class WebhookDelivery implements StreamConsumer.Handler {
    static final String USER_AGENT = "Countersign";
    static final Duration RETRY_AFTER_MAX = Duration.ofHours(1);
    private static final int ANSWER_SHOWN = 200;

    private final Integration integration;
    private final RequestService service;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;
    private final AdminLogLine adminLog;
    private final PagerDutyEvent pagerDuty;
    private final Receipts receipts;
    private final Telemetry telemetry;

    WebhookDelivery(Integration integration, RequestService service, HttpClient http, Duration timeout, Clock clock) {
        this(integration, service, http, timeout, clock, null);
    }

    /** @param receipts signs the receipt approvals and ends carry in the countersign format; null for none */
    WebhookDelivery(Integration integration, RequestService service, HttpClient http, Duration timeout, Clock clock,
                    Receipts receipts) {
        this(integration, service, http, timeout, clock, receipts, Telemetry.NONE);
    }

    /** @param telemetry counts each try by outcome */
    WebhookDelivery(Integration integration, RequestService service, HttpClient http, Duration timeout, Clock clock,
                    Receipts receipts, Telemetry telemetry) {
        this.telemetry = telemetry;
        this.receipts = receipts;
        this.integration = integration;
        this.service = service;
        this.http = http;
        this.timeout = timeout;
        this.clock = clock;
        this.adminLog = new AdminLogLine(service::policy);
        this.pagerDuty = new PagerDutyEvent(service::policy);
    }

    @Override
    public void handle(Event event) {
        if (!integration.wants(event.type())) return;
        var request = service.find(event.request());
        if (request.isEmpty()) return; // nothing to tell: the request is gone from the store
        // One event may need two PagerDuty calls (an escalation and the request resolved); a retry sends both again,
        // which PagerDuty takes as the same alerts.
        for (var body : bodies(event, request.get())) send(event, body);
    }

    List<byte[]> bodies(Event e, EmergencyRequest r) {
        boolean hide = RequestPayload.hides(r, integration);
        return switch (integration.format()) {
            case COUNTERSIGN -> List.of(WebhookJson.bytes(RequestPayload.EventPayload.of(e, r, hide, receipt(e, r, hide))));
            case SLACK_INCOMING -> List.of(adminLog.body(e, r,
                    e.type() == EventType.REQUEST_APPROVED ? service.timeline(r.id()) : List.of(), hide));
            case PAGERDUTY -> PagerDutyEvent.mayUse(e)
                    ? pagerDuty.bodies(e, r, service.timeline(r.id()), integration.secret(), hide) : List.of();
            case IRC -> List.of(); // said on IRC by the IRC bot, never POSTed
        };
    }

    /**
     * The signed receipt of the request as it stands, on the events a pipeline acts on: its approval and its end
     * (when it had been approved). The same envelope GET /api/requests/{id}/receipt gives at that version.
     */
    private Dsse.Envelope receipt(Event e, EmergencyRequest r, boolean hide) {
        if (receipts == null || !(e.type() == EventType.REQUEST_APPROVED || e.state().isFinal())) return null;
        return receipts.receipt(r, service.timeline(r.id()), hide) instanceof Receipts.Answer.Signed signed
                ? signed.envelope() : null;
    }

    private void send(Event event, byte[] body) {
        long timestamp = clock.instant().getEpochSecond();
        var request = HttpRequest.newBuilder(integration.url())
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT)
                .header(Signature.EVENT, event.type().wire());
        if (integration.signature() == Integration.Scheme.STANDARD_WEBHOOKS) {
            var key = StandardWebhooks.key(integration.secret()).orElseThrow(); // the Integration checked it
            request.header(StandardWebhooks.ID, event.id())
                    .header(StandardWebhooks.TIMESTAMP, Long.toString(timestamp))
                    .header(StandardWebhooks.SIGNATURE, StandardWebhooks.sign(key, event.id(), timestamp, body));
        } else {
            request.header(Signature.DELIVERY, event.id()).header(Signature.TIMESTAMP, Long.toString(timestamp));
            if (integration.secret() != null)
                request.header(Signature.SIGNATURE, Signature.sign(integration.secret(), timestamp, body));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            telemetry.delivery(integration.name(), Telemetry.Delivery.FAILED);
            throw new Undelivered(integration.name() + ": no answer from " + integration.where() + " within "
                    + timeout.toMillis() + " ms");
        } catch (IOException e) {
            telemetry.delivery(integration.name(), Telemetry.Delivery.FAILED);
            throw new Undelivered(integration.name() + ": cannot reach " + integration.where() + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Undelivered(integration.name() + ": interrupted while sending");
        }
        int status = response.statusCode();
        telemetry.delivery(integration.name(), status >= 200 && status < 300 ? Telemetry.Delivery.DELIVERED
                : status == 429 ? Telemetry.Delivery.RATE_LIMITED
                : status == 408 || status >= 500 ? Telemetry.Delivery.FAILED : Telemetry.Delivery.REJECTED);
        if (status >= 200 && status < 300) return;
        var answer = integration.name() + ": HTTP " + status + " from " + integration.where() + shown(response.body());
        if (status == 429) {
            var after = retryAfter(response);
            if (after.isPresent()) throw new StreamConsumer.RetryLater(answer, after.get());
            throw new Undelivered(answer);
        }
        if (status == 408 || status >= 500) throw new Undelivered(answer);
        throw new StreamConsumer.GiveUp(answer + (status >= 300 && status < 400
                ? " (redirects are not followed: set the integration's url to where it points)" : ""));
    }

    /** Retry-After in seconds, kept between 1 s and an hour; empty when absent or an HTTP date. */
    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        try {
            return response.headers().firstValue("Retry-After").map(s -> Duration.ofSeconds(Long.parseLong(s.strip())))
                    .map(d -> d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1)
                            : d.compareTo(RETRY_AFTER_MAX) > 0 ? RETRY_AFTER_MAX : d);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String shown(String body) {
        if (body == null || body.isBlank()) return "";
        var oneLine = body.strip().replaceAll("\\s+", " ");
        return ": " + (oneLine.length() > ANSWER_SHOWN ? oneLine.substring(0, ANSWER_SHOWN) + "…" : oneLine);
    }

    /** The endpoint did not take the event this time; worth trying again. */
    static final class Undelivered extends RuntimeException {
        Undelivered(String message) { super(message); }
    }
}
