package org.countersign.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Locale;
import org.countersign.app.RequestService;
import org.countersign.app.Throttle;
import org.countersign.chat.Conversation;
import org.countersign.chat.Syntax;
import org.countersign.chat.Venue;
import org.countersign.chat.Verb;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Draft;
import org.countersign.domain.RequestId;

/**
 * {@code POST /api/requests/{id}/actions}: what a card's buttons do, for a person signed in through the identity
 * provider ({@code web:<person>}) or a pipeline with a named API token ({@code api:<name>}), through the same
 * conversation, rules and timeline as a Slack click. The dashboard token names nobody, so it cannot act.
 */
final class RequestActions {
    static final List<String> ACTIONS = List.of("approve", "withdraw", "reject", "cancel", "edit", "deploy_started",
            "deployed", "rolled_back", "failed", "close", "break_glass", "review");
    static final int BODY_MAX = 16 * 1024;
    private static final Venue VENUE = Venue.page(Syntax.slash(), "Or POST another action.");

    private final Conversation conversation;
    private final Access access;
    private final Callers callers;
    private final ObjectMapper json;

    RequestActions(RequestService service, Throttle perPerson, Access access, Callers callers, ObjectMapper json) {
        this.conversation = new Conversation(service, perPerson);
        this.access = access;
        this.callers = callers;
        this.json = json;
    }

    void act(Context ctx) {
        var caller = caller(ctx);
        if (caller.isEmpty()) return; // answered
        var body = body(ctx);
        var raw = ctx.pathParam("id");
        var id = RequestId.parse(raw).orElseThrow(() ->
                new WebApp.BadRequest(ErrorAnswers.echo(raw) + " is not a request id; use the form EMG-12"));
        var action = text(body, "action");
        var note = text(body, "note");
        Verb verb = switch (action == null ? "" : action) {
            case "approve" -> new Verb.Approve(id, text(body, "team"));
            case "withdraw" -> new Verb.Withdraw(id, text(body, "team"));
            case "edit" -> {
                var changes = changes(body);
                if (changes == null) throw new WebApp.BadRequest("Give the new changes, which replace the old ones: "
                        + "{\"action\": \"edit\", \"changes\": [\"https://gerrit.example.org/r/c/ops/+/123457\"]}");
                yield new Verb.Edit(id, changes);
            }
            case "reject" -> new Verb.Reject(id, text(body, "reason") != null ? text(body, "reason") : note == null ? "" : note);
            case "cancel" -> new Verb.Cancel(id, note);
            case "deploy_started" -> new Verb.DeployStarted(id, note);
            case "deployed" -> new Verb.DeployEnded(id, DeployResult.SUCCEEDED, note);
            case "rolled_back" -> new Verb.DeployEnded(id, DeployResult.ROLLED_BACK, note);
            case "failed" -> new Verb.DeployEnded(id, DeployResult.FAILED, note);
            case "close" -> new Verb.Close(id, note);
            case "break_glass" -> new Verb.BreakGlass(id, text(body, "reason") != null ? text(body, "reason") : note);
            case "review" -> new Verb.Review(id, text(body, "follow_up") != null ? text(body, "follow_up")
                    : text(body, "followUp") != null ? text(body, "followUp") : note);
            default -> throw new WebApp.BadRequest((action == null ? "Say which action" : "Unknown action " + ErrorAnswers.echo(action))
                    + ": one of " + String.join(", ", ACTIONS));
        };
        Console.answer(ctx, conversation.said(caller.get().actor(), VENUE.alone(), verb));
    }

    /**
     * {@code POST /api/requests}: opens a request, for a pipeline that asks for its own deploy (its API token names
     * it on the card and the timeline) or a signed-in person. Body: {@code {"reason", "summary", "changes": [...],
     * "rollback": true}} or {@code "rollback": false} with {@code "why_not_rollback"}; optional {@code details}, {@code task}.
     */
    void open(Context ctx) {
        var caller = caller(ctx);
        if (caller.isEmpty()) return; // answered
        var body = body(ctx);
        var changes = new java.util.ArrayList<String>();
        var list = body.get("changes");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) throw new WebApp.BadRequest("\"changes\" must be a list, such as [\"https://gerrit.example.org/r/c/ops/+/123456\"]");
            for (var c : list) {
                if (!c.isTextual()) throw new WebApp.BadRequest("Each change must be text: a link, a change number or a commit");
                changes.add(c.asText());
            }
        }
        var rollbackNode = body.get("rollback");
        if (rollbackNode != null && !rollbackNode.isNull() && !rollbackNode.isBoolean())
            throw new WebApp.BadRequest("\"rollback\" must be true (this is a rollback) or false (with why_not_rollback)");
        Boolean rollback = rollbackNode == null || rollbackNode.isNull() ? null : rollbackNode.asBoolean();
        var why = text(body, "why_not_rollback") != null ? text(body, "why_not_rollback") : text(body, "whyNotRollback");
        var draft = new Draft(text(body, "reason"), text(body, "summary"), text(body, "details"), changes,
                text(body, "task"), rollback, why, null);
        var reply = conversation.said(caller.get().actor(), VENUE.alone(), new Verb.Open(draft));
        if (reply.kind() == org.countersign.chat.Reply.Kind.OPENED) {
            ctx.status(HttpStatus.CREATED);
            if (reply.request() != null) ctx.header("Location", "/api/requests/" + reply.request());
        }
        Console.answer(ctx, reply);
    }

    /** Who answers for this call: a signed-in person from this site, or a named API token; empty when answered. */
    private java.util.Optional<Callers.Caller> caller(Context ctx) {
        ctx.bodyAsBytes(); // read first: a refusal answered while the body still arrives reaches nobody
        var caller = callers.of(ctx);
        if (caller.isEmpty()) {
            if (access.tokenOn() && access.signedIn(ctx)) {
                ctx.status(HttpStatus.FORBIDDEN).json(new ApiError("The dashboard token opens the pages but names "
                        + "nobody, so it cannot act: sign in as yourself at /signin, or use a named API token (API_TOKENS)"));
                return java.util.Optional.empty();
            }
            ctx.header("WWW-Authenticate", "Bearer realm=\"countersign\"");
            ctx.status(HttpStatus.UNAUTHORIZED).json(new ApiError("Someone must answer for an action: sign in at "
                    + "/signin, or send Authorization: Bearer <a named API token> (API_TOKENS)"));
            return java.util.Optional.empty();
        }
        if (caller.get().proof() == Callers.Proof.SESSION && !sameOrigin(ctx)) {
            ctx.status(HttpStatus.FORBIDDEN).json(new ApiError("This came from another site (Origin "
                    + ctx.header("Origin") + "); act from Countersign's own pages"));
            return java.util.Optional.empty();
        }
        var type = ctx.contentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json"))
            throw new WebApp.BadRequest("Send JSON (Content-Type: application/json), such as {\"action\": \"approve\", "
                    + "\"team\": \"sre\"}");
        return caller;
    }

    /** A browser sends Origin on a POST; another site's page must not act with the session cookie. */
    private static boolean sameOrigin(Context ctx) {
        var origin = ctx.header("Origin");
        return origin == null || origin.equals("http://" + ctx.host()) || origin.equals("https://" + ctx.host());
    }

    private JsonNode body(Context ctx) {
        var text = ctx.body();
        if (text.length() > BODY_MAX) throw new WebApp.TooLarge("That is more than " + BODY_MAX / 1024
                + " KB; an action is a few fields");
        try {
            var node = json.readTree(text);
            if (node == null || !node.isObject()) throw new WebApp.BadRequest("Send a JSON object, such as {\"action\": \"approve\"}");
            return node;
        } catch (JsonProcessingException e) {
            throw new WebApp.BadRequest("Send a JSON object (" + e.getOriginalMessage() + ")");
        }
    }

    /**
     * The {@code changes} of a body: a list of texts, or one text of a change a line (as a form's box sends them);
     * null when there are none.
     */
    static List<String> changes(JsonNode body) {
        var node = body.get("changes");
        if (node == null || node.isNull()) return null;
        if (node.isTextual()) return List.of(node.asText().split("\\R"));
        if (!node.isArray()) throw new WebApp.BadRequest("\"changes\" must be a list, such as "
                + "[\"https://gerrit.example.org/r/c/ops/+/123457\"]");
        var changes = new java.util.ArrayList<String>();
        for (var c : node) {
            if (!c.isTextual()) throw new WebApp.BadRequest("Each change must be text: a link, a change number or a commit");
            changes.add(c.asText());
        }
        return changes;
    }

    private static String text(JsonNode body, String field) {
        var node = body.get(field);
        return node == null || !node.isValueNode() || node.isNull() ? null : node.asText();
    }
}
