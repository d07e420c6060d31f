package org.countersign.irc;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real IRC network from Debian's packages, for the tests: InspIRCd 3 with Anope 2 services linked to it (accounts,
 * SASL PLAIN, account-tag), each on free ports in a temporary directory, stopped when closed. People connect to
 * {@link #peoplePort()}, whose connect class lets a test type fast; the bot connects to {@link #botPort()}, whose class
 * kills a client for excess flood (no fake lag), so a bot that did not pace its lines would be thrown off. Without
 * the packages the calling test is skipped, or under CI ({@code CI=true}) fails: CI must not leave the network out.
 */
final class IrcNetwork implements AutoCloseable {
    static final Path INSPIRCD = Path.of("/usr/sbin/inspircd");
    static final Path ANOPE = Path.of("/usr/sbin/anope");
    static final String LINK_PASSWORD = "link-" + Long.toHexString(System.nanoTime());
    /** The bot's class: at most this many lines a second before its penalty grows, and killed past the threshold. */
    static final int BOT_LINES_PER_SECOND = 8;
    static final int BOT_THRESHOLD = 20;
    private static final AtomicInteger NAMES = new AtomicInteger();

    private final Path dir;
    private final int peoplePort = freePort();
    private final int botPort = freePort();
    private final int linkPort = freePort();
    private Process ircd;
    private final Process services;
    private int starts;

    /** A network in a directory of its own under {@code parent}. */
    static IrcNetwork start(Path parent) throws Exception {
        var problem = !Files.isExecutable(INSPIRCD) ? "inspircd is not installed"
                : !Files.isExecutable(ANOPE) ? "anope is not installed" : null;
        if (problem != null) {
            var advice = problem + ": apt-get install inspircd anope (.ci/run does)";
            if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(advice);
            assumeTrue(false, advice);
        }
        return new IrcNetwork(Files.createTempDirectory(parent, "irc-"));
    }

    private IrcNetwork(Path dir) throws Exception {
        this.dir = dir;
        Files.writeString(dir.resolve("inspircd.conf"), inspircdConf());
        ircd = startIrcd();
        var anope = Files.createDirectories(dir.resolve("anope"));
        Files.createDirectories(anope.resolve("db"));
        Files.createDirectories(anope.resolve("logs"));
        try (var confs = Files.list(Path.of("/etc/anope"))) {
            for (var conf : confs.filter(p -> p.toString().endsWith(".conf")).toList())
                Files.copy(conf, anope.resolve(conf.getFileName()));
        }
        edit(anope.resolve("services.conf"), List.of(
                "value = \"services.example.com\"", "value = \"services.test\"",
                "name = \"services.example.com\"", "name = \"services.test\"",
                "port = 7000", "port = " + linkPort,
                "password = \"mypassword\"", "password = \"" + LINK_PASSWORD + "\"",
                "pid = \"/var/run/anope/anope.pid\"", "pid = \"" + anope.resolve("anope.pid") + "\"",
                "casemap = \"ascii\"", "casemap = \"rfc1459\"",
                "retrywait = 60s", "retrywait = 1s",
                "usemail = yes", "usemail = no"));
        edit(anope.resolve("nickserv.conf"), List.of("forceemail = yes", "forceemail = no"));
        // Every test person connects from 127.0.0.1: no limit of sessions per address (0 is none).
        edit(anope.resolve("operserv.conf"), List.of("defaultsessionlimit = 3", "defaultsessionlimit = 0"));
        services = new ProcessBuilder(ANOPE.toString(), "--confdir=" + anope, "--dbdir=" + anope.resolve("db"),
                "--logdir=" + anope.resolve("logs"), "--modulesdir=/usr/lib/anope",
                "--localedir=/usr/share/anope/locale", "--nofork")
                .redirectErrorStream(true).redirectOutput(dir.resolve("anope.out").toFile()).start();
        awaitServicesLinked();
    }

    private static void edit(Path file, List<String> pairs) throws IOException {
        var text = Files.readString(file);
        for (int i = 0; i < pairs.size(); i += 2) {
            if (!text.contains(pairs.get(i))) throw new IllegalStateException(file + " has no " + pairs.get(i));
            text = text.replaceFirst(java.util.regex.Pattern.quote(pairs.get(i)),
                    java.util.regex.Matcher.quoteReplacement(pairs.get(i + 1)));
        }
        Files.writeString(file, text);
    }

    private String inspircdConf() {
        return """
                <server name="irc.test" description="Countersign test network" network="TestNet" id="0TS">
                <admin name="test" nick="test" email="test@localhost">
                <bind address="127.0.0.1" port="%d" type="clients">
                <bind address="127.0.0.1" port="%d" type="clients">
                <bind address="127.0.0.1" port="%d" type="servers">
                <module name="spanningtree">
                <module name="services_account">
                <module name="sasl">
                <module name="cap">
                <module name="ircv3">
                <module name="ircv3_accounttag">
                <module name="ircv3_capnotify">
                <module name="ircv3_servertime">
                <module name="ircv3_msgid">
                <module name="hidechans">
                <module name="svshold">
                <connect name="bot" allow="*" port="%d" timeout="20" pingfreq="30" threshold="%d" commandrate="%d"
                         fakelag="no" localmax="100" globalmax="100" hardsendq="1M" softsendq="10K" recvq="8K"
                         resolvehostnames="no" useident="no">
                <connect name="people" allow="*" port="%d" timeout="20" pingfreq="30" threshold="100000"
                         commandrate="1000000" fakelag="no" localmax="200" globalmax="200" hardsendq="4M"
                         softsendq="1M" recvq="1M" resolvehostnames="no" useident="no">
                <link name="services.test" ipaddr="127.0.0.1" port="%d" sendpass="%s" recvpass="%s">
                <uline server="services.test" silent="yes">
                <sasl target="services.test">
                <pid file="%s">
                <log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="%s">
                <options prefixquit="Quit: ">
                <security hideserver="">
                <dns server="127.0.0.1" timeout="1">
                """.formatted(peoplePort, botPort, linkPort, botPort, BOT_THRESHOLD, BOT_LINES_PER_SECOND * 1000,
                peoplePort, linkPort, LINK_PASSWORD, LINK_PASSWORD, dir.resolve("inspircd.pid"), dir.resolve("ircd.log"));
    }

    private Process startIrcd() throws Exception {
        starts++;
        var p = new ProcessBuilder(INSPIRCD.toString(), "--config=" + dir.resolve("inspircd.conf"), "--nofork",
                "--runasroot").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("inspircd.out").toFile())).start();
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < end) {
            if (!p.isAlive()) throw new IllegalStateException("inspircd ended: " + read("inspircd.out"));
            try (var s = new Socket("127.0.0.1", peoplePort)) {
                return p;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("inspircd did not listen: " + read("inspircd.out"));
    }

    /** Waits until the services are linked and synced (again, after a restart of the server). */
    private void awaitServicesLinked() throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            var out = read("anope.out");
            if (out.split("irc.test \\(Countersign test network\\) is done syncing", -1).length - 1 >= starts) return;
            if (!services.isAlive()) throw new IllegalStateException("anope ended: " + out);
            Thread.sleep(100);
        }
        throw new IllegalStateException("anope did not link: " + read("anope.out"));
    }

    /** Stops the IRC server as a crash would and starts it again on the same ports; the services link back. */
    void restartServer(Duration down) throws Exception {
        ircd.destroyForcibly().waitFor();
        Thread.sleep(down.toMillis());
        ircd = startIrcd();
        awaitServicesLinked();
    }

    /** Stops the IRC server (as a crash would), to start it again with {@link #startServer()}. */
    void stopServer() throws Exception { ircd.destroyForcibly().waitFor(); }

    void startServer() throws Exception {
        ircd = startIrcd();
        awaitServicesLinked();
    }

    int peoplePort() { return peoplePort; }

    int botPort() { return botPort; }

    /** What the server logged, to look for a client thrown off for flooding. */
    String serverLog() { return read("ircd.log"); }

    /** A new services account (name unique in the JVM, starting with {@code prefix}) with a password, registered. */
    Account register(String prefix) throws Exception {
        var name = prefix + NAMES.incrementAndGet();
        var password = "pw-" + Long.toHexString(System.nanoTime());
        try (var client = IrcPerson.connect(this, name, null)) {
            client.say("NickServ", "REGISTER " + password);
            // Anope sets the nick in bold (\u0002) in its answer.
            client.await(line -> line.contains("NOTICE " + name + " :Nickname ") && line.contains(" registered"),
                    Duration.ofSeconds(10));
        }
        return new Account(name, password);
    }

    /** A nick unique in the JVM that no account holds. */
    static String nick(String prefix) { return prefix + NAMES.incrementAndGet(); }

    /** A channel name unique in the JVM. */
    static String channel(String prefix) { return "#" + prefix + "-" + NAMES.incrementAndGet(); }

    record Account(String name, String password) {}

    private String read(String file) {
        try {
            return Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static int freePort() {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (var p : new ArrayList<>(List.of(services, ircd))) {
            p.destroy();
            try {
                if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
