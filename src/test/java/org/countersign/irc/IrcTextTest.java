package org.countersign.irc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.countersign.chat.Card;
import org.countersign.chat.Card.Button;
import org.countersign.chat.Card.Field;
import org.countersign.domain.Actor;
import org.countersign.domain.State;
import org.junit.jupiter.api.Test;

/** The IRC renderer without a network: lines that cannot be broken into commands, and the compact card. */
class IrcTextTest {
    private static Card pending(String summary, boolean confidential) {
        return new Card("EMG-12", "EMG-12 · Availability", State.PENDING, "Waiting for Release Engineering",
                confidential, List.of(new Field("Summary", new Card.Text(summary)),
                        new Field("Requester", new Card.Person(Actor.irc("alice")))),
                List.of(new Card.TeamLine("releng", "Release Engineering", Card.TeamStatus.WAITING, List.of(), 1)),
                List.of(new Button(Card.Action.APPROVE, "releng", "Approve as Release Engineering", Card.Style.PRIMARY),
                        new Button(Card.Action.REJECT, null, "Reject", Card.Style.DANGER),
                        new Button(Card.Action.WITHDRAW, null, "Withdraw my approval", Card.Style.DEFAULT)));
    }

    @Test
    void a_line_break_typed_in_a_summary_cannot_start_a_raw_command_of_its_own() {
        var lines = IrcText.card(pending("fix\r\nQUIT :pwned\n\u0001ACTION hi\u0001 \u0002bold", false), null);

        assertThat(lines).allSatisfy(l -> assertThat(l).doesNotContain("\r", "\n", "\u0001", "\u0002"));
        assertThat(lines.get(0)).contains("fix QUIT :pwned ACTION hi bold");
    }

    @Test
    void the_card_is_two_lines_with_the_teams_still_needed_the_page_and_the_commands() {
        var lines = IrcText.card(pending("API returns 500s", false), "https://cs.example.org/requests/EMG-12");

        assertThat(lines).containsExactly(
                "EMG-12 · Availability · Waiting for Release Engineering — API returns 500s (by alice)",
                "https://cs.example.org/requests/EMG-12 · !approve EMG-12 releng · !reject EMG-12 <reason>");
    }

    @Test
    void a_confidential_card_says_so_and_without_a_public_url_it_has_no_link() {
        var lines = IrcText.card(pending("SQL injection", true), null);

        assertThat(lines.get(0)).contains("🔒 confidential");
        assertThat(lines.get(1)).startsWith("!approve EMG-12 releng");
    }

    @Test
    void every_line_fits_an_irc_message_however_long_the_text() {
        var lines = IrcText.card(pending("é".repeat(2000), false), "https://cs.example.org/requests/EMG-12");
        var reply = IrcText.lines("word ".repeat(500) + "\nsecond line");

        assertThat(lines).hasSize(2);
        assertThat(lines).allSatisfy(l -> assertThat(l.getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(IrcText.LINE_BYTES));
        assertThat(reply).allSatisfy(l -> assertThat(l.getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(IrcText.LINE_BYTES));
        assertThat(String.join(" ", reply)).isEqualTo(("word ".repeat(500)).strip() + " second line");
    }

    @Test
    void a_transition_is_what_happened_and_where_the_request_stands_in_two_lines() {
        var lines = IrcText.transition(List.of(new Card.Text("✅ "), new Card.Person(Actor.irc("bob")),
                new Card.Text(" approved EMG-12 for SRE.")), pending("x", false), null);

        assertThat(lines).containsExactly("✅ bob approved EMG-12 for SRE. Now: Waiting for Release Engineering",
                "!approve EMG-12 releng · !reject EMG-12 <reason>");
    }

    @Test
    void people_of_other_platforms_are_named_with_their_platform() {
        assertThat(IrcText.name(Actor.irc("Alice"))).isEqualTo("alice");
        assertThat(IrcText.name(Actor.slack("U0SRE1"))).isEqualTo("slack:U0SRE1");
        assertThat(IrcText.name(Actor.irc("[Bob]"))).isEqualTo("{bob}");
    }

    @Test
    void a_channel_is_secret_and_invite_only_or_its_exposure_says_what_is_missing() {
        assertThat(IrcPrivacy.exposure("+inst")).isEmpty();
        assertThat(IrcPrivacy.exposure("+nt")).get().asString().contains("not secret (+s)")
                .contains("not invite-only (+i)");
        assertThat(IrcPrivacy.exposure("+nst")).get().asString().doesNotContain("not secret")
                .contains("not invite-only (+i)");
    }
}
