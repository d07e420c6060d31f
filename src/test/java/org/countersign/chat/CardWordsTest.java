package org.countersign.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.RequestBuilder.aRequest;

import org.countersign.chat.Card.TeamLine;
import org.countersign.chat.Card.TeamStatus;
import org.countersign.domain.RequestBuilder;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.junit.jupiter.api.Test;

/** What a card's team lines and status say, in the words Slack, Matrix and the console all show. */
class CardWordsTest {
    private final Cards cards = new Cards(new Workflow(TestPolicies.standard()));

    private String standing(RequestBuilder request, String team) {
        return cards.of(request.build()).teams().stream().filter(t -> t.team().equals(team)).findFirst()
                .map(TeamLine::standing).orElseThrow();
    }

    @Test
    void a_pending_request_says_each_team_is_waiting_with_its_count() {
        assertThat(standing(aRequest().approvedBy(TestPolicies.SRE1, "sre"), "sre")).isEqualTo("approved");
        assertThat(standing(aRequest().approvedBy(TestPolicies.SRE1, "sre"), "releng")).isEqualTo("waiting (0 of 1)");
    }

    @Test
    void a_list_line_says_the_reason_the_state_the_summary_and_each_team_approved_or_waiting() {
        var r = aRequest().withSummary("payments down & 5xx").approvedBy(TestPolicies.SRE1, "sre").build();

        assertThat(cards.line(r, true, "hidden")).isEqualTo(r.id() + " · Availability · pending — payments down & 5xx"
                + " (SRE approved, Release Engineering waiting)");
        assertThat(cards.line(r, false, "details in the security channel"))
                .isEqualTo(r.id() + " · Confidential · pending — details in the security channel"
                        + " (SRE approved, Release Engineering waiting)");
    }

    @Test
    void a_line_written_again_follows_the_words_asked_for_the_request_given_and_the_policy_as_it_stands() {
        var rules = new java.util.concurrent.atomic.AtomicReference<>(new Workflow(TestPolicies.standard()));
        var following = new Cards(rules::get);
        var r = aRequest().approvedBy(TestPolicies.SRE1, "sre").build();
        var approved = following.line(r, true, "hidden");

        assertThat(following.line(r, true, "hidden")).isSameAs(approved);
        assertThat(following.line(r, false, "hidden")).contains("Confidential").endsWith(approved.substring(
                approved.indexOf(" (")));
        assertThat(following.line(r, false, "details in the security room")).contains("details in the security room");
        var more = aRequest().approvedBy(TestPolicies.SRE1, "sre").approvedBy(TestPolicies.REL1, "releng").build();
        assertThat(following.line(more, true, "hidden")).endsWith("(SRE approved, Release Engineering approved)");
        rules.set(new Workflow(TestPolicies.withQuorum(2)));
        assertThat(following.line(r, true, "hidden")).endsWith("(SRE waiting, Release Engineering waiting)");
    }

    @Test
    void a_list_follows_who_sees_what_the_words_asked_for_and_the_policy_and_is_written_once_for_the_same_ask() {
        var rules = new java.util.concurrent.atomic.AtomicReference<>(new Workflow(TestPolicies.standard()));
        var following = new Cards(rules::get);
        var secret = aRequest().forReason("security").withSummary("auth bypass in login").build();
        var open = aRequest().withSummary("payments down").approvedBy(TestPolicies.SRE1, "sre").build();
        var list = java.util.List.of(secret, open);
        java.util.function.Predicate<org.countersign.domain.EmergencyRequest> inTheRoom = r -> r != secret;

        var all = following.list("Open:\n", list, r -> true, "hidden");
        assertThat(all).isEqualTo("Open:\n" + following.line(secret, true, "hidden") + "\n"
                + following.line(open, true, "hidden")).contains("auth bypass in login");
        assertThat(following.list("Open:\n", list, r -> true, "hidden")).isSameAs(all);
        var room = following.list("Open:\n", list, inTheRoom, "hidden");
        assertThat(room).doesNotContain("auth bypass").contains(" · Confidential · pending — hidden (")
                .contains("payments down");
        // Asked again the other way round, each answer is still its own: what one audience saw never reaches another.
        assertThat(following.list("Open:\n", list, r -> true, "hidden")).isEqualTo(all);
        assertThat(following.list("Open:\n", list, inTheRoom, "hidden")).isEqualTo(room);
        assertThat(following.list("Open:\n", list, inTheRoom, "in the security room")).doesNotContain("auth bypass")
                .contains("in the security room");
        assertThat(following.list("Waiting:\n", list, r -> true, "hidden")).startsWith("Waiting:\n");
        rules.set(new Workflow(TestPolicies.withQuorum(2)));
        assertThat(following.list("Open:\n", list, r -> true, "hidden"))
                .endsWith("payments down (SRE waiting, Release Engineering waiting)");
    }

    @Test
    void a_list_longer_than_its_kept_form_holds_is_written_every_time_and_still_hides_what_it_must() {
        var many = new java.util.ArrayList<org.countersign.domain.EmergencyRequest>();
        for (int i = 0; i < 70; i++) many.add(aRequest().withSummary("summary " + i).build());
        var last = many.get(69);

        var text = cards.list("", many, r -> r != last, "hidden");

        assertThat(text.lines()).hasSize(70);
        assertThat(text).contains("summary 68 (").doesNotContain("summary 69").endsWith("pending — hidden ("
                + "SRE waiting, Release Engineering waiting)");
        assertThat(cards.list("", many, r -> true, "hidden")).endsWith("summary 69 (SRE waiting, Release Engineering waiting)");
    }

    @Test
    void a_cancelled_or_expired_request_no_longer_says_a_team_is_waiting() {
        var cancelled = cards.of(aRequest().approvedBy(TestPolicies.SRE1, "sre").cancelled().build());
        var expired = cards.of(aRequest().expired().build());

        assertThat(cancelled.teams()).extracting(TeamLine::standing).containsExactly("approved", "not approved (0 of 1)");
        assertThat(cancelled.teams().get(1).status()).isEqualTo(TeamStatus.NOT_APPROVED);
        assertThat(expired.teams()).extracting(TeamLine::standing).allSatisfy(s -> assertThat(s).doesNotContain("waiting"));
    }

    @Test
    void a_rejected_request_says_rejected_for_the_teams_that_had_not_approved() {
        var rejected = cards.of(aRequest().rejectedBy(TestPolicies.SRE1, "roll back instead").build());

        assertThat(rejected.teams()).extracting(TeamLine::standing).containsOnly("rejected");
    }

    @Test
    void the_status_of_a_pending_request_names_the_teams_still_needed_as_a_sentence() {
        assertThat(cards.of(aRequest().build()).status()).isEqualTo("Waiting for SRE and Release Engineering");
        assertThat(cards.of(aRequest().forReason("security").build()).status())
                .isEqualTo("Waiting for SRE, Release Engineering and Security");
    }
}
