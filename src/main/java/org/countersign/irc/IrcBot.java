package org.countersign.irc;

import java.util.List;
import java.util.Optional;
import org.countersign.app.RequestService;
import org.countersign.app.Throttle;
import org.countersign.chat.Conversation;
import org.countersign.chat.Privacy;
import org.countersign.chat.Syntax;
import org.countersign.chat.Venue;
import org.countersign.chat.VerbParser;
import org.countersign.domain.Actor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IRC adapter's ear: a {@code !command} said in the ops or security channel (or to the bot alone) is read into a
 * verb with the sender's services account, never their nick, and handed to the {@link Conversation}; its reply goes
 * by NOTICE to that nick only. A nick with no account is told to identify to services first, and nothing else
 * happens. IRC cannot take a message back, so one that should not have been said in the open channel stays said.
 */
public final class IrcBot implements IrcConnection.Listener {
    private static final Logger log = LoggerFactory.getLogger(IrcBot.class);
    public static final String IDENTIFY_FIRST = "Identify to services first (/msg NickServ IDENTIFY, or SASL): "
            + "Countersign knows people by their services account, never by their nick. Nothing was recorded.";
    static final Syntax SYNTAX = Syntax.bang("an IRC services account", "alice",
            id -> id.matches("[A-Za-z0-9\\[\\]\\\\`_^{|}~][A-Za-z0-9\\[\\]\\\\`_^{|}~.-]{0,63}")
                    ? Optional.of(Actor.irc(id)) : Optional.empty());

    private final Conversation conversation;
    private final Venue venue;
    private final IrcConnection irc;
    private final IrcSettings settings;

    public IrcBot(RequestService service, IrcConnection irc, IrcSettings settings, Privacy privacy, Throttle throttle) {
        this.conversation = new Conversation(service, throttle);
        this.venue = Venue.chat("channel", "IRC_SECURITY_CHANNEL", settings.securityChannel() != null, SYNTAX,
                "IRC has no buttons: type the commands each card ends with.").watchedBy(privacy);
        this.irc = irc;
        this.settings = settings;
    }

    @Override
    public void said(String channel, String nick, Optional<String> account, String text) {
        if (channel != null && !isOurs(channel)) return;
        var verb = VerbParser.parse(text, SYNTAX);
        if (verb.isEmpty()) return;
        if (account.isEmpty()) {
            irc.tell(nick, List.of(IDENTIFY_FIRST));
            return;
        }
        boolean security = channel != null && IrcSession.fold(channel).equals(fold(settings.securityChannel()));
        // A private message is answered as the open channel would be: a nick can change hands between two lines.
        var reply = conversation.said(Actor.irc(account.get()), venue.room(security), verb.get());
        if (reply.takeDown())
            log.info("IRC: {} ({}) spoke of a confidential request in {}; IRC cannot take it back", nick, account.get(),
                    channel == null ? "a private message" : channel);
        reply.say().ifPresent(say -> irc.tell(nick, IrcText.lines(say)));
    }

    private boolean isOurs(String channel) {
        var c = IrcSession.fold(channel);
        return c.equals(IrcSession.fold(settings.channel())) || c.equals(fold(settings.securityChannel()));
    }

    private static String fold(String channel) { return channel == null ? "" : IrcSession.fold(channel); }
}
