package org.countersign.slack;

import com.slack.api.app_backend.interactive_components.payload.BlockActionPayload;
import com.slack.api.app_backend.slash_commands.payload.SlashCommandPayload;
import com.slack.api.Slack;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.context.builtin.ViewSubmissionContext;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.request.builtin.SlashCommandRequest;
import com.slack.api.bolt.request.builtin.ViewSubmissionRequest;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.util.Responder;
import com.slack.api.methods.MethodsClient;
import com.slack.api.model.view.View;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.countersign.app.KeyValues;
import org.countersign.app.RequestService;
import org.countersign.app.StoreUnavailable;
import org.countersign.app.Throttle;
import org.countersign.chat.Card;
import org.countersign.chat.Cards;
import org.countersign.domain.Actor;
import org.countersign.domain.DeployResult;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Outcome;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Outcome.Refused;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Slack adapter: {@code /emergency}, the request modal, and the card's buttons. Each listener parses what
 * Slack sent, calls the service with the verified Slack user, and answers from the outcome: the Redis write
 * happens before the ack, everything slow (opening a modal, ephemeral replies) after it, and cards are
 * updated by {@link SlackCards} from the events stream.
 */
public final class SlackApp {
    private static final Logger log = LoggerFactory.getLogger(SlackApp.class);
    static final String COMMAND = "/emergency";
    static final Duration SUBMISSION_MEMORY = Duration.ofDays(1);
    static final String UNAVAILABLE = "State store unavailable; nothing was recorded, try again in a moment.";
    /** The button on an Alertmanager alert message (webhook.AlertmanagerSlack): value {@code <group id>|<summary>}. */
    static final String OPEN_EMERGENCY = "open_emergency";
    /** The reason an alert's request form starts with; a policy without it leaves the reason for the person. */
    static final String ALERT_REASON = "availability";
    private static final Pattern APPROVE = Pattern.compile("^approve:.+$");
    private static final Pattern ANY = Pattern.compile("^.*$");

    private final App bolt;
    private final RequestService service;
    private final KeyValues kv;
    private final SlackChannels channels;
    private final MethodsClient client;
    private final Slack slack;
    private final ExecutorService afterAck;
    private final Throttle throttle;
    private final Cards lines;

    public SlackApp(AppConfig config, RequestService service, KeyValues kv, SlackChannels channels,
                    ExecutorService afterAck) {
        this(config, service, kv, channels, afterAck, Throttle.none());
    }

    /** With a limit on how often one Slack user may act ({@code RATE_LIMIT_PER_USER}). */
    public SlackApp(AppConfig config, RequestService service, KeyValues kv, SlackChannels channels,
                    ExecutorService afterAck, Throttle throttle) {
        this.throttle = throttle;
        this.lines = new Cards(service.workflow());
        this.bolt = new App(config);
        this.service = service;
        this.kv = kv;
        this.channels = channels;
        this.slack = config.getSlack();
        this.client = slack.methods(config.getSingleTeamBotToken());
        this.afterAck = afterAck;
        bolt.command(COMMAND, this::command);
        // One listener for every button: Bolt tries its patterns in no fixed order, so a catch-all beside
        // specific listeners would sometimes win.
        bolt.blockAction(ANY, this::button);
        bolt.viewSubmission(SlackForms.REQUEST_CALLBACK, this::submitRequest);
        bolt.viewSubmission(SlackForms.REJECT_CALLBACK, this::submitRejection);
        bolt.viewSubmission(SlackForms.CLOSE_CALLBACK, this::submitClose);
    }

    public App bolt() { return bolt; }

    // ---- /emergency ------------------------------------------------------------------------------------------

    private Response command(SlashCommandRequest req, SlashCommandContext ctx) {
        var p = req.getPayload();
        var text = p.getText() == null ? "" : p.getText().strip();
        var words = text.split("\\s+", 2);
        var verb = words[0].toLowerCase(Locale.ROOT);
        var rest = words.length > 1 ? words[1].strip() : "";
        if (throttle.check("slack:" + p.getUserId()) instanceof Throttle.Refused held)
            return held.tell() ? ephemeral(ctx, held.message()) : ctx.ack();
        try {
            return switch (verb) {
                case "help" -> ephemeral(ctx, help());
                case "list" -> ephemeral(ctx, list());
                case "status" -> ephemeral(ctx, withId(rest, "status", this::status));
                case "cancel" -> ephemeral(ctx, withId(rest, "cancel", id ->
                        SlackText.message(service.cancel(id, actor(p.getUserId()), null).message())));
                default -> openRequestModal(p, ctx, text);
            };
        } catch (StoreUnavailable e) {
            return ephemeral(ctx, UNAVAILABLE);
        }
    }

    private Response openRequestModal(SlashCommandPayload p, SlashCommandContext ctx, String text) {
        var prefill = text.isEmpty() ? new SlackForms.Prefill(null, null)
                : SlackForms.Prefill.fromCommandText(service.policy(), text);
        var modal = SlackForms.requestModal(service.policy(), prefill, p.getChannelId());
        afterAck(() -> {
            var opened = client.viewsOpen(r -> r.triggerId(p.getTriggerId()).view(modal));
            if (!opened.isOk()) {
                log.warn("views.open failed: {}", opened.getError());
                ctx.respond(r -> r.responseType("ephemeral").text("Slack did not open the form ("
                        + opened.getError() + "); run " + COMMAND + " again."));
            }
        });
        return ctx.ack();
    }

    private String withId(String text, String verb, java.util.function.Function<RequestId, String> action) {
        var id = RequestId.parse(text);
        if (id.isEmpty()) return "Usage: `" + COMMAND + " " + verb + " EMG-12`";
        return action.apply(id.get());
    }

    private String status(RequestId id) {
        return service.find(id).map(this::statusLine).orElse("There is no request " + id + ".");
    }

    private String statusLine(EmergencyRequest r) {
        return SlackText.escape(lines.line(r, false, "confidential: details in the security channel"));
    }

    private String list() {
        var open = service.recent(State.open(), 20);
        if (open.isEmpty()) return "No open emergency requests.";
        return "*Open emergency requests*\n" + open.stream().map(this::statusLine).collect(Collectors.joining("\n"));
    }

    private static String help() {
        return String.join("\n",
                "*" + COMMAND + "*: ask SRE and Release Engineering to approve an emergency deployment.",
                "• `" + COMMAND + "`: open the request form",
                "• `" + COMMAND + " availability API returns 500s`: open the form with the reason and summary filled in",
                "• `" + COMMAND + " list`: the open requests",
                "• `" + COMMAND + " status EMG-12`: where a request stands",
                "• `" + COMMAND + " cancel EMG-12`: cancel your request",
                "Rollback first, fix later. Availability before new features. Make on-wiki edits rarely.");
    }

    // ---- the card's buttons ----------------------------------------------------------------------------------

    private Response button(BlockActionRequest req, ActionContext ctx) {
        if (throttle.check("slack:" + req.getPayload().getUser().getId()) instanceof Throttle.Refused held) {
            if (held.tell()) tell(ctx, held.message());
            return ctx.ack();
        }
        var actions = req.getPayload().getActions();
        var actionId = actions == null || actions.isEmpty() ? "" : String.valueOf(actions.get(0).getActionId());
        if (APPROVE.matcher(actionId).matches()) return approve(req, ctx);
        if (OPEN_EMERGENCY.equals(actionId)) return openRequestFromAlert(req, ctx);
        var action = Card.Action.fromKey(actionId);
        if (action.isEmpty()) return unknownAction(req, ctx);
        return switch (action.get()) {
            case APPROVE -> approve(req, ctx);
            case REJECT -> openModal(req, ctx, SlackForms::reasonModal);
            case CLOSE -> openModal(req, ctx, SlackForms::noteModal);
            case DEPLOY_STARTED -> deployStep(req, ctx, null);
            case DEPLOYED -> deployStep(req, ctx, DeployResult.SUCCEEDED);
            case ROLLED_BACK -> deployStep(req, ctx, DeployResult.ROLLED_BACK);
            case FAILED -> deployStep(req, ctx, DeployResult.FAILED);
        };
    }

    /** An approve press Bolt parsed (the endpoint reads most of them itself): the same path as {@link ApproveClick}. */
    private Response approve(BlockActionRequest req, ActionContext ctx) {
        var pressed = Pressed.of(req.getPayload());
        if (pressed.isEmpty()) return brokenButton(ctx);
        record(new ApproveClick(pressed.get(), req.getPayload().getUser().getId(), req.getPayload().getResponseUrl()));
        return ctx.ack();
    }

    private Response deployStep(BlockActionRequest req, ActionContext ctx, DeployResult result) {
        var pressed = Pressed.of(req.getPayload());
        if (pressed.isEmpty()) return brokenButton(ctx);
        var id = pressed.get().id();
        return answer(ctx, () -> result == null ? service.startDeploy(id, actor(req))
                : service.finishDeploy(id, actor(req), result, null));
    }

    private Response openModal(BlockActionRequest req, ActionContext ctx,
                               java.util.function.BiFunction<String, String, View> modal) {
        var pressed = Pressed.of(req.getPayload());
        if (pressed.isEmpty()) return brokenButton(ctx);
        var view = modal.apply(pressed.get().id().toString(), pressed.get().id().toString());
        afterAck(() -> {
            var opened = client.viewsOpen(r -> r.triggerId(req.getPayload().getTriggerId()).view(view));
            if (!opened.isOk()) tell(ctx, "Slack did not open the form (" + opened.getError() + "); press again.");
        });
        return ctx.ack();
    }

    /** The request form, pre-filled from the alert: the summary is only a suggestion the person edits. */
    private Response openRequestFromAlert(BlockActionRequest req, ActionContext ctx) {
        var p = req.getPayload();
        var value = p.getActions().get(0).getValue();
        int bar = value == null ? -1 : value.indexOf('|');
        var summary = bar < 0 || value.substring(bar + 1).isBlank() ? null : value.substring(bar + 1).strip();
        var channel = p.getChannel() == null ? null : p.getChannel().getId();
        var modal = SlackForms.requestModal(service.policy(), new SlackForms.Prefill(ALERT_REASON, summary), channel);
        afterAck(() -> {
            var opened = client.viewsOpen(r -> r.triggerId(p.getTriggerId()).view(modal));
            if (!opened.isOk()) tell(ctx, "Slack did not open the form (" + opened.getError() + "); press again.");
        });
        return ctx.ack();
    }

    private Response unknownAction(BlockActionRequest req, ActionContext ctx) {
        tell(ctx, "This button is not one Countersign knows (any more). Use `" + COMMAND + " status EMG-12`.");
        return ctx.ack();
    }

    private Response brokenButton(ActionContext ctx) {
        tell(ctx, "This button does not name a request Countersign can read. Use `" + COMMAND + " list`.");
        return ctx.ack();
    }

    /** Writes first, acks at once; the person hears back only when nothing changed or something was refused. */
    private Response answer(ActionContext ctx, java.util.function.Supplier<Outcome> action) {
        Outcome outcome;
        try {
            outcome = action.get();
        } catch (StoreUnavailable e) {
            tell(ctx, UNAVAILABLE);
            return ctx.ack();
        }
        if (!(outcome instanceof Applied)) tell(ctx, SlackText.message(outcome.message()));
        return ctx.ack();
    }

    private void tell(ActionContext ctx, String text) {
        afterAck(() -> ctx.respond(r -> r.responseType("ephemeral").replaceOriginal(false).text(text)));
    }

    /** An approve press read without Bolt ({@link ApproveClick}): the same rules and answers as {@link #approve}. */
    void approve(ApproveClick click) {
        if (throttle.check("slack:" + click.userId()) instanceof Throttle.Refused held) {
            if (held.tell()) tell(click.responseUrl(), held.message());
            return;
        }
        record(click);
    }

    /** Records the approval; the presser hears back only when nothing changed, something was refused, or Redis is down. */
    private void record(ApproveClick click) {
        Outcome outcome;
        try {
            outcome = service.approve(click.pressed().id(), actor(click.userId()), click.pressed().team());
        } catch (StoreUnavailable e) {
            tell(click.responseUrl(), UNAVAILABLE);
            return;
        }
        if (!(outcome instanceof Applied)) tell(click.responseUrl(), SlackText.message(outcome.message()));
    }

    private void tell(String responseUrl, String text) {
        if (responseUrl == null || responseUrl.isBlank()) return;
        afterAck(() -> new Responder(slack, responseUrl)
                .sendToAction(r -> r.responseType("ephemeral").replaceOriginal(false).text(text)));
    }

    /** What a card button carries: only a request id and a team. Who may press it is decided by the service. */
    record Pressed(RequestId id, String team) {
        static Optional<Pressed> of(BlockActionPayload payload) {
            if (payload.getActions() == null || payload.getActions().isEmpty()) return Optional.empty();
            return of(payload.getActions().get(0).getValue());
        }

        /** From a button's value: {@code EMG-12|sre}, or {@code EMG-12} alone. */
        static Optional<Pressed> of(String value) {
            if (value == null) return Optional.empty();
            var parts = value.split("\\|", -1);
            var team = parts.length > 1 && !parts[1].isBlank() ? parts[1] : null;
            return RequestId.parse(parts[0]).map(id -> new Pressed(id, team));
        }
    }

    // ---- modal submissions -----------------------------------------------------------------------------------

    private Response submitRequest(ViewSubmissionRequest req, ViewSubmissionContext ctx) {
        var p = req.getPayload();
        if (throttle.check("slack:" + p.getUser().getId()) instanceof Throttle.Refused held)
            return ctx.ackWithErrors(Map.of(SlackForms.SUMMARY_BLOCK, held.message()));
        var draft = SlackForms.draftFrom(p.getView().getState());
        var refused = service.workflow().check(draft);
        if (refused.isPresent()) return ctx.ackWithErrors(SlackForms.errorsFor(refused.get().problems()));
        var confidential = service.policy().reason(draft.reason()).map(r -> r.confidential()).orElse(false);
        if (confidential && !channels.takesConfidential())
            return ctx.ackWithErrors(Map.of(SlackForms.REASON_BLOCK, "Security requests go to a private channel "
                    + "and none is set up (SLACK_SECURITY_CHANNEL). Nothing was posted; ask your Countersign admin."));
        // Slack may deliver the same submission twice (a retry, a double click): open it once.
        var onceKey = "slack:submission:" + p.getView().getId() + ":" + p.getView().getHash();
        try {
            if (!kv.putIfAbsent(onceKey, "opening", SUBMISSION_MEMORY)) return ctx.ack();
            Outcome outcome;
            try {
                outcome = service.open(actor(p.getUser().getId()), draft);
            } catch (RuntimeException e) {
                kv.delete(onceKey);
                throw e;
            }
            if (!(outcome instanceof Applied applied)) {
                kv.delete(onceKey);
                return ctx.ackWithErrors(Map.of(SlackForms.SUMMARY_BLOCK, outcome.message()));
            }
            kv.put(onceKey, applied.request().id().toString(), SUBMISSION_MEMORY);
            confirmOpened(applied.request(), p.getUser().getId(), p.getView().getPrivateMetadata());
            return ctx.ack();
        } catch (StoreUnavailable e) {
            return ctx.ackWithErrors(Map.of(SlackForms.SUMMARY_BLOCK, UNAVAILABLE));
        }
    }

    private void confirmOpened(EmergencyRequest r, String user, String fromChannel) {
        if (fromChannel == null || fromChannel.isBlank()) return;
        var where = channels.forRequest(r).map(c -> "<#" + c + ">").orElse("the ops channel");
        var needs = String.join(" and ", r.requiredTeams().stream().map(service.policy()::teamLabel).toList());
        var text = r.id() + " is open; it needs " + SlackText.escape(needs) + " to approve. Its card is in " + where + ".";
        afterAck(() -> client.chatPostEphemeral(m -> m.channel(fromChannel).user(user).text(text)));
    }

    private Response submitRejection(ViewSubmissionRequest req, ViewSubmissionContext ctx) {
        var p = req.getPayload();
        var why = SlackForms.textFrom(p.getView().getState(), SlackForms.REJECT_REASON_BLOCK);
        return submitOnRequest(ctx, p.getView().getPrivateMetadata(), SlackForms.REJECT_REASON_BLOCK,
                id -> service.reject(id, actor(p.getUser().getId()), why));
    }

    private Response submitClose(ViewSubmissionRequest req, ViewSubmissionContext ctx) {
        var p = req.getPayload();
        var note = SlackForms.textFrom(p.getView().getState(), SlackForms.CLOSE_NOTE_BLOCK);
        return submitOnRequest(ctx, p.getView().getPrivateMetadata(), SlackForms.CLOSE_NOTE_BLOCK,
                id -> service.close(id, actor(p.getUser().getId()), note));
    }

    /** A small modal about one request: a refusal stays on the form, next to the field, so the person sees it. */
    private Response submitOnRequest(ViewSubmissionContext ctx, String metadata, String block,
                                     java.util.function.Function<RequestId, Outcome> action) {
        var id = RequestId.parse(metadata);
        if (id.isEmpty()) return ctx.ackWithErrors(Map.of(block, "This form lost track of its request; press the "
                + "button on the card again."));
        try {
            var outcome = action.apply(id.get());
            if (outcome instanceof Refused)
                return ctx.ackWithErrors(Map.of(block, outcome.message()));
            return ctx.ack();
        } catch (StoreUnavailable e) {
            return ctx.ackWithErrors(Map.of(block, UNAVAILABLE));
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static Actor actor(BlockActionRequest req) { return actor(req.getPayload().getUser().getId()); }

    private static Actor actor(String slackUserId) { return Actor.slack(slackUserId); }

    private static Response ephemeral(SlashCommandContext ctx, String text) {
        return ctx.ack(r -> r.responseType("ephemeral").text(text));
    }

    @FunctionalInterface
    private interface SlackWork {
        void run() throws Exception;
    }

    private void afterAck(SlackWork work) {
        afterAck.execute(() -> {
            try {
                work.run();
            } catch (Exception e) {
                log.warn("Slack call after the ack failed: {}", e.toString());
            }
        });
    }
}
