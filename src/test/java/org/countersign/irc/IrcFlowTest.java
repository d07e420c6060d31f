package org.countersign.irc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.countersign.domain.Actor;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole conversation on a real IRC network (InspIRCd with Anope services): people identified by SASL vote with
 * their services accounts, a nick without one is refused, a nick change changes nothing, and the confidential request
 * stays in the secret channel.
 */
class IrcFlowTest {
    static final Duration WAIT = IrcFixture.WAIT;
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

    /** The first line of each answer the bot gave this person (a NOTICE to their nick). */
    private java.util.List<String> answers(IrcPerson person) {
        return person.noticesFrom(irc.botNick, person.nick()).stream()
                .filter(l -> l.startsWith("EMG-") || l.startsWith("Security requests")).toList();
    }

    @Test
    void votes_from_identified_accounts_approve_a_request_and_each_transition_is_a_notice_in_the_channel()
            throws Exception {
        var dev = irc.person(irc.dev, false);
        var sre = irc.person(irc.sre, false);
        var rel = irc.person(irc.rel, false);
        var running = irc.start(irc.env());
        dev.await(l -> l.contains(" JOIN ") && l.startsWith(":" + irc.botNick + "!"), WAIT);

        dev.say(irc.ops, "!emergency availability \"API returns 500s\" --change https://gerrit.example.org/r/1 --rollback");

        var card = dev.await(l -> l.contains(" NOTICE " + irc.ops + " :EMG-1 "), WAIT);
        assertThat(card).contains("Waiting for SRE and Release Engineering").contains("API returns 500s")
                .contains("by " + irc.dev.name());
        dev.await(l -> l.contains(" NOTICE " + irc.ops + " :https://countersign.example.org/requests/EMG-1 · "
                + "!approve EMG-1 sre"), WAIT);
        dev.await(l -> l.contains(" NOTICE " + dev.nick() + " :EMG-1 is open; it needs SRE and Release Engineering"),
                WAIT);

        sre.say(irc.ops, "!approve EMG-1");
        dev.await(l -> l.contains(" NOTICE " + irc.ops + " :✅ " + irc.sre.name() + " approved EMG-1 for SRE. Now: "
                + "Waiting for Release Engineering"), WAIT);
        rel.say(irc.ops, "!approve EMG-1");
        dev.await(l -> l.contains(" NOTICE " + irc.ops + " :🟢 EMG-1 is approved by every team"), WAIT);

        var request = running.service().find(RequestId.parse("EMG-1").orElseThrow()).orElseThrow();
        assertThat(request.state()).isEqualTo(State.APPROVED);
        assertThat(request.approvals()).extracting(a -> a.by())
                .containsExactlyInAnyOrder(Actor.irc(irc.sre.name()), Actor.irc(irc.rel.name()));
        assertThat(request.requester()).isEqualTo(Actor.irc(irc.dev.name()));
    }

    @Test
    void a_nick_without_a_services_account_is_told_to_identify_and_its_vote_does_not_count() throws Exception {
        var dev = irc.person(irc.dev, false);
        var mallory = irc.stranger(IrcNetwork.nick("mallory"));
        var running = irc.start(irc.env());
        dev.await(l -> l.contains(" JOIN ") && l.startsWith(":" + irc.botNick + "!"), WAIT);
        dev.say(irc.ops, "!emergency availability \"Cache stampede\" --change 42 --rollback");
        dev.await(l -> l.contains(" NOTICE " + irc.ops + " :EMG-1 "), WAIT);

        mallory.say(irc.ops, "!approve EMG-1 sre");

        mallory.await(l -> l.contains(" NOTICE " + mallory.nick() + " :Identify to services first"), WAIT);
        assertThat(running.service().find(RequestId.parse("EMG-1").orElseThrow()).orElseThrow().approvals()).isEmpty();
    }

    @Test
    void a_nick_change_mid_flow_keeps_the_person_and_a_stranger_on_their_old_nick_is_refused() throws Exception {
        var dev = irc.person(irc.dev, false);
        var sre = irc.person(irc.sre, false);
        var running = irc.start(irc.env());
        dev.await(l -> l.contains(" JOIN ") && l.startsWith(":" + irc.botNick + "!"), WAIT);
        dev.say(irc.ops, "!emergency availability \"Disk full\" --change 7 --rollback");
        dev.await(l -> l.contains(" NOTICE " + irc.ops + " :EMG-1 "), WAIT);
        var oldNick = sre.nick();

        sre.renameTo(IrcNetwork.nick("away"));
        var impostor = irc.stranger(oldNick);
        impostor.say(irc.ops, "!approve EMG-1 releng");
        impostor.await(l -> l.contains(" NOTICE " + oldNick + " :Identify to services first"), WAIT);
        sre.say(irc.ops, "!approve EMG-1");

        dev.await(l -> l.contains(" NOTICE " + irc.ops + " :✅ " + irc.sre.name() + " approved EMG-1 for SRE."), WAIT);
        var request = running.service().find(RequestId.parse("EMG-1").orElseThrow()).orElseThrow();
        assertThat(request.approvals()).extracting(a -> a.by()).containsExactly(Actor.irc(irc.sre.name()));
    }

    @Test
    void a_confidential_request_is_shown_in_the_secret_channel_only_and_refused_once_it_is_not_invite_only()
            throws Exception {
        var sre = irc.person(irc.sre, true);
        // Identified, in no team, in the ops channel only.
        var outsider = irc.person(network.register("reader"), false);
        var running = irc.start(irc.env());
        irc.secureSecurityChannel(sre);

        // Until the bot has seen +si, it refuses; it answers as soon as it has.
        // Asked again only after each refusal was heard, so one request is opened.
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> {
            int answers = answers(sre).size();
            sre.say(irc.security, "!emergency security \"SQL injection in login\" --change 99 --rollback");
            await().atMost(WAIT).until(() -> answers(sre).size() > answers);
            return answers(sre).get(answers(sre).size() - 1).startsWith("EMG-1 is open");
        });
        sre.await(l -> l.contains(" NOTICE " + irc.security + " :EMG-1 ") && l.contains("SQL injection in login")
                && l.contains("confidential"), WAIT);

        outsider.say(irc.ops, "!status EMG-1");
        outsider.await(l -> l.contains(" NOTICE " + outsider.nick() + " :EMG-1 "), WAIT);
        assertThat(outsider.lines()).noneMatch(l -> l.contains("SQL injection"));
        assertThat(outsider.lines()).anyMatch(l -> l.contains(" NOTICE " + outsider.nick() + " :EMG-1 ")
                && l.contains("confidential: details in the security channel"));

        sre.mode(irc.security, "-i");
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> {
            int answers = answers(sre).size();
            sre.say(irc.security, "!emergency security \"XSS in search\" --change 100 --rollback");
            await().atMost(WAIT).until(() -> answers(sre).size() > answers);
            return answers(sre).get(answers(sre).size() - 1).startsWith("Security requests go to the private security "
                    + "channel, but the security channel " + irc.security + " is not private (its modes are +nst: it is "
                    + "not invite-only (+i)");
        });
        assertThat(running.service().recent(java.util.Set.of(), 10)).hasSize(1);
        assertThat(outsider.lines()).noneMatch(l -> l.contains("XSS in search"));
    }

    @Test
    void a_format_irc_integration_says_the_admin_log_line_in_its_channel_without_what_a_confidential_request_is_about()
            throws Exception {
        var log = IrcNetwork.channel("sal");
        irc.addToPolicy("""
                integrations:
                  - name: sal
                    format: irc
                    channel: "%s"
                    events: [request.opened, approval.added]
                """.formatted(log));
        var reader = irc.person(network.register("reader"), false);
        reader.join(log);
        var running = irc.start(irc.env());
        await().atMost(WAIT).until(() -> reader.lines().stream().anyMatch(l -> l.startsWith(":" + irc.botNick + "!")
                && l.contains(" JOIN ") && l.contains(log)));

        running.service().open(Actor.irc(irc.dev.name()), new org.countersign.domain.Draft("availability", "Cache is cold",
                null, java.util.List.of("42"), null, true, null, null));
        running.service().open(Actor.irc(irc.sre.name()), new org.countersign.domain.Draft("security", "Token leak",
                null, java.util.List.of("43"), null, true, null, null));

        reader.await(l -> l.contains(" NOTICE " + log + " :") && l.contains("EMG-1 opened by irc:" + irc.dev.name())
                && l.contains(": Cache is cold"), WAIT);
        reader.await(l -> l.contains(" NOTICE " + log + " :") && l.contains("EMG-2 opened by irc:" + irc.sre.name()), WAIT);
        assertThat(reader.lines()).noneMatch(l -> l.contains("Token leak"));
    }
}
