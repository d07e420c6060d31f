package org.countersign.irc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.countersign.Config;
import org.countersign.Main;
import org.countersign.store.EmbeddedRedis;

/**
 * One test's people and channels on an {@link IrcNetwork}: accounts for the bot, a developer and one member of each
 * team, all new; an ops channel everyone is in and a security channel (secret and invite-only once the bot is in);
 * a policy naming the accounts; and Countersign instances started on it with Main.start, sharing one Redis.
 */
final class IrcFixture implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);
    /** Under the bot class's limit of {@link IrcNetwork#BOT_LINES_PER_SECOND} lines a second. */
    static final String LINE_DELAY = "150ms";

    final IrcNetwork network;
    final IrcNetwork.Account bot;
    final IrcNetwork.Account dev;
    final IrcNetwork.Account sre;
    final IrcNetwork.Account rel;
    final IrcNetwork.Account sec;
    final String ops = IrcNetwork.channel("ops");
    final String security = IrcNetwork.channel("sec");
    final String botNick;
    private final Path dir;
    private final EmbeddedRedis redis;
    private final List<AutoCloseable> open = new ArrayList<>();

    IrcFixture(IrcNetwork network, Path dir) throws Exception {
        this.network = network;
        this.dir = dir;
        bot = network.register("csbot");
        botNick = bot.name();
        dev = network.register("dev");
        sre = network.register("sre");
        rel = network.register("rel");
        sec = network.register("sec");
        redis = EmbeddedRedis.start(dir.resolve("redis"));
        Files.writeString(dir.resolve("policy.yml"), """
                teams:
                  sre:      { label: SRE, irc-accounts: [%s] }
                  releng:   { label: Release Engineering, irc-accounts: [%s] }
                  security: { label: Security, irc-accounts: [%s] }
                reasons:
                  security:     { label: Security issue, teams: [sre, releng, security], confidential: true }
                  availability: { label: Availability, teams: [sre, releng] }
                people:
                  dev: { irc: %s }
                expire-after: 60m
                """.formatted(sre.name(), rel.name(), sec.name(), dev.name()));
    }

    /** Adds {@code yaml} (an {@code integrations:} section, say) to the policy, before an instance starts. */
    void addToPolicy(String yaml) throws java.io.IOException {
        Files.writeString(dir.resolve("policy.yml"), yaml, java.nio.file.StandardOpenOption.APPEND);
    }

    /** A person identified as {@code account}, in the ops channel (and the security one when {@code inSecurity}). */
    IrcPerson person(IrcNetwork.Account account, boolean inSecurity) throws Exception {
        var p = keep(IrcPerson.connect(network, account.name(), account));
        p.join(ops);
        if (inSecurity) p.join(security);
        return p;
    }

    /** Someone with a nick and no account, in the ops channel. */
    IrcPerson stranger(String nick) throws Exception {
        var p = keep(IrcPerson.connect(network, nick, null));
        p.join(ops);
        return p;
    }

    <T extends AutoCloseable> T keep(T closeable) {
        open.add(closeable);
        return closeable;
    }

    /** The environment of an instance on this fixture's Redis, network and channels. */
    Map<String, String> env() {
        var env = new HashMap<String, String>();
        var data = dir.resolve("data-" + IrcNetwork.freePort());
        env.put("REDIS_URL", redis.uri().toString());
        env.put("DATA_DIR", data.toString());
        env.put("PORT", String.valueOf(IrcNetwork.freePort()));
        env.put("POLICY_FILE", dir.resolve("policy.yml").toString());
        env.put("IRC_SERVER", "127.0.0.1:" + network.botPort());
        env.put("IRC_TLS", "off");
        env.put("IRC_NICK", botNick);
        env.put("IRC_SASL_ACCOUNT", bot.name());
        env.put("IRC_SASL_PASSWORD", bot.password());
        env.put("IRC_CHANNEL", ops);
        env.put("IRC_SECURITY_CHANNEL", security);
        env.put("IRC_LINE_DELAY", LINE_DELAY);
        env.put("PUBLIC_URL", "https://countersign.example.org");
        env.put("PRIVACY_CHECK_INTERVAL", "2s");
        env.put("RATE_LIMIT_PER_USER", "100000/1m");
        return env;
    }

    Main.Running start(Map<String, String> env) { return keep(Main.start(Config.fromEnv(env), env)); }

    /**
     * Makes the security channel secret and invite-only with the bot in it: {@code op} made it (and so holds its
     * operator status), the bot joins while it is only secret, then it turns invite-only.
     */
    void secureSecurityChannel(IrcPerson op) throws Exception {
        op.mode(security, "+s");
        op.await(l -> l.contains(" JOIN ") && l.startsWith(":" + botNick + "!") && l.contains(security),
                WAIT);
        op.mode(security, "+i");
    }

    @Override
    public void close() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                // closing
            }
        }
        redis.close();
    }
}
