package org.countersign.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.regex.Pattern;
import org.countersign.app.KeyValues;
import org.countersign.app.RequestService;
import org.countersign.app.Throttle;
import org.countersign.chat.Conversation;
import org.countersign.chat.Reply;
import org.countersign.chat.Syntax;
import org.countersign.chat.Venue;
import org.countersign.chat.Verb;
import org.countersign.chat.Where;
import org.countersign.domain.Actor;

/**
 * The Slack adapter, put together: Bolt with one listener per kind of interaction ({@link CardButtons},
 * {@link FormSubmissions}), each of which only reads what arrived, hands it to the {@link Conversation} and renders
 * the reply; what Slack sends most under pressure comes in through {@link SlackEndpoint} without Bolt: slash commands
 * ({@link #command}) and approvals ({@link #approve(ApproveClick)}). Cards are kept by the card publisher from the
 * events stream.
 */
public final class SlackApp {
    static final String COMMAND = "/emergency";
    /** The button on an Alertmanager alert message ({@link SlackAlerts}): value {@code <group id>|<summary>}. */
    static final String OPEN_EMERGENCY = SlackAlerts.OPEN_EMERGENCY;
    private static final Pattern ANY = Pattern.compile("^.*$");

    private final App bolt;
    private final Conversation conversation;
    private final SlackChannels channels;
    private final Venue venue;
    private final SlackReplies replies;
    private final SlashCommand command;

    public SlackApp(AppConfig config, RequestService service, KeyValues kv, SlackChannels channels,
                    ExecutorService afterAck) {
        this(config, service, kv, channels, afterAck, Throttle.none());
    }

    /** With a limit on how often one Slack user may act ({@code RATE_LIMIT_PER_USER}). */
    public SlackApp(AppConfig config, RequestService service, KeyValues kv, SlackChannels channels,
                    ExecutorService afterAck, Throttle throttle) {
        this.bolt = new App(config);
        this.conversation = new Conversation(service, throttle);
        this.channels = channels;
        this.venue = Venue.chat("channel", "SLACK_SECURITY_CHANNEL", channels.takesConfidential(), Syntax.slash(),
                "Or press the buttons on a request's card.").watchedBy(channels.privacy());
        var client = config.getSlack().methods(config.getSingleTeamBotToken());
        this.replies = new SlackReplies(config.getSlack(), client, afterAck);
        this.command = new SlashCommand(this, service::policy, replies);
        // One listener for every button: Bolt tries its patterns in no fixed order, so a catch-all beside
        // specific listeners would sometimes win.
        bolt.blockAction(ANY, new CardButtons(this, service::policy, replies)::press);
        var forms = new FormSubmissions(this, kv, replies);
        bolt.viewSubmission(SlackForms.REQUEST_CALLBACK, forms::request);
        bolt.viewSubmission(SlackForms.REJECT_CALLBACK, forms::rejection);
        bolt.viewSubmission(SlackForms.CLOSE_CALLBACK, forms::close);
        bolt.viewSubmission(SlackForms.EDIT_CALLBACK, forms::edit);
    }

    public App bolt() { return bolt; }

    Conversation conversation() { return conversation; }

    /** Said in a channel: the security channel, or one everyone reads. */
    Where in(String channelId) { return venue.room(channels.isSecurity(channelId)); }

    /** Said in a form only the person sees. */
    Where alone() { return venue.alone(); }

    /**
     * The Edit form for a {@link Reply.Kind#FORM} reply, filled in with the current changes; empty when they do not fit
     * in a Slack form (then answer {@link #tooLongForAForm}).
     */
    Optional<com.slack.api.model.view.View> editForm(Reply reply) {
        return SlackForms.editModal(reply.request().toString(), reply.form());
    }

    static String tooLongForAForm(org.countersign.domain.RequestId id) {
        return SlackText.message("The changes of " + id + " are longer than a Slack form holds; give the new ones with "
                + COMMAND + " edit " + id + " --change REF --change REF…");
    }

    /** {@code /emergency …}: what to say in the ack, ephemerally, or empty for a plain ack ({@link SlashCommand}). */
    Optional<String> command(SlashCommand.Typed typed) { return command.handle(typed); }

    /** An approve press ({@link ApproveClick}): recorded before the ack; the presser hears back only if nothing changed. */
    void approve(ApproveClick click) {
        var pressed = click.pressed();
        var reply = conversation.said(Actor.slack(click.userId()), in(click.channel()),
                new Verb.Approve(pressed.id(), pressed.team()));
        reply.say().ifPresent(text -> replies.tell(click.responseUrl(), SlackText.message(text)));
    }
}
