package org.countersign.irc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.countersign.domain.Actor;
import org.countersign.domain.Draft;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IRC connection under strain on a real network: a flood of events paced under the server's limit, the server
 * restarting mid-flow, two instances with one connection between them, and the nick taken back.
 */
class IrcResilienceTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    @TempDir
    static Path shared;
    static IrcNetwork network;
    @TempDir
    Path dir;
    IrcFixture irc;

    @BeforeAll
    static void network() throws Exception { network = IrcNetwork.start(shared); }

    @AfterAll
    static void stop() {
        if (network != null) network.close();
    }

    @BeforeEach
    void fixture() throws Exception { irc = new IrcFixture(network, dir); }

    @AfterEach
    void close() { if (irc != null) irc.close(); }

    private static Draft draft(String summary) {
        return new Draft("availability", summary, null, List.of("https://gerrit.example.org/r/1"), null, true, null, null);
    }

    /** Whether {@code nick} joined the ops channel after {@code person}, or was in it when they joined. */
    private boolean botJoined(IrcPerson person, String nick) {
        return person.lines().stream().anyMatch(l -> l.startsWith(":" + nick + "!") && l.contains(" JOIN ")
                && l.contains(irc.ops) || l.contains(" 353 ") && l.contains(irc.ops)
                && List.of(l.substring(l.lastIndexOf(':') + 1).replace("@", "").split(" ")).contains(nick));
    }

    /** Who is in the ops channel now, as NAMES says (the list after the last colon). */
    private String namesOf(IrcPerson person) throws InterruptedException {
        int from = person.lines().size();
        person.raw("NAMES " + irc.ops);
        return person.awaitAfter(from, l -> l.contains(" 353 ") && l.contains(irc.ops), WAIT);
    }

    @Test
    void the_server_kills_a_client_that_floods_the_bot_port_but_fifty_cards_go_out_without_the_bot_being_kicked()
            throws Exception {
        // The limit is real: 60 lines at once on the bot's port are an excess flood.
        var flooder = irc.keep(IrcPerson.connect(network.botPort(), IrcNetwork.nick("flooder"), null));
        try {
            for (int i = 0; i < 60; i++) flooder.raw("NOTICE " + flooder.nick() + " :line " + i);
        } catch (IllegalStateException e) {
            // thrown off before the last line: what the server says about it is read below
        }
        flooder.await(l -> l.startsWith("ERROR ") && l.contains("Excess Flood"), WAIT);

        var observer = irc.person(irc.dev, false);
        var running = irc.start(irc.env());
        await().atMost(WAIT).until(() -> botJoined(observer, irc.botNick));
        for (int i = 1; i <= 50; i++) running.service().open(Actor.irc(irc.dev.name()), draft("Flood " + i));

        await().atMost(WAIT).until(() -> IntStream.rangeClosed(1, 50).allMatch(i -> observer.noticesFrom(irc.botNick,
                irc.ops).stream().anyMatch(l -> l.startsWith("EMG-" + i + " ·") && l.contains("Flood " + i + " "))));
        assertThat(observer.lines()).noneMatch(l -> l.startsWith(":" + irc.botNick + "!") && l.contains(" QUIT "));
        assertThat(network.serverLog()).doesNotContain(irc.botNick + "@127.0.0.1) [Excess Flood]");
        assertThat(observer.lines().stream().filter(l -> l.startsWith(":" + irc.botNick + "!") && l.contains(" JOIN ")
                && l.contains(irc.ops))).hasSize(1);
    }

    @Test
    void the_bot_reconnects_after_the_server_restarts_and_tells_what_happened_while_it_was_down() throws Exception {
        var dev = irc.person(irc.dev, false);
        var sre = irc.person(irc.sre, false);
        var running = irc.start(irc.env());
        await().atMost(WAIT).until(() -> botJoined(dev, irc.botNick));
        dev.say(irc.ops, "!emergency availability \"Queue stuck\" --change 5 --rollback");
        dev.await(l -> l.contains(" NOTICE " + irc.ops + " :EMG-1 "), WAIT);
        sre.say(irc.ops, "!approve EMG-1");
        dev.await(l -> l.contains(" NOTICE " + irc.ops + " :✅ " + irc.sre.name() + " approved EMG-1"), WAIT);

        network.stopServer();
        // Approved elsewhere while IRC is down (the console, the API): the event waits for the bot.
        var id = RequestId.parse("EMG-1").orElseThrow();
        running.service().approve(id, Actor.irc(irc.rel.name()), null);
        network.startServer();

        var back = irc.person(irc.dev, false);
        await().atMost(WAIT).until(() -> botJoined(back, irc.botNick));
        back.await(l -> l.contains(" NOTICE " + irc.ops + " :✅ " + irc.rel.name() + " approved EMG-1 for Release "
                + "Engineering."), WAIT);
        back.await(l -> l.contains(" NOTICE " + irc.ops + " :🟢 EMG-1 is approved by every team"), WAIT);
        back.say(irc.ops, "!status EMG-1");
        back.await(l -> l.contains(" NOTICE " + back.nick() + " :EMG-1 · Availability · approved"), WAIT);
        assertThat(running.service().find(id).orElseThrow().state()).isEqualTo(State.APPROVED);
    }

    @Test
    void of_two_instances_one_is_connected_and_the_other_takes_over_when_it_stops() throws Exception {
        var observer = irc.person(irc.dev, false);
        var first = irc.start(irc.env());
        await().atMost(WAIT).until(() -> botJoined(observer, irc.botNick));
        var second = irc.start(irc.env());
        Thread.sleep(6_000); // longer than the second's tries for the lease (a quarter of its 15 s)

        var names = namesOf(observer);
        assertThat(names.substring(names.lastIndexOf(':') + 1).split(" ")).filteredOn(n -> n.replace("@", "")
                .startsWith(irc.botNick)).hasSize(1);
        assertThat(observer.lines().stream().filter(l -> l.startsWith(":" + irc.botNick) && l.contains(" JOIN ")))
                .hasSize(1);

        first.close();
        await().atMost(WAIT).until(() -> observer.lines().stream().filter(l -> l.startsWith(":" + irc.botNick + "!")
                && l.contains(" JOIN ") && l.contains(irc.ops)).count() == 2);
        second.service().open(Actor.irc(irc.dev.name()), draft("After the takeover"));
        observer.await(l -> l.contains(" NOTICE " + irc.ops + " :EMG-1 ") && l.contains("After the takeover"), WAIT);
    }

    @Test
    void the_bot_takes_its_nick_back_once_whoever_held_it_leaves() throws Exception {
        var observer = irc.person(irc.dev, false);
        var squatter = irc.stranger(irc.botNick);
        irc.start(irc.env());
        await().atMost(WAIT).until(() -> botJoined(observer, irc.botNick + "_"));

        squatter.close();

        observer.await(l -> l.startsWith(":" + irc.botNick + "_!") && l.contains(" NICK ")
                && l.endsWith(irc.botNick), WAIT);
    }
}
