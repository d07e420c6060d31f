package org.countersign.web;

import static org.countersign.web.Html.esc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.countersign.app.RequestService;
import org.countersign.chat.Card;
import org.countersign.chat.Cards;
import org.countersign.domain.Actor;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Draft;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Outcome;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Outcome.Refused;
import org.countersign.domain.Outcome.Unchanged;
import org.countersign.domain.Platform;
import org.countersign.domain.Problem;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;

/**
 * The local console: a third chat adapter, in the browser, for trying Countersign without Slack. One picks one of
 * the policy's console people, types {@code /emergency …}, fills the same form and presses the same buttons on the
 * same card as in Slack; every action is a call to the {@link RequestService} as {@code console:<name>}. Answers
 * that only the presser should see (refusals, "you already approved") come back in the response, like Slack's
 * ephemeral messages; cards are refreshed from the live events. Only this machine may use it, and its POSTs carry
 * a token from the page (double-submit, with a SameSite=Strict cookie) so no other site can press for you.
 */
final class Console {
    static final String COMMAND = "/emergency";
    static final String CSRF_COOKIE = "countersign_console";
    static final String CSRF_HEADER = "X-Countersign-Csrf";
    static final int BODY_MAX = 64 * 1024;
    static final int CHANNEL_MAX = 20;
    private static final Set<State> LISTED = Dashboard.OPEN;

    private final RequestService service;
    private final Cards cards;
    private final List<String> people;
    private final ObjectMapper json;
    private final SecureRandom random = new SecureRandom();

    Console(RequestService service, List<String> people, ObjectMapper json) {
        this.service = service;
        this.cards = new Cards(service.workflow());
        this.people = List.copyOf(people);
        this.json = json;
    }

    // ---- guards ----------------------------------------------------------------------------------------------

    /** Before every console route: this machine only; and for POSTs, the page's token and no other site's origin. */
    void guard(Context ctx) {
        if (!Access.isLocal(ctx)) {
            ctx.skipRemainingHandlers();
            ctx.status(HttpStatus.FORBIDDEN).json(new ApiError("The console answers only on this machine "
                    + "(a loopback address, no proxy); use Slack or Matrix from elsewhere"));
            return;
        }
        if (!"POST".equals(ctx.method().name())) return;
        var cookie = ctx.cookie(CSRF_COOKIE);
        var header = ctx.header(CSRF_HEADER);
        var origin = ctx.header("Origin");
        boolean sameOrigin = origin == null || origin.equals("http://" + ctx.host()) || origin.equals("https://" + ctx.host());
        if (cookie == null || header == null || !sameOrigin || !MessageDigest.isEqual(
                cookie.getBytes(StandardCharsets.UTF_8), header.getBytes(StandardCharsets.UTF_8))) {
            ctx.skipRemainingHandlers();
            ctx.status(HttpStatus.FORBIDDEN).json(new ApiError("This did not come from the console page "
                    + "(its token is missing or stale); reload /console and try again"));
        }
    }

    // ---- pages -----------------------------------------------------------------------------------------------

    void page(Context ctx) {
        var asked = ctx.queryParam("as");
        var as = asked != null && people.contains(asked) ? asked : defaultPerson();
        var csrf = ctx.cookie(CSRF_COOKIE);
        if (csrf == null || !csrf.matches("[0-9a-f]{64}")) {
            var bytes = new byte[32];
            random.nextBytes(bytes);
            csrf = HexFormat.of().formatHex(bytes);
            ctx.cookie(new Cookie(CSRF_COOKIE, csrf, "/console", -1, Access.isHttps(ctx), true, null, SameSite.STRICT));
        }
        var html = new StringBuilder();
        html.append("<main class=\"console\" id=\"console\" data-as=\"").append(esc(as)).append("\" data-csrf=\"")
                .append(esc(csrf)).append("\">");
        html.append("<form class=\"who\" method=\"get\" action=\"/console\"><label for=\"as\">You are</label> ")
                .append("<select id=\"as\" name=\"as\">");
        for (var p : people)
            html.append("<option value=\"").append(esc(p)).append("\"").append(p.equals(as) ? " selected" : "")
                    .append(">").append(esc(p)).append(" · ").append(esc(ConsolePeople.describe(service.policy(), p)))
                    .append("</option>");
        html.append("</select> <noscript><button class=\"btn\">Switch</button></noscript>");
        html.append("<span class=\"hint\">Open another window to act as someone else.</span></form>");
        if (asked != null && !people.contains(asked))
            html.append("<p class=\"notice error\">").append(esc(asked)).append(" is not one of the policy's console ")
                    .append("people, so you are ").append(esc(as)).append(".</p>");
        html.append("<section class=\"channel\" id=\"channel\" aria-live=\"polite\">")
                .append("<div class=\"message bot\"><strong>Countersign</strong> This is the local console: the same ")
                .append("requests, form, card and buttons as in Slack, on this machine only. Type <code>")
                .append(COMMAND).append(" help</code>, or <code>").append(COMMAND)
                .append(" availability API returns 500s</code> to open a request.</div>")
                .append(channelCards(as)).append("</section>");
        html.append("<form class=\"composer\" id=\"composer\" autocomplete=\"off\"><input id=\"command\" name=\"text\" ")
                .append("maxlength=\"3000\" placeholder=\"").append(COMMAND).append(" help\" aria-label=\"Command\">")
                .append("<button class=\"btn primary\" type=\"submit\">Send</button></form>");
        html.append(requestForm()).append(noteForm()).append("</main>");
        ctx.html(Html.page("Console", "console-page", true, html.toString(), "console.js"));
    }

    /** Every card of the channel, oldest first, as {@code as} sees them. */
    void channel(Context ctx) {
        var as = person(ctx.queryParam("as"));
        ctx.header("Cache-Control", "no-store").html(channelCards(as));
    }

    void card(Context ctx) {
        var as = person(ctx.queryParam("as"));
        var id = requestId(ctx.pathParam("id"), "status");
        var request = service.find(id);
        if (request.isEmpty()) {
            ctx.status(HttpStatus.NOT_FOUND).json(new ApiError("There is no request " + id));
            return;
        }
        ctx.header("Cache-Control", "no-store").html(cardHtml(request.get(), as));
    }

    private String channelCards(String as) {
        var recent = new ArrayList<>(service.recent(Set.of(), CHANNEL_MAX));
        recent.sort(Comparator.comparing(EmergencyRequest::created));
        return recent.stream().map(r -> cardHtml(r, as)).collect(Collectors.joining());
    }

    private String cardHtml(EmergencyRequest r, String as) {
        return CardHtml.render(cards.of(r), service.policy(), !entitled(r, as));
    }

    /** A confidential request is shown whole only to its requester and the members of its teams. */
    private boolean entitled(EmergencyRequest r, String as) {
        if (!r.confidential()) return true;
        var actor = actor(as);
        var policy = service.policy();
        return r.requestedBy(policy.personOf(actor))
                || policy.listedTeamsOf(actor).stream().anyMatch(r.requiredTeams()::contains);
    }

    // ---- /emergency ------------------------------------------------------------------------------------------

    void command(Context ctx) {
        var body = body(ctx);
        var as = person(text(body, "as"));
        var text = Optional.ofNullable(text(body, "text")).orElse("").strip();
        if (!text.toLowerCase(Locale.ROOT).startsWith(COMMAND)) {
            var first = text.split("\\s+", 2)[0];
            throw new WebApp.BadRequest(first.startsWith("/") ? "Unknown command " + first + "; the console knows "
                    + COMMAND + " (try " + COMMAND + " help)"
                    : "Commands start with " + COMMAND + "; try " + COMMAND + " help");
        }
        var rest = text.substring(COMMAND.length());
        if (!rest.isEmpty() && !Character.isWhitespace(rest.charAt(0)))
            throw new WebApp.BadRequest("Unknown command " + text.split("\\s+", 2)[0] + "; try " + COMMAND + " help");
        var words = rest.strip().split("\\s+", 2);
        var verb = words[0].toLowerCase(Locale.ROOT);
        var arg = words.length > 1 ? words[1].strip() : "";
        switch (verb) {
            case "help" -> reply(ctx, help());
            case "list" -> reply(ctx, list());
            case "status" -> {
                var id = requestId(arg, "status");
                var r = service.find(id);
                if (r.isEmpty()) ctx.status(HttpStatus.NOT_FOUND).json(new ApiError("There is no request " + id
                        + "; " + COMMAND + " list shows the open ones"));
                else reply(ctx, statusLine(r.get()));
            }
            case "cancel" -> answer(ctx, service.cancel(requestId(arg, "cancel"), actor(as), null));
            default -> ctx.json(Map.of("form", prefill(rest.strip())));
        }
    }

    private void reply(Context ctx, String text) { ctx.json(Map.of("reply", text)); }

    private Map<String, String> prefill(String text) {
        var prefill = new LinkedHashMap<String, String>();
        if (text.isEmpty()) return prefill;
        var parts = text.split("\\s+", 2);
        var reason = service.policy().reasons().keySet().stream()
                .filter(k -> k.equalsIgnoreCase(parts[0])).findFirst();
        if (reason.isPresent()) {
            prefill.put("reason", reason.get());
            if (parts.length > 1 && !parts[1].isBlank()) prefill.put("summary", parts[1].strip());
        } else {
            prefill.put("summary", text);
        }
        return prefill;
    }

    private static String help() {
        return String.join("\n",
                COMMAND + ": ask SRE and Release Engineering to approve an emergency deployment.",
                "• " + COMMAND + ": open the request form",
                "• " + COMMAND + " availability API returns 500s: open the form with the reason and summary filled in",
                "• " + COMMAND + " list: the open requests",
                "• " + COMMAND + " status EMG-12: where a request stands",
                "• " + COMMAND + " cancel EMG-12: cancel your request",
                "Rollback first, fix later. Availability before new features. Make on-wiki edits rarely.");
    }

    private String list() {
        var open = service.recent(LISTED, 20);
        if (open.isEmpty()) return "No open emergency requests.";
        return "Open emergency requests\n" + open.stream().map(this::statusLine).collect(Collectors.joining("\n"));
    }

    private String statusLine(EmergencyRequest r) {
        return cards.line(r, false, "confidential: details only for its teams");
    }

    // ---- the request form ------------------------------------------------------------------------------------

    void open(Context ctx) {
        var body = body(ctx);
        var as = person(text(body, "as"));
        var changes = text(body, "changes");
        var rollback = text(body, "rollback");
        var deployerName = text(body, "deployer");
        var problems = new ArrayList<Problem>();
        Actor deployer = null;
        if (deployerName != null && !deployerName.isBlank()) {
            if (people.contains(deployerName.strip())) deployer = actor(deployerName.strip());
            else problems.add(new Problem("deployer", "Pick the deployer from the list, or leave it empty"));
        }
        var draft = new Draft(text(body, "reason"), text(body, "summary"), text(body, "details"),
                changes == null ? List.of() : Arrays.asList(changes.split("\\R")), text(body, "task"),
                "yes".equals(rollback) ? Boolean.TRUE : "no".equals(rollback) ? Boolean.FALSE : null,
                text(body, "why_not_rollback"), deployer);
        problems.addAll(0, draft.problems(service.policy()));
        if (!problems.isEmpty()) {
            var fields = new LinkedHashMap<String, String>();
            problems.forEach(p -> fields.merge(p.field(), p.message(), (a, b) -> a + "; " + b));
            ctx.status(HttpStatus.BAD_REQUEST).json(new FormError("The request is not complete: "
                    + problems.get(0).message(), fields));
            return;
        }
        var outcome = service.open(actor(as), draft);
        if (outcome instanceof Applied applied) {
            var r = applied.request();
            var needs = String.join(" and ", r.requiredTeams().stream().map(service.policy()::teamLabel).toList());
            ctx.status(HttpStatus.CREATED).json(Map.of("outcome", "applied", "request", r.id().toString(),
                    "message", r.id() + " is open; it needs " + needs + " to approve. Its card is below."));
        } else {
            answer(ctx, outcome);
        }
    }

    // ---- the card's buttons ----------------------------------------------------------------------------------

    void press(Context ctx) {
        var body = body(ctx);
        var by = actor(person(text(body, "as")));
        var id = requestId(ctx.pathParam("id"), "status");
        var action = Card.Action.fromKey(Optional.ofNullable(text(body, "action")).orElse(""))
                .orElseThrow(() -> new WebApp.BadRequest("Unknown button \"" + text(body, "action") + "\"; one of "
                        + Arrays.stream(Card.Action.values()).map(Card.Action::key).collect(Collectors.joining(", "))));
        var note = text(body, "note");
        Function<RequestId, Outcome> act = switch (action) {
            case APPROVE -> i -> service.approve(i, by, text(body, "team"));
            case REJECT -> i -> service.reject(i, by, note);
            case DEPLOY_STARTED -> i -> service.startDeploy(i, by);
            case DEPLOYED -> i -> service.finishDeploy(i, by, DeployResult.SUCCEEDED, note);
            case ROLLED_BACK -> i -> service.finishDeploy(i, by, DeployResult.ROLLED_BACK, note);
            case FAILED -> i -> service.finishDeploy(i, by, DeployResult.FAILED, note);
            case CLOSE -> i -> service.close(i, by, note);
        };
        answer(ctx, act.apply(id));
    }

    /** The outcome as the presser sees it: what changed, or why nothing did, with a status a script can act on. */
    private void answer(Context ctx, Outcome outcome) {
        if (outcome instanceof Applied a) {
            ctx.json(Map.of("outcome", "applied", "request", a.request().id().toString(), "message", a.message()));
        } else if (outcome instanceof Unchanged u) {
            ctx.json(Map.of("outcome", "unchanged", "request", u.request().id().toString(), "message", u.message()));
        } else if (outcome instanceof Refused r) {
            var status = switch (r.kind()) {
                case NOT_FOUND -> HttpStatus.NOT_FOUND;
                case NOT_ALLOWED -> HttpStatus.FORBIDDEN;
                case WRONG_STATE -> HttpStatus.CONFLICT;
                case INVALID -> HttpStatus.BAD_REQUEST;
            };
            ctx.status(status).json(new ApiError(r.message()));
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private String defaultPerson() {
        // A newcomer tries it as someone in no team first: the developer who asks.
        return people.stream().filter(p -> service.policy().listedTeamsOf(actor(p)).isEmpty()).findFirst()
                .orElse(people.isEmpty() ? "" : people.get(0));
    }

    private String person(String name) {
        if (name == null || !people.contains(name))
            throw new WebApp.BadRequest("Pick who you are: one of " + String.join(", ", people));
        return name;
    }

    private static Actor actor(String name) { return new Actor(Platform.CONSOLE, name); }

    private static RequestId requestId(String text, String verb) {
        return RequestId.parse(text).orElseThrow(() -> new WebApp.BadRequest(
                (text == null || text.isBlank() ? "Say which request" : "\"" + text + "\" is not a request id")
                        + ": " + COMMAND + " " + verb + " EMG-12"));
    }

    private JsonNode body(Context ctx) {
        var text = ctx.body();
        if (text.length() > BODY_MAX) throw new WebApp.TooLarge("That is more than " + BODY_MAX / 1024
                + " KB; the form's fields are limited far below that");
        try {
            var node = json.readTree(text);
            if (node == null || !node.isObject()) throw new WebApp.BadRequest("Send a JSON object");
            return node;
        } catch (JsonProcessingException e) {
            throw new WebApp.BadRequest("Send a JSON object (" + e.getOriginalMessage() + ")");
        }
    }

    private static String text(JsonNode body, String field) {
        var node = body.get(field);
        return node == null || !node.isValueNode() || node.isNull() ? null : node.asText();
    }

    private String requestForm() {
        var policy = service.policy();
        var f = new StringBuilder();
        f.append("<dialog id=\"request-form\" class=\"modal\" aria-labelledby=\"request-form-title\">")
                .append("<form method=\"dialog\" novalidate><h2 id=\"request-form-title\">Emergency deploy</h2>")
                .append("<p class=\"error\" data-error-for=\"_form\"></p>");
        f.append(field("reason", "Reason", null, "<select id=\"f-reason\" name=\"reason\"><option value=\"\">Why must "
                + "production change now?</option>" + policy.reasons().values().stream().map(r -> "<option value=\""
                + esc(r.key()) + "\">" + esc(r.label()) + "</option>").collect(Collectors.joining()) + "</select>"));
        f.append(field("summary", "Summary", "One line, up to " + Draft.SUMMARY_MAX + " characters",
                "<input id=\"f-summary\" name=\"summary\" type=\"text\" placeholder=\"What is broken, and what the "
                        + "deploy fixes\">"));
        f.append(field("changes", "Changes", "One per line: a URL or a change number",
                "<textarea id=\"f-changes\" name=\"changes\" rows=\"3\" placeholder=\"https://gerrit.example.org/r/c/"
                        + "operations/+/123456\"></textarea>"));
        f.append(field("task", "Task (optional)", null, "<input id=\"f-task\" name=\"task\" type=\"text\" "
                + "placeholder=\"T12345 or a link to the incident\">"));
        f.append(field("rollback", "Is this a rollback or revert?", null, "<label class=\"choice\"><input type=\"radio\" "
                + "name=\"rollback\" value=\"yes\" id=\"f-rollback-yes\"> Yes: it rolls back or reverts a change</label>"
                + "<label class=\"choice\"><input type=\"radio\" name=\"rollback\" value=\"no\" id=\"f-rollback-no\"> "
                + "No: it deploys a fix or a new change</label>"));
        f.append(field("why_not_rollback", "Why not roll back? (optional)", "Rollback first, fix later: required when "
                + "this is not a rollback", "<textarea id=\"f-why_not_rollback\" name=\"why_not_rollback\" rows=\"2\">"
                + "</textarea>"));
        f.append(field("deployer", "Deployer (optional)", "Who runs the deploy, if not you",
                "<select id=\"f-deployer\" name=\"deployer\"><option value=\"\">Pick a person</option>"
                        + people.stream().map(p -> "<option value=\"" + esc(p) + "\">" + esc(p) + "</option>")
                        .collect(Collectors.joining()) + "</select>"));
        f.append(field("details", "Details (optional)", null, "<textarea id=\"f-details\" name=\"details\" rows=\"3\" "
                + "placeholder=\"Impact, links to graphs or the incident, how you tested it\"></textarea>"));
        f.append("<p class=\"advice\"><strong>Rollback first, fix later.</strong> Availability comes before new features. ")
                .append("Make on-wiki edits rarely, and only with this sign-off.</p>")
                .append("<div class=\"actions\"><button type=\"button\" class=\"btn\" value=\"cancel\" data-close>Cancel")
                .append("</button><button type=\"submit\" class=\"btn primary\" id=\"open-request\">Open request</button>")
                .append("</div></form></dialog>");
        return f.toString();
    }

    private static String field(String name, String label, String hint, String input) {
        return "<div class=\"field\" data-field=\"" + name + "\"><label for=\"f-" + name + "\">" + esc(label) + "</label>"
                + input + (hint == null ? "" : "<small class=\"hint\">" + esc(hint) + "</small>")
                + "<p class=\"error\" data-error-for=\"" + name + "\"></p></div>";
    }

    private static String noteForm() {
        return "<dialog id=\"note-form\" class=\"modal\" aria-labelledby=\"note-form-title\"><form method=\"dialog\" "
                + "novalidate><h2 id=\"note-form-title\">Reject request</h2><p class=\"intro\"></p>"
                + "<div class=\"field\"><label for=\"f-note\">Why do you reject it?</label>"
                + "<textarea id=\"f-note\" name=\"note\" rows=\"3\"></textarea><p class=\"error\" data-error-for=\"note\">"
                + "</p></div><div class=\"actions\"><button type=\"button\" class=\"btn\" data-close>Cancel</button>"
                + "<button type=\"submit\" class=\"btn danger\" id=\"note-submit\">Reject</button></div></form></dialog>";
    }

    /** A form's answer: what is wrong overall, and each field's problem. */
    record FormError(String error, Map<String, String> fields) {}
}
