package org.countersign.irc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;

/**
 * A person on the test network, over a raw socket: registers (identified by SASL PLAIN, or not), answers PINGs, and
 * keeps every line the server sent, so a test can wait for the one it expects and look at all it saw.
 */
final class IrcPerson implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;
    private volatile String nick;

    private IrcPerson(Socket socket, String nick) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.nick = nick;
        var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        reader = new Thread(() -> {
            try {
                for (var line = in.readLine(); line != null; line = in.readLine()) {
                    // Message tags (@account=…;time=…) are the server's business here; tests read the line itself.
                    if (line.startsWith("@") && line.indexOf(' ') > 0) line = line.substring(line.indexOf(' ') + 1);
                    if (line.startsWith("PING ")) raw("PONG " + line.substring(5));
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException e) {
                // closed
            }
        }, "irc-person-" + nick);
        reader.setDaemon(true);
        reader.start();
    }

    /** Connected to the people's port as {@code nick}, identified as {@code account} when it is given. */
    static IrcPerson connect(IrcNetwork network, String nick, IrcNetwork.Account account) throws Exception {
        return connect(network.peoplePort(), nick, account);
    }

    static IrcPerson connect(int port, String nick, IrcNetwork.Account account) throws Exception {
        var person = new IrcPerson(new Socket("127.0.0.1", port), nick);
        if (account != null) {
            person.raw("CAP REQ :sasl account-tag");
            person.raw("NICK " + nick);
            person.raw("USER " + nick + " 0 * :" + nick);
            person.await(l -> l.contains(" ACK :sasl"), Duration.ofSeconds(10));
            person.raw("AUTHENTICATE PLAIN");
            person.await(l -> l.startsWith("AUTHENTICATE "), Duration.ofSeconds(10));
            person.raw("AUTHENTICATE " + Base64.getEncoder().encodeToString((account.name() + "\0" + account.name()
                    + "\0" + account.password()).getBytes(StandardCharsets.UTF_8)));
            person.await(l -> l.contains(" 903 "), Duration.ofSeconds(10));
            person.raw("CAP END");
        } else {
            person.raw("NICK " + nick);
            person.raw("USER " + nick + " 0 * :" + nick);
        }
        person.await(l -> l.contains(" 001 "), Duration.ofSeconds(10));
        return person;
    }

    String nick() { return nick; }

    void raw(String line) {
        try {
            synchronized (out) {
                out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not send " + line + ": " + e.getMessage(), e);
        }
    }

    void say(String target, String text) { raw("PRIVMSG " + target + " :" + text); }

    /** Joins and waits until the server says so (the end of NAMES). */
    void join(String channel) throws InterruptedException {
        raw("JOIN " + channel);
        await(l -> l.contains(" 366 " + nick + " " + channel + " "), Duration.ofSeconds(10));
    }

    void mode(String channel, String modes) throws InterruptedException {
        int before = lines().size();
        raw("MODE " + channel + " " + modes);
        await(l -> lines().indexOf(l) >= before && (l.contains(" MODE " + channel + " " + modes)
                || l.contains(" MODE " + channel + " :" + modes)), Duration.ofSeconds(10));
    }

    void renameTo(String newNick) throws InterruptedException {
        raw("NICK " + newNick);
        var old = nick;
        await(l -> l.startsWith(":" + old + "!") && l.contains(" NICK "), Duration.ofSeconds(10));
        nick = newNick;
    }

    /** The first line since the start that matches, waiting up to {@code timeout} for it. */
    String await(Predicate<String> match, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                for (var line : lines) if (match.test(line)) return line;
                long left = end - System.nanoTime();
                if (left <= 0) throw new AssertionError(nick + " did not get the line expected within " + timeout
                        + "; got:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
                lines.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** The first line after the {@code from}-th that matches, waiting up to {@code timeout} for it. */
    String awaitAfter(int from, Predicate<String> match, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                for (int i = from; i < lines.size(); i++) if (match.test(lines.get(i))) return lines.get(i);
                long left = end - System.nanoTime();
                if (left <= 0) throw new AssertionError(nick + " did not get the line expected within " + timeout);
                lines.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** The NOTICEs that reached this person from {@code from} (a nick), to a channel or to them, text only. */
    List<String> noticesFrom(String from, String to) {
        synchronized (lines) {
            return lines.stream().filter(l -> l.contains(":" + from + "!") && l.contains(" NOTICE " + to + " :"))
                    .map(l -> l.substring(l.indexOf(" NOTICE " + to + " :") + (" NOTICE " + to + " :").length()))
                    .toList();
        }
    }

    /** Every line this person saw. */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void close() {
        try {
            raw("QUIT :bye");
        } catch (RuntimeException e) {
            // already gone
        }
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }
}
