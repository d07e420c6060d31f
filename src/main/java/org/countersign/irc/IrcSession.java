package org.countersign.irc;

import java.security.KeyStore;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.TrustManagerFactory;
import net.engio.mbassy.listener.Handler;
import org.kitteh.irc.client.library.Client;
import org.kitteh.irc.client.library.element.User;
import org.kitteh.irc.client.library.event.channel.ChannelKickEvent;
import org.kitteh.irc.client.library.event.channel.ChannelMessageEvent;
import org.kitteh.irc.client.library.event.channel.ChannelModeEvent;
import org.kitteh.irc.client.library.event.channel.ChannelJoinEvent;
import org.kitteh.irc.client.library.event.client.ClientNegotiationCompleteEvent;
import org.kitteh.irc.client.library.event.client.ClientReceiveNumericEvent;
import org.kitteh.irc.client.library.event.client.NickRejectedEvent;
import org.kitteh.irc.client.library.event.connection.ClientConnectionEndedEvent;
import org.kitteh.irc.client.library.event.helper.ServerMessageEvent;
import org.kitteh.irc.client.library.event.user.PrivateMessageEvent;
import org.kitteh.irc.client.library.event.user.UserNickChangeEvent;
import org.kitteh.irc.client.library.event.user.UserQuitEvent;
import org.kitteh.irc.client.library.feature.auth.SaslExternal;
import org.kitteh.irc.client.library.feature.auth.SaslPlain;
import org.kitteh.irc.client.library.feature.sending.SingleDelaySender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kitteh client's life on the network, and what it learned there: whether registration is done, which channels the
 * bot is in and their modes ({@code MODE} asked at each join and after each change), who said what with which services
 * account (the {@code account} tag of {@code account-tag}, else what {@code account-notify}, {@code extended-join} and
 * WHOX told). Kitteh reconnects after a drop; the wait doubles with each failure in a row, with jitter.
 */
public final class IrcSession {
    private static final Logger log = LoggerFactory.getLogger(IrcSession.class);
    /** RPL_CHANNELMODEIS: {@code <me> <channel> <modes> [params]}. */
    static final int CHANNEL_MODE_IS = 324;
    /** RPL_LOGGEDIN: SASL (or services) logged the bot in to its account. */
    static final int LOGGED_IN = 900;

    private final IrcSettings settings;
    private final Consumer<String> written;
    private final Runnable lost;
    private final Set<String> joined = ConcurrentHashMap.newKeySet();
    private final Map<String, String> modes = new ConcurrentHashMap<>();
    private final List<Consumer<String>> onModes = new CopyOnWriteArrayList<>();
    private final AtomicInteger failures = new AtomicInteger();
    private final List<String> extra = new CopyOnWriteArrayList<>();
    private volatile IrcConnection.Listener listener = (channel, nick, account, text) -> { };
    private volatile boolean ready;
    private volatile boolean registeredBefore;
    private volatile boolean loggedIn;
    private volatile List<String> channels = List.of();
    private volatile Client client;

    IrcSession(IrcSettings settings, Consumer<String> written, Runnable lost) {
        this.settings = settings;
        this.written = written;
        this.lost = lost;
    }

    void listener(IrcConnection.Listener listener) { this.listener = listener; }

    void onModes(Consumer<String> then) { onModes.add(then); }

    /** Channels joined besides the ops and security ones (those of {@code format: irc} integrations). */
    void alsoJoin(List<String> channels) { extra.addAll(channels); }

    /** A new client, connecting; the password goes to SASL only and is never logged. */
    Client connect() {
        ready = false;
        joined.clear();
        modes.clear();
        var server = Client.builder().nick(settings.nick()).user(settings.nick()).realName("Countersign approvals")
                .server().host(settings.host())
                .port(settings.port(), settings.tls() ? Client.Builder.Server.SecurityType.SECURE
                        : Client.Builder.Server.SecurityType.INSECURE)
                .secureTrustManagerFactory(systemTrust());
        if (settings.clientCert() != null) server.secureKeyCertChain(settings.clientCert()).secureKey(settings.clientKey());
        var c = server.then()
                .management().messageSendingQueueSupplier(SingleDelaySender.getSupplier(
                        (int) Math.max(1, settings.lineDelay().toMillis()))).then()
                .listeners().output(written::accept)
                .exception(IrcSession::failed).then()
                .build();
        if (settings.saslPassword() != null)
            c.getAuthManager().addProtocol(new SaslPlain(c, settings.saslAccount(), settings.saslPassword()));
        else if (settings.clientCert() != null) c.getAuthManager().addProtocol(new SaslExternal(c));
        c.getEventManager().registerEventListener(this);
        var all = new java.util.LinkedHashSet<>(settings.channels());
        all.addAll(extra);
        channels = List.copyOf(all);
        registeredBefore = false;
        c.addChannel(channels.toArray(String[]::new));
        client = c;
        c.connect();
        return c;
    }

    /** The library's own failures are worth a warning; its nags (an insecure test connection) are not. */
    private static void failed(Exception e) {
        if (e instanceof org.kitteh.irc.client.library.exception.KittehNagException) log.debug("IRC client: {}", e.toString());
        else log.warn("IRC client: {}", e.toString());
    }

    private static TrustManagerFactory systemTrust() {
        try {
            var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            return tmf;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("no TLS trust store: " + e.getMessage(), e);
        }
    }

    boolean ready() { return ready; }

    boolean joined(String channel) { return joined.contains(fold(channel)); }

    Optional<String> modes(String channel) { return Optional.ofNullable(modes.get(fold(channel))); }

    /** Asks for the nick back when another had it at connection time and it may be free now. */
    void regainNick(Client c) {
        if (c != null && ready && !c.getNick().equalsIgnoreCase(settings.nick())) c.setNick(settings.nick());
    }

    @Handler
    public void registered(ClientNegotiationCompleteEvent e) {
        if ((settings.saslPassword() != null || settings.clientCert() != null) && !loggedIn) {
            // Services not linked yet (the server just restarted), or the account refused: on a registered nick,
            // staying unidentified would get the bot renamed. Try again after the backoff.
            log.warn("IRC: SASL did not log in as {} (services down, or the account refused); reconnecting",
                    settings.saslAccount() == null ? "the certificate's account" : settings.saslAccount());
            e.getClient().reconnect("not identified yet");
            return;
        }
        ready = true;
        failures.set(0);
        log.info("IRC: connected to {} as {}", settings.host(), e.getClient().getNick());
        // After a reconnect, join again ourselves rather than count on the library's memory of the channels.
        if (registeredBefore) e.getClient().sendRawLine("JOIN " + String.join(",", channels));
        registeredBefore = true;
    }

    @Handler
    public void joined(ChannelJoinEvent e) {
        if (!e.getClient().isUser(e.getUser())) return;
        joined.add(fold(e.getChannel().getName()));
        e.getClient().sendRawLine("MODE " + e.getChannel().getName());
    }

    @Handler
    public void modeChanged(ChannelModeEvent e) { e.getClient().sendRawLine("MODE " + e.getChannel().getName()); }

    @Handler
    public void modeIs(ClientReceiveNumericEvent e) {
        if (e.getNumeric() == LOGGED_IN) loggedIn = true;
        var p = e.getParameters();
        if (e.getNumeric() != CHANNEL_MODE_IS || p.size() < 3) return;
        modes.put(fold(p.get(1)), p.get(2));
        for (var then : onModes) then.accept(p.get(1));
    }

    @Handler
    public void kicked(ChannelKickEvent e) {
        if (!e.getClient().isUser(e.getTarget())) return;
        var channel = e.getChannel().getName();
        joined.remove(fold(channel));
        modes.remove(fold(channel));
        log.warn("IRC: kicked from {} by {} ({}); joining again", channel, e.getActor().getName(), e.getMessage());
        e.getClient().addChannel(channel);
    }

    @Handler
    public void ended(ClientConnectionEndedEvent e) {
        ready = false;
        loggedIn = false;
        joined.clear();
        modes.clear();
        lost.run();
        if (!e.canAttemptReconnect()) return;
        var wait = IrcConnection.backoff(failures.incrementAndGet());
        e.setReconnectionDelay((int) wait.toMillis());
        log.warn("IRC: connection to {} ended ({}); reconnecting in {} ms", settings.host(),
                e.getCause().map(Throwable::toString).orElse(e instanceof org.kitteh.irc.client.library.event.connection
                        .ClientConnectionClosedEvent closed ? closed.getLastMessage().orElse("closed") : "closed"),
                wait.toMillis());
    }

    @Handler
    public void nickInUse(NickRejectedEvent e) {
        var other = e.getAttemptedNick().length() < 29 ? e.getAttemptedNick() + "_" : settings.nick() + "-"
                + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt(0x100));
        e.setNewNick(other);
        log.warn("IRC: the nick {} is in use; using {} and taking it back once it is free", e.getAttemptedNick(), other);
    }

    @Handler
    public void quit(UserQuitEvent e) { nickFreed(e.getUser().getNick()); }

    @Handler
    public void renamed(UserNickChangeEvent e) { nickFreed(e.getOldUser().getNick()); }

    private void nickFreed(String nick) {
        var c = client;
        if (c != null && nick.equalsIgnoreCase(settings.nick()) && !c.getNick().equalsIgnoreCase(settings.nick()))
            c.setNick(settings.nick());
    }

    @Handler
    public void message(ChannelMessageEvent e) {
        if (e.getClient().isUser(e.getActor())) return;
        listener.said(e.getChannel().getName(), e.getActor().getNick(), account(e, e.getActor()), e.getMessage());
    }

    @Handler
    public void privateMessage(PrivateMessageEvent e) {
        if (e.getClient().isUser(e.getActor())) return;
        listener.said(null, e.getActor().getNick(), account(e, e.getActor()), e.getMessage());
    }

    /** The services account that sent this: its {@code account} tag, else what Kitteh tracked of the user. */
    static Optional<String> account(ServerMessageEvent e, User user) {
        var tag = e.getTag("account").flatMap(t -> t.getValue()).filter(a -> !a.isBlank() && !a.equals("*"));
        return tag.isPresent() ? tag : user.getAccount().filter(a -> !a.isBlank() && !a.equals("*"));
    }

    /** Channel names compare as IRC compares them (RFC 1459 case mapping). */
    static String fold(String channel) {
        return channel.toLowerCase(Locale.ROOT).replace('[', '{').replace(']', '}').replace('\\', '|').replace('~', '^');
    }
}
