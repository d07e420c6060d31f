package org.countersign.web;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.countersign.app.RequestService;
import org.countersign.domain.Disclosure;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.State;
import org.countersign.receipt.AuditLog;
import org.countersign.receipt.Receipts;

/**
 * What Countersign signs for others to check: a request's receipt ({@code GET /api/requests/{id}/receipt}), the keys
 * it is checked with ({@code /.well-known/countersign/keys}) and the audit export ({@code GET /api/audit}).
 */
final class Evidence {
    private final RequestService service;
    private final Receipts receipts;

    Evidence(RequestService service, Receipts receipts) {
        this.service = service;
        this.receipts = receipts;
    }

    /**
     * The signed receipt of an approved request. The API does not know who asks (a dashboard token is not a person),
     * so a confidential request's receipt leaves out what anyone may not see, as {@link RequestView} does.
     */
    void receipt(Context ctx) {
        var id = WebApp.requestId(ctx);
        var request = service.find(id);
        if (request.isEmpty()) {
            ctx.status(HttpStatus.NOT_FOUND).json(new ApiError("There is no request " + id));
            return;
        }
        var r = request.get();
        boolean hide = Disclosure.hidesFrom(r, new Disclosure.Audience.Anyone());
        var answer = receipts.receipt(r, service.timeline(id), hide);
        if (answer instanceof Receipts.Answer.Signed signed) {
            ctx.header("Cache-Control", "no-store").json(signed.envelope());
            return;
        }
        var state = ((Receipts.Answer.NotApproved) answer).state();
        ctx.status(HttpStatus.CONFLICT).json(Map.of("error", notApproved(r, state), "state", state.name()));
    }

    private String notApproved(EmergencyRequest r, State state) {
        return switch (state) {
            case PENDING -> r.id() + " is pending: it gets a receipt once " + service.workflow().labels(
                    service.workflow().teamsStillNeeded(r)) + " approve (ask again then, or wait for request.approved)";
            case REJECTED, CANCELLED, EXPIRED -> r.id() + " ended (" + state.label() + ") before every required team "
                    + "had approved, so it has no receipt; open a new request if the deploy is still needed";
            default -> r.id() + " " + state.phrase() + ", but its approvals were cleared, so it has no receipt";
        };
    }

    /**
     * Every timeline entry at or after {@code since}, as hash-chained JSON Lines ending with a signed line
     * ({@link AuditLog}); {@code countersign verify-audit} checks a saved copy.
     */
    void audit(Context ctx) {
        var since = parseSince(ctx.queryParam("since"));
        var out = new java.io.StringWriter();
        AuditLog.export(new AuditLog.History() {
            @Override
            public long highest() { return service.highestNumber(); }

            @Override
            public List<AuditLog.Recorded> numbered(long from, int count) {
                return service.history(from, count).stream()
                        .map(k -> new AuditLog.Recorded(k.request(), k.timeline())).toList();
            }
        }, since, Clock.systemUTC().instant(), receipts.keys(), out);
        ctx.header("Cache-Control", "no-store").contentType("application/x-ndjson; charset=utf-8").result(out.toString());
    }

    /** {@code 2026-03-01T12:00:00Z} or {@code 2026-03-01} (the start of that day, UTC); null when not given. */
    static java.time.Instant parseSince(String raw) {
        if (raw == null || raw.isBlank()) return null;
        var text = raw.strip();
        try {
            return text.length() == 10 ? java.time.LocalDate.parse(text).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
                    : java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new WebApp.BadRequest("since=\"" + (text.length() > 40 ? text.substring(0, 40) + "…" : text)
                    + "\" is not a time: use a date such as 2026-03-01 or a time such as 2026-03-01T12:00:00Z");
        }
    }

    /** The public keys receipts are signed with, current and earlier ones: what a pipeline verifies with. */
    void keys(Context ctx) {
        ctx.header("Cache-Control", "public, max-age=300").json(receipts.jwks());
    }
}
