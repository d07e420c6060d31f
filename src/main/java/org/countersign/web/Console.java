package org.countersign.web;

import static org.countersign.web.Html.esc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.countersign.app.RequestService;
import org.countersign.app.StoreUnavailable;
import org.countersign.app.Throttle;
import org.countersign.chat.Conversation;
import org.countersign.chat.Reply;
import org.countersign.chat.Syntax;
import org.countersign.chat.Venue;
import org.countersign.chat.Verb;
import org.countersign.chat.VerbParser;
import org.countersign.chat.Card;
import org.countersign.chat.Cards;
import org.countersign.domain.Actor;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Disclosure;
import org.countersign.domain.Draft;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Platform;
import org.countersign.domain.Problem;
import org.countersign.domain.RequestId;

/**
 * The local console: a third chat adapter, in the browser, for trying Countersign without Slack. One picks one of
 * the policy's console people, types {@code /emergency …}, fills the same form and presses the same buttons on the
 * same card as in Slack; every action is a call to the {@link RequestService} as {@code console:<name>}. Answers
 * that only the presser should see (refusals, "you already approved") come back in the response, like Slack's
 * ephemeral messages; cards are refreshed from the live events. Only this machine may use it, and its POSTs carry
 * a token from the page (double-submit, with a SameSite=Strict cookie) so no other site can press for you. A person
 * signed in through the identity provider uses it from anywhere, as themselves ({@code web:<person>}), with no choice
 * of whom to act as.
 */
final class Console {
    static final String COMMAND = "/emergency";
    static final int BODY_MAX = 64 * 1024;
    static final int CHANNEL_MAX = 20;
    static final Syntax SYNTAX = Syntax.slash();
    static final Venue VENUE = Venue.page(SYNTAX, "Or press the buttons on a card below.");

    private final RequestService service;
    private final Conversation conversation;
    private final Cards cards;
    private final org.countersign.chat.Notices notices;
    private final List<String> people;
    private final ObjectMapper json;
    private final Callers callers;
    private final ConsoleGuard guard;
    private final ConsoleButtons buttons;

    Console(RequestService service, List<String> people, ObjectMapper json, Throttle perPerson) {
        this(service, people, json, perPerson, Callers.NONE, new HostCheck(null));
    }

    Console(RequestService service, List<String> people, ObjectMapper json, Throttle perPerson, Callers callers,
            HostCheck hosts) {
        this.callers = callers;
        this.service = service;
        this.conversation = new Conversation(service, perPerson);
        this.cards = new Cards(service::workflow);
        this.notices = new org.countersign.chat.Notices(service::policy);
        this.people = List.copyOf(people);
        this.json = json;
        this.guard = new ConsoleGuard(callers, hosts);
        this.buttons = new ConsoleButtons(service);
    }

    // ---- pages -----------------------------------------------------------------------------------------------

    /** Before every console route: see {@link ConsoleGuard}. */
    void guard(Context ctx) { guard.check(ctx); }

    void page(Context ctx) {
        var signedIn = callers.person(ctx).map(Callers.Caller::actor);
        var asked = signedIn.isPresent() ? null : ctx.queryParam("as");
        var as = signedIn.map(Actor::id).orElse(asked != null && people.contains(asked) ? asked : defaultPerson());
        Actor viewer = signedIn.orElse(as.isBlank() ? null : actor(as));
        var csrf = guard.token(ctx);
        var html = new StringBuilder();
        html.append("<main class=\"console\" id=\"console\" data-as=\"").append(esc(as)).append("\" data-csrf=\"")
                .append(esc(csrf)).append("\"><h1 class=\"sr-only\">Console</h1>");
        if (signedIn.isPresent()) {
            var teams = service.member(signedIn.get()).teams().stream().map(service.policy()::teamLabel).sorted().toList();
            html.append("<p class=\"who\">You are <strong>").append(esc(as)).append("</strong> · ")
                    .append(esc(teams.isEmpty() ? "in no team" : String.join(", ", teams)))
                    .append(" <span class=\"hint\">(signed in; <a href=\"/signin\">sign-in</a>)</span></p>");
        } else {
            html.append("<form class=\"who\" method=\"get\" action=\"/console\"><label for=\"as\">You are</label> ")
                    .append("<select id=\"as\" name=\"as\">");
            for (var p : people)
                html.append("<option value=\"").append(esc(p)).append("\"").append(p.equals(as) ? " selected" : "")
                        .append(">").append(esc(p)).append(" · ").append(esc(ConsolePeople.describe(service.policy(), p)))
                        .append("</option>");
            html.append("</select> <noscript><button class=\"btn\">Switch</button></noscript>");
            html.append("<span class=\"hint\">Open another window to act as someone else.</span></form>");
        }
        if (asked != null && !people.contains(asked))
            html.append("<p class=\"notice error\">").append(esc(asked)).append(" is not one of the policy's console ")
                    .append("people, so you are ").append(esc(as)).append(".</p>");
        html.append("<section class=\"channel\" id=\"channel\" aria-live=\"polite\">")
                .append("<div class=\"message bot\"><strong>Countersign</strong> This is the local console: the same ")
                .append("requests, form, card and buttons as in Slack, on this machine only. Type <code>")
                .append(COMMAND).append(" help</code>, or <code>").append(COMMAND)
                .append(" availability API returns 500s</code> to open a request.</div>")
                .append(channelCards(viewer)).append("</section>");
        html.append("<form class=\"composer\" id=\"composer\" autocomplete=\"off\"><input id=\"command\" name=\"text\" ")
                .append("maxlength=\"3000\" placeholder=\"").append(COMMAND).append(" help\" aria-label=\"Command\">")
                .append("<button class=\"btn primary\" type=\"submit\">Send</button></form>");
        html.append(ConsoleForms.request(service.policy(), people)).append(ConsoleForms.note())
                .append(ConsoleForms.edit()).append("</main>");
        ctx.html(Html.page("Console", "console-page", true, html.toString(), "console.js"));
    }

    /** Every card of the channel, oldest first, as {@code as} sees them. */
    void channel(Context ctx) {
        var as = who(ctx, ctx.queryParam("as"));
        ctx.header("Cache-Control", "no-store").html(channelCards(as));
    }

    void card(Context ctx) {
        var as = who(ctx, ctx.queryParam("as"));
        var id = requestId(ctx.pathParam("id"), "status");
        var request = service.find(id);
        if (request.isEmpty()) {
            ctx.status(HttpStatus.NOT_FOUND).json(new ApiError("There is no request " + id));
            return;
        }
        ctx.header("Cache-Control", "no-store").html(cardHtml(request.get(), as));
    }

    private String channelCards(Actor as) {
        var recent = new ArrayList<>(service.recent(Set.of(), CHANNEL_MAX));
        recent.sort(Comparator.comparing(EmergencyRequest::created));
        return recent.stream().map(r -> cardHtml(r, as)).collect(Collectors.joining());
    }

    private String cardHtml(EmergencyRequest r, Actor as) {
        var card = CardHtml.render(cards.of(r), service.policy(), !entitled(r, as), b -> buttons.whyNot(r, b, as));
        if (!service.policy().reminders().any()) return card;
        // The console's thread: a line per reminder, escalation and expiry warning (ids, teams and times only).
        var lines = service.timeline(r.id()).stream().map(notices::reminderLine).flatMap(Optional::stream)
                .map(l -> "<li>" + esc(l) + "</li>").collect(Collectors.joining());
        if (lines.isEmpty()) return card;
        return card.substring(0, card.length() - "</article>".length()) + "<ul class=\"thread\">" + lines + "</ul></article>";
    }

    /** The one disclosure rule, for the person looking (nobody yet, on a policy without console people). */
    private boolean entitled(EmergencyRequest r, Actor as) {
        var audience = as == null ? new Disclosure.Audience.Anyone()
                : new Disclosure.Audience.Person(service.member(as));
        return Disclosure.seesAll(r, audience);
    }

    // ---- /emergency ------------------------------------------------------------------------------------------

    void command(Context ctx) {
        var body = body(ctx);
        var as = who(ctx, text(body, "as"));
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
        var verb = VerbParser.parseAfterSlash(rest, SYNTAX);
        if (verb.isEmpty()) {
            ctx.json(Map.of("form", prefill(rest.strip())));
            return;
        }
        var reply = conversation.said(as, VENUE.alone(), verb.get());
        if (reply.kind() == Reply.Kind.ANSWER) ctx.json(Map.of("reply", reply.text()));
        else answer(ctx, reply);
    }

    private Map<String, String> prefill(String text) {
        var prefill = new LinkedHashMap<String, String>();
        conversation.standing().ifPresent(line -> prefill.put("standing", line));
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

    // ---- the request form ------------------------------------------------------------------------------------

    void open(Context ctx) {
        var body = body(ctx);
        var as = who(ctx, text(body, "as"));
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
            formError(ctx, problems);
            return;
        }
        var reply = conversation.said(as, VENUE.alone(), new Verb.Open(draft));
        if (reply.kind() == Reply.Kind.OPENED)
            ctx.status(HttpStatus.CREATED).json(Map.of("outcome", "applied", "request", reply.request().toString(),
                    "message", reply.text()));
        else if (!reply.problems().isEmpty()) formError(ctx, reply.problems());
        else answer(ctx, reply);
    }

    private static void formError(Context ctx, List<Problem> problems) {
        var fields = new LinkedHashMap<String, String>();
        problems.forEach(p -> fields.merge(p.field(), p.message(), (a, b) -> a + "; " + b));
        ctx.status(HttpStatus.BAD_REQUEST).json(new FormError("The request is not complete: "
                + problems.get(0).message(), fields));
    }

    // ---- the card's buttons ----------------------------------------------------------------------------------

    void press(Context ctx) {
        var body = body(ctx);
        var by = who(ctx, text(body, "as"));
        var id = requestId(ctx.pathParam("id"), "status");
        var action = Card.Action.fromKey(Optional.ofNullable(text(body, "action")).orElse(""))
                .orElseThrow(() -> new WebApp.BadRequest("Unknown button " + ErrorAnswers.echo(text(body, "action")) + "; one of "
                        + Arrays.stream(Card.Action.values()).map(Card.Action::key).collect(Collectors.joining(", "))));
        var note = text(body, "note");
        Verb verb = switch (action) {
            case APPROVE -> new Verb.Approve(id, text(body, "team"));
            case REJECT -> new Verb.Reject(id, note == null ? "" : note);
            case DEPLOY_STARTED -> new Verb.DeployStarted(id, note);
            case DEPLOYED -> new Verb.DeployEnded(id, DeployResult.SUCCEEDED, note);
            case ROLLED_BACK -> new Verb.DeployEnded(id, DeployResult.ROLLED_BACK, note);
            case FAILED -> new Verb.DeployEnded(id, DeployResult.FAILED, note);
            case CLOSE -> new Verb.Close(id, note);
            case WITHDRAW -> new Verb.Withdraw(id, text(body, "team"));
            // Without changes: the form with the current ones, for someone who may edit them.
            case EDIT -> new Verb.Edit(id, RequestActions.changes(body));
        };
        answer(ctx, conversation.said(by, VENUE.alone(), verb));
    }

    /** The reply as the presser sees it: what changed, or why nothing did, with a status a script can act on. */
    static void answer(Context ctx, Reply reply) {
        var request = reply.request() == null ? "" : reply.request().toString();
        switch (reply.kind()) {
            case DONE, OPENED -> ctx.json(Map.of("outcome", "applied", "request", request, "message", reply.text()));
            case UNCHANGED -> ctx.json(Map.of("outcome", "unchanged", "request", request, "message", reply.text()));
            case ANSWER -> ctx.json(Map.of("reply", reply.text()));
            case HELD, HELD_QUIETLY -> throw new WebApp.TooManyRequests(reply.text());
            case UNAVAILABLE -> throw new StoreUnavailable(reply.text(), null,
                    Conversation.MAY_BE_RECORDED.equals(reply.text()));
            case FORM -> ctx.json(Map.of("edit", Map.of("request", request, "changes", reply.form()),
                    "message", reply.text()));
            case REFUSED -> ctx.status(switch (reply.refusal()) {
                case NOT_FOUND -> HttpStatus.NOT_FOUND;
                case NOT_ALLOWED -> HttpStatus.FORBIDDEN;
                case WRONG_STATE -> HttpStatus.CONFLICT;
                case INVALID -> HttpStatus.BAD_REQUEST;
            }).json(new ApiError(reply.text()));
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private String defaultPerson() {
        // A newcomer tries it as someone in no team first: the developer who asks.
        return people.stream().filter(p -> service.policy().listedTeamsOf(actor(p)).isEmpty()).findFirst()
                .orElse(people.isEmpty() ? "" : people.get(0));
    }

    /** Who acts: the person signed in on this request, else the console person picked on the page. */
    private Actor who(Context ctx, String picked) {
        var signedIn = callers.person(ctx);
        return signedIn.isPresent() ? signedIn.get().actor() : actor(person(picked));
    }

    private String person(String name) {
        if (name == null || !people.contains(name))
            throw new WebApp.BadRequest("Pick who you are: one of " + String.join(", ", people));
        return name;
    }

    private static Actor actor(String name) { return new Actor(Platform.CONSOLE, name); }

    private static RequestId requestId(String text, String verb) {
        return RequestId.parse(text).orElseThrow(() -> new WebApp.BadRequest(
                (text == null || text.isBlank() ? "Say which request" : ErrorAnswers.echo(text) + " is not a request id")
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

    /** A form's answer: what is wrong overall, and each field's problem. */
    record FormError(String error, Map<String, String> fields) {}
}
