package org.countersign.irc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How to reach IRC. Enabled when {@code IRC_SERVER} and {@code IRC_CHANNEL} are set.
 *
 * @param tls             {@code IRC_TLS}: on unless {@code off}, which only a server on this machine may have
 * @param saslAccount     {@code IRC_SASL_ACCOUNT}, or null: SASL PLAIN with {@code saslPassword}
 * @param saslPassword    {@code IRC_SASL_PASSWORD}, or null; never logged
 * @param clientCert      {@code IRC_CLIENT_CERT} and {@code IRC_CLIENT_KEY} (PEM files), or null: with no password,
 *                        SASL EXTERNAL identifies the bot by its certificate
 * @param securityChannel {@code IRC_SECURITY_CHANNEL}, or null: confidential requests are then refused on IRC
 * @param lineDelay       {@code IRC_LINE_DELAY}: the pause between two lines sent, under the server's flood limit
 * @param publicUrl       where people open a request's page ({@code PUBLIC_URL}), or null: cards carry no link
 */
public record IrcSettings(String host, int port, boolean tls, String nick, String saslAccount, String saslPassword,
                          Path clientCert, Path clientKey, String channel, String securityChannel, Duration lineDelay,
                          String publicUrl) {
    static final String DEFAULT_NICK = "countersign";
    /** Kitteh's default, under what common networks allow after their first burst. */
    static final Duration DEFAULT_LINE_DELAY = Duration.ofMillis(1200);
    private static final Pattern SERVER = Pattern.compile("([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]):([0-9]{1,5})");
    private static final Pattern CHANNEL = Pattern.compile("[#&][^\\s,\\x07:]{1,49}");
    private static final Pattern NICK = Pattern.compile("[A-Za-z\\[\\]\\\\`_^{|}][A-Za-z0-9\\[\\]\\\\`_^{|}-]{0,29}");

    /**
     * The settings, or null when IRC is not configured; problems are added to {@code problems}.
     *
     * @param setting a setting by name, stripped; null when unset or blank
     */
    public static IrcSettings fromEnv(Function<String, String> setting, List<String> problems) {
        var server = setting.apply("IRC_SERVER");
        var channel = setting.apply("IRC_CHANNEL");
        if (server == null && channel == null) {
            for (var name : List.of("IRC_SECURITY_CHANNEL", "IRC_NICK", "IRC_SASL_ACCOUNT", "IRC_SASL_PASSWORD"))
                if (setting.apply(name) != null)
                    problems.add(name + " is set but IRC is off: set IRC_SERVER and IRC_CHANNEL too (see README, "
                            + "Connect to IRC)");
            return null;
        }
        int before = problems.size();
        String host = null;
        int port = 0;
        var m = server == null ? null : SERVER.matcher(server);
        if (server == null) problems.add("IRC_SERVER is not set: give the network's host:port, such as irc.libera.chat:6697");
        else if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535)
            problems.add("IRC_SERVER='" + server + "': expected host:port, such as irc.libera.chat:6697");
        else {
            host = m.group(1).startsWith("[") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
            port = Integer.parseInt(m.group(2));
        }
        var tlsText = setting.apply("IRC_TLS");
        boolean tls = true;
        if (tlsText != null && !List.of("on", "off").contains(tlsText.toLowerCase(Locale.ROOT)))
            problems.add("IRC_TLS='" + tlsText + "': expected on (the default) or off");
        else if ("off".equalsIgnoreCase(tlsText)) {
            tls = false;
            if (host != null && !isLoopback(host))
                problems.add("IRC_TLS=off sends every line and password in the clear to " + host + ": off is for a "
                        + "test server on this machine (127.0.0.1, ::1, localhost); use the network's TLS port");
        }
        var nick = setting.apply("IRC_NICK") == null ? DEFAULT_NICK : setting.apply("IRC_NICK");
        if (!NICK.matcher(nick).matches())
            problems.add("IRC_NICK='" + nick + "': expected a nick of letters, digits and [ ] \\ ` _ ^ { | } -, "
                    + "not starting with a digit or -, at most 30");
        var account = setting.apply("IRC_SASL_ACCOUNT");
        var password = setting.apply("IRC_SASL_PASSWORD");
        if (account != null && password == null)
            problems.add("IRC_SASL_ACCOUNT is set but IRC_SASL_PASSWORD is not: give the bot account's password");
        if (password != null && account == null)
            problems.add("IRC_SASL_PASSWORD (hidden) is set but IRC_SASL_ACCOUNT is not: name the bot's services account");
        var cert = path(setting, "IRC_CLIENT_CERT", problems);
        var key = path(setting, "IRC_CLIENT_KEY", problems);
        if ((cert == null) != (key == null))
            problems.add("IRC_CLIENT_CERT and IRC_CLIENT_KEY go together: the certificate and its private key (PEM)");
        if (channel == null) problems.add("IRC_CHANNEL is not set: the channel for cards, such as #operations");
        else if (!CHANNEL.matcher(channel).matches())
            problems.add("IRC_CHANNEL='" + channel + "': expected a channel such as #operations");
        var security = setting.apply("IRC_SECURITY_CHANNEL");
        if (security != null && !CHANNEL.matcher(security).matches())
            problems.add("IRC_SECURITY_CHANNEL='" + security + "': expected a channel such as #security-deploys");
        else if (security != null && channel != null && security.equalsIgnoreCase(channel))
            problems.add("IRC_SECURITY_CHANNEL is the same as IRC_CHANNEL: confidential requests need a secret, "
                    + "invite-only channel of their own");
        var delayText = setting.apply("IRC_LINE_DELAY");
        var delay = delayText == null ? java.util.Optional.of(DEFAULT_LINE_DELAY) : pause(delayText);
        if (delay.isEmpty() || delay.get().toMillis() < 50 || delay.get().toSeconds() > 10)
            problems.add("IRC_LINE_DELAY='" + delayText + "': expected a pause such as 1200ms or 2s, from 50ms to 10s "
                    + "(default 1200ms; keep it above what the network's flood limit allows)");
        if (problems.size() > before) return null;
        return new IrcSettings(host, port, tls, nick, account, password, cert, key, channel, security,
                delay.get(), null);
    }

    /** The same settings with another pause between lines (a test network with limits of its own). */
    public IrcSettings withLineDelay(Duration delay) {
        return new IrcSettings(host, port, tls, nick, saslAccount, saslPassword, clientCert, clientKey, channel,
                securityChannel, delay, publicUrl);
    }

    /** The same settings with the address of the request pages ({@code PUBLIC_URL}), or null for none. */
    public IrcSettings withPublicUrl(java.net.URI url) {
        return new IrcSettings(host, port, tls, nick, saslAccount, saslPassword, clientCert, clientKey, channel,
                securityChannel, lineDelay, url == null ? null : publicUrl(url.toString()));
    }

    /** {@code #operations}-style channels in the order they are joined. */
    List<String> channels() { return securityChannel == null ? List.of(channel) : List.of(channel, securityChannel); }

    /** {@code 1200ms} or {@code 2s}. */
    private static java.util.Optional<Duration> pause(String text) {
        var m = Pattern.compile("([0-9]{1,6})\\s*(ms|s)").matcher(text.strip());
        if (!m.matches()) return java.util.Optional.empty();
        long n = Long.parseLong(m.group(1));
        return java.util.Optional.of(m.group(2).equals("ms") ? Duration.ofMillis(n) : Duration.ofSeconds(n));
    }

    private static Path path(Function<String, String> setting, String name, List<String> problems) {
        var text = setting.apply(name);
        if (text == null) return null;
        var path = Path.of(text);
        if (!Files.isReadable(path)) {
            problems.add(name + "='" + text + "': no readable file there");
            return null;
        }
        return path;
    }

    private static String publicUrl(String url) {
        if (url == null || url.isBlank()) return null;
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    static boolean isLoopback(String host) {
        var h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("::1") || h.matches("127(\\.[0-9]{1,3}){3}");
    }

    @Override
    public String toString() {
        return "IrcSettings[server=" + host + ":" + port + ", tls=" + tls + ", nick=" + nick + ", saslAccount="
                + saslAccount + ", saslPassword=" + (saslPassword == null ? null : "****") + ", clientCert=" + clientCert
                + ", channel=" + channel + ", securityChannel=" + securityChannel + "]";
    }
}
