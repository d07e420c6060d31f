package org.countersign.web;

import static org.countersign.web.Html.esc;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Collectors;
import org.countersign.app.RequestService;
import org.countersign.domain.Disclosure;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.EventType;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;

/**
 * The dashboard: open requests first, then recent ones, and a page per request with its whole timeline. Pages
 * are rendered here; a small script swaps in fresh partials when the live events say something changed. Every
 * request goes through {@link RequestView}, so a confidential one shows the same little as in the API.
 */
final class Dashboard {
    static final EnumSet<State> OPEN = EnumSet.copyOf(State.open());
    static final EnumSet<State> DONE = EnumSet.complementOf(OPEN);
    static final int OPEN_MAX = 100;
    static final int RECENT_MAX = 20;

    private final RequestService service;
    private final Clock clock;
    private final boolean console;
    private final Callers callers;

    Dashboard(RequestService service, Clock clock, boolean console, Callers callers) {
        this.service = service;
        this.clock = clock;
        this.console = console;
        this.callers = callers;
    }

    /** Who reads the page: a signed-in person sees what the disclosure rule lets them; anyone else what anyone may. */
    private Disclosure.Audience audience(Context ctx) { return callers.audience(ctx, service::member); }

    void page(Context ctx) {
        // The heading stays put; the part below it is swapped for a fresh one when something changes.
        var body = "<main class=\"dashboard\"><h1>Emergency requests</h1><div id=\"view\" data-partial=\"/partials/dashboard\">"
                + overview(audience(ctx)) + "</div></main>";
        ctx.html(Html.page("Dashboard", "dashboard", console, body, "dashboard.js"));
    }

    void partial(Context ctx) {
        ctx.header("Cache-Control", "no-store").html(overview(audience(ctx)));
    }

    void requestPage(Context ctx) {
        var raw = ctx.pathParam("id");
        var id = RequestId.parse(raw);
        if (id.isEmpty()) {
            notFound(ctx, HttpStatus.BAD_REQUEST, ErrorAnswers.echo(raw) + " is not a request id; use the form EMG-12");
            return;
        }
        var view = view(id.get(), audience(ctx));
        if (view == null) {
            notFound(ctx, HttpStatus.NOT_FOUND, "There is no request " + id.get());
            return;
        }
        var body = "<main class=\"request\" id=\"view\" data-request=\"" + esc(view.id()) + "\" data-partial=\"/partials/requests/"
                + esc(view.id()) + "\">" + detail(view) + "</main>";
        ctx.html(Html.page(view.id(), "request", console, body, "dashboard.js"));
    }

    void requestPartial(Context ctx) {
        var id = RequestId.parse(ctx.pathParam("id"))
                .orElseThrow(() -> new WebApp.BadRequest(ErrorAnswers.echo(ctx.pathParam("id")) + " is not a request id; use the form EMG-12"));
        var view = view(id, audience(ctx));
        if (view == null) {
            ctx.status(HttpStatus.NOT_FOUND).json(new ApiError("There is no request " + id));
            return;
        }
        ctx.header("Cache-Control", "no-store").html(detail(view));
    }

    private void notFound(Context ctx, HttpStatus status, String message) {
        var body = "<main class=\"request\"><h1>Not found</h1><p class=\"notice error\">" + esc(message)
                + "</p><p><a href=\"/\">Back to the dashboard</a></p></main>";
        ctx.status(status).html(Html.page("Not found", "request", console, body, null));
    }

    private RequestView view(RequestId id, Disclosure.Audience audience) {
        return service.find(id).map(r -> RequestView.of(r, Disclosure.hidesFrom(r, audience) ? null
                : service.timeline(id), service.workflow(), audience)).orElse(null);
    }

    // ---- the overview ----------------------------------------------------------------------------------------

    String overview(Disclosure.Audience audience) {
        var now = clock.instant();
        var requests = new ArrayList<>(service.recent(OPEN, OPEN_MAX));
        // What waits for people first, the soonest to expire on top; then the rest, newest first.
        requests.sort(Comparator.comparing((EmergencyRequest r) -> r.state() != State.PENDING)
                .thenComparing(r -> r.state() == State.PENDING ? r.expires().toEpochMilli() : -r.created().toEpochMilli()));
        var open = requests.stream().map(r -> RequestView.of(r, null, service.workflow(), audience)).toList();
        var recent = service.recent(DONE, RECENT_MAX).stream()
                .map(r -> RequestView.of(r, null, service.workflow(), audience)).toList();
        var html = new StringBuilder();
        html.append("<section class=\"open\"><h2>Open <span class=\"count\">").append(open.size()).append("</span></h2>");
        if (open.isEmpty()) html.append("<p class=\"empty\">Nothing is waiting. ")
                .append(console ? "Try one in the <a href=\"/console\">console</a>." : "").append("</p>");
        else table(html, open, now, true);
        reviews(html, now, audience);
        html.append("</section><section class=\"recent\"><h2>Recent</h2>");
        if (recent.isEmpty()) html.append("<p class=\"empty\">No finished requests yet.</p>");
        else table(html, recent, now, false);
        html.append("</section><p class=\"updated\">As of ").append(Html.time(now)).append("</p>");
        return html.toString();
    }

    /** The requests awaiting the review their policy requires, overdue ones marked; nothing when none awaits one. */
    private void reviews(StringBuilder html, java.time.Instant now, Disclosure.Audience audience) {
        var awaiting = service.awaitingReview();
        if (awaiting.isEmpty()) return;
        html.append("</section><section class=\"reviews\"><h2>Awaiting review <span class=\"count\">")
                .append(awaiting.size()).append("</span></h2><ul class=\"reviews\">");
        for (var r : awaiting) {
            var v = RequestView.of(r, null, service.workflow(), audience);
            boolean overdue = r.reviewOverdue(now);
            html.append("<li data-id=\"").append(esc(v.id())).append("\" class=\"").append(overdue ? "overdue" : "due")
                    .append("\"><a href=\"/requests/").append(esc(v.id())).append("\">").append(esc(v.id())).append("</a> ")
                    .append(state(v.state()));
            if (!v.redacted())
                html.append(r.breakGlass() != null ? " <strong>break-glass</strong>" : "")
                        .append(overdue ? " <strong class=\"overdue\">overdue</strong> since " : " due ")
                        .append(Html.time(r.reviewDue()));
            html.append("</li>");
        }
        html.append("</ul>");
    }

    private void table(StringBuilder html, List<RequestView> views, java.time.Instant now, boolean open) {
        html.append("<table class=\"requests\"><thead><tr><th>Request</th><th>State</th><th>Reason</th>")
                .append("<th>Summary</th><th>Age</th><th>").append(open ? "Expires" : "Updated")
                .append("</th><th>Teams</th></tr></thead><tbody>");
        for (var v : views) {
            html.append("<tr data-id=\"").append(esc(v.id())).append("\" data-state=\"").append(esc(v.state()))
                    .append("\">")
                    .append("<td data-label=\"Request\"><a href=\"/requests/").append(esc(v.id())).append("\">")
                    .append(esc(v.id())).append("</a></td>")
                    .append("<td data-label=\"State\">").append(state(v.state())).append("</td>")
                    .append("<td data-label=\"Reason\">").append(v.redacted() ? "<em>Confidential</em>" : esc(v.reasonLabel()))
                    .append("</td><td data-label=\"Summary\" class=\"summary\">")
                    .append(v.redacted() ? "<em>Details only where the required teams can see them</em>" : esc(v.summary()))
                    .append("</td><td data-label=\"Age\">").append(v.redacted() ? "—" : Html.age(v.created(), now))
                    .append("</td><td data-label=\"").append(open ? "Expires" : "Updated").append("\">")
                    .append(v.redacted() ? "—" : open ? (State.PENDING.name().equals(v.state()) ? Html.until(v.expires(), now)
                            : "—") : Html.age(v.updated(), now))
                    .append("</td><td data-label=\"Teams\">").append(teams(v, false)).append("</td></tr>");
        }
        html.append("</tbody></table>");
    }

    static String state(String state) {
        var s = State.valueOf(state);
        return "<span class=\"state state-" + esc(state.toLowerCase(java.util.Locale.ROOT)) + "\">" + esc(s.label())
                + "</span>";
    }

    private String teams(RequestView v, boolean withPeople) {
        return v.teams().stream().map(t -> {
            var who = withPeople && !v.redacted() && t.approved() > 0 ? ": " + t.approvals().stream()
                    .map(a -> Html.actor(a.by(), service.policy()) + " at " + Html.time(a.at()))
                    .collect(Collectors.joining(", ")) : "";
            var mark = t.satisfied() ? "✓" : State.REJECTED.name().equals(v.state()) ? "✗" : "…";
            return "<span class=\"team " + (t.satisfied() ? "ok" : "waiting") + "\" data-team=\"" + esc(t.team())
                    + "\">" + mark + " " + esc(t.label()) + " <span class=\"quorum\">" + t.approved() + "/"
                    + t.needed() + "</span>" + who + "</span>";
        }).collect(Collectors.joining(" "));
    }

    // ---- one request -----------------------------------------------------------------------------------------

    String detail(RequestView v) {
        var now = clock.instant();
        var html = new StringBuilder();
        html.append("<h1>").append(esc(v.id())).append(v.redacted() ? "" : " · " + esc(v.reasonLabel()))
                .append(" ").append(state(v.state())).append("</h1>");
        if (v.redacted()) {
            html.append("<p class=\"notice\">Confidential: its details and timeline are shown only to its requester and ")
                    .append("the members of its teams (in the security channel or room, in the console, or signed in ")
                    .append("here).</p><dl class=\"fields\">")
                    .append(row("State", state(v.state()))).append("</dl>");
            html.append("<h2>Teams</h2><div class=\"teams\">").append(teams(v, false)).append("</div>");
            return html.toString();
        }
        html.append("<dl class=\"fields\">")
                .append(row("Summary", esc(v.summary())))
                .append(row("Reason", esc(v.reasonLabel()) + " <code>" + esc(v.reason()) + "</code>"))
                .append(row("Requester", Html.actor(v.requester(), service.policy())));
        if (v.deployer() != null) html.append(row("Deployer", Html.actor(v.deployer(), service.policy())));
        html.append(row("Changes", "<ul class=\"changes\">" + v.changes().stream().map(c -> "<li>" + link(c) + "</li>")
                .collect(Collectors.joining()) + "</ul>"));
        if (v.task() != null) html.append(row("Task", link(v.task())));
        html.append(row("Rollback", Boolean.TRUE.equals(v.rollback()) ? "Yes, this is a rollback or revert"
                : "No. Why not: " + esc(v.whyNotRollback())));
        if (v.details() != null) html.append(row("Details", "<div class=\"text\">" + esc(v.details()) + "</div>"));
        html.append(row("Opened", Html.time(v.created()) + " (" + Html.age(v.created(), now) + ")"))
                .append(row("Last change", Html.time(v.updated())));
        if (State.PENDING.name().equals(v.state()))
            html.append(row("Expires", Html.time(v.expires()) + " (" + Html.until(v.expires(), now) + ")"));
        if (v.rejection() != null)
            html.append(row("Rejected", Html.actor(v.rejection().by(), service.policy()) + " at "
                    + Html.time(v.rejection().at()) + ": " + esc(v.rejection().reason())));
        if (v.breakGlass() != null)
            html.append(row("Break-glass", "<strong>Approved without its quorum</strong> by "
                    + Html.actor(v.breakGlass().by(), service.policy()) + " at " + Html.time(v.breakGlass().at()) + ": "
                    + esc(v.breakGlass().reason())));
        if (v.deployNote() != null) html.append(row("Deploy note", esc(v.deployNote())));
        if (v.reviewDue() != null && v.review() == null) html.append(row("Review due", Html.time(v.reviewDue())));
        if (v.review() != null)
            html.append(row("Reviewed", Html.actor(v.review().by(), service.policy()) + " at "
                    + Html.time(v.review().at()) + ": " + link(v.review().followUp())));
        if (v.closeNote() != null) html.append(row("Follow-up", esc(v.closeNote())));
        html.append("</dl>");
        html.append("<h2>Teams</h2><div class=\"teams\">").append(teams(v, true)).append("</div>");
        html.append("<h2>Timeline</h2><ol class=\"timeline\">");
        var timeline = v.timeline();
        String shown = null;
        for (int i = 0; i < timeline.size(); i++) {
            var e = timeline.get(i);
            // "Approved" follows the last approval (or the break-glass) in the same change: one entry says both.
            if (mergedIntoPrevious(timeline, i)) continue;
            var next = i + 1 < timeline.size() && mergedIntoPrevious(timeline, i + 1) ? i + 2 : i + 1;
            var lastOfChange = next >= timeline.size() || !change(timeline.get(next)).equals(change(e));
            var completes = next == i + 2 && EventType.fromWire(e.type()) == EventType.APPROVAL_ADDED;
            html.append("<li data-event=\"").append(esc(e.id())).append("\">").append(Html.time(e.at())).append(" ")
                    .append(Html.actor(e.actor(), service.policy())).append(" <span class=\"what\">")
                    .append(esc(what(e) + (completes ? ", the last approval it needed" : ""))).append("</span>");
            // The state is said once per change, and only when it is new.
            if (lastOfChange && !e.state().equals(shown)) {
                html.append(" → ").append(state(timeline.get(next - 1).state()));
                shown = e.state();
            }
            if (e.detail() != null) html.append("<div class=\"text\">").append(esc(e.detail())).append("</div>");
            html.append("</li>");
        }
        html.append("</ol>");
        return html.toString();
    }

    private static boolean mergedIntoPrevious(List<RequestView.EntryView> timeline, int i) {
        return i > 0 && EventType.fromWire(timeline.get(i).type()) == EventType.REQUEST_APPROVED
                && change(timeline.get(i - 1)).equals(change(timeline.get(i)));
    }

    /** The change of the request an entry belongs to: its id without the position ({@code EMG-12/3}). */
    private static String change(RequestView.EntryView e) {
        int slash = e.id().lastIndexOf('/');
        return slash < 0 ? e.id() : e.id().substring(0, slash);
    }

    private String what(RequestView.EntryView e) {
        var team = e.team() == null ? "" : service.policy().teamLabel(e.team());
        return switch (EventType.fromWire(e.type())) {
            case REQUEST_OPENED -> "opened the request";
            case APPROVAL_ADDED -> "approved as " + team;
            case APPROVAL_WITHDRAWN -> "withdrew the approval as " + team;
            case APPROVALS_CLEARED -> "changed the changes, which cleared the approvals";
            case REQUEST_EDITED -> "edited the changes";
            case REQUEST_APPROVED -> "approved it"; // alone only when nothing else in its change came first
            case REQUEST_REJECTED -> "rejected it";
            case REQUEST_CANCELLED -> "cancelled it";
            case REQUEST_EXPIRED -> "expired it"; // the detail says why: teams still needed, or approvals gone stale
            case DEPLOY_STARTED -> "started the deploy";
            case DEPLOY_FINISHED -> "finished the deploy";
            case REQUEST_CLOSED -> "closed it";
            case REQUEST_BREAK_GLASS -> "BROKE THE GLASS: approved it without its quorum";
            case REQUEST_REVIEWED -> "reviewed it";
            case REVIEW_OVERDUE -> "noted that its review is overdue";
            case REQUEST_REMINDED -> "reminded the teams"; // the detail names those still needed
            case REQUEST_ESCALATED -> "paged the on-call";
            case REQUEST_EXPIRY_WARNED -> "warned the requester";
        };
    }

    private static String row(String label, String valueHtml) {
        return "<dt>" + esc(label) + "</dt><dd>" + valueHtml + "</dd>";
    }

    /** An http(s) reference as a link, anything else (a change number, org/repo#12) as text. */
    static String link(String ref) {
        if (ref == null) return "";
        if (ref.matches("(?i)https?://[^\\s<>\"]+"))
            return "<a href=\"" + esc(ref) + "\" rel=\"noopener noreferrer\" target=\"_blank\">" + esc(ref) + "</a>";
        return esc(ref);
    }
}
