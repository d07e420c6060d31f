package org.countersign.irc;

import java.util.Optional;
import org.countersign.chat.PrivacyWatch;

/**
 * IRC's side of the {@link PrivacyWatch}: the security channel must be secret ({@code +s}: not in LIST, WHOIS or NAMES
 * from outside) and invite-only ({@code +i}), as its {@code MODE} says at join and after every change. While the bot
 * is not connected there is no answer, and the watch treats the channel as not private after a while. The notice
 * goes to the ops channel.
 */
public final class IrcPrivacy implements PrivacyWatch.Probe {
    private final IrcConnection irc;
    private final IrcSettings settings;

    public IrcPrivacy(IrcConnection irc, IrcSettings settings) {
        if (settings.securityChannel() == null) throw new IllegalArgumentException("no security channel to check");
        this.irc = irc;
        this.settings = settings;
    }

    @Override
    public String platform() { return IrcCards.PLATFORM; }

    @Override
    public String place() { return settings.securityChannel(); }

    @Override
    public String describe() { return "the security channel " + settings.securityChannel(); }

    @Override
    public String setting() { return "IRC_SECURITY_CHANNEL"; }

    @Override
    public Optional<String> exposure() {
        var modes = irc.modes(settings.securityChannel());
        if (modes.isEmpty())
            throw new IllegalStateException("the bot is not in " + settings.securityChannel() + " (not connected, "
                    + "not invited, or its MODE not answered yet)");
        return exposure(modes.get());
    }

    /** What makes a channel of these modes ({@code +inst}) readable by others; empty for a secret, invite-only one. */
    static Optional<String> exposure(String modes) {
        var flags = modes.startsWith("+") ? modes.substring(1) : modes;
        var missing = new StringBuilder();
        if (flags.indexOf('s') < 0) missing.append("s");
        if (flags.indexOf('i') < 0) missing.append("i");
        if (missing.isEmpty()) return Optional.empty();
        var why = new java.util.ArrayList<String>();
        if (missing.indexOf("s") >= 0) why.add("not secret (+s), so anyone can see it and who is in it");
        if (missing.indexOf("i") >= 0) why.add("not invite-only (+i), so anyone can join and read it");
        return Optional.of("its modes are " + (modes.startsWith("+") ? modes : "+" + modes) + ": it is "
                + String.join(" and ", why) + "; set MODE " + "+" + missing);
    }

    @Override
    public void tellOps(String text) { irc.send(settings.channel(), IrcText.lines(text)); }
}
