package org.countersign.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.countersign.matrix.MatrixRequests.HOSTILE;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.countersign.chat.Card;
import org.countersign.domain.Actor;
import org.countersign.domain.DeployResult;
import org.countersign.domain.DraftBuilder;
import org.countersign.domain.State;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Cards of real requests, rendered as m.notice content: what people read, and what the HTML may contain. */
class MatrixCardTest {
    /** The tags this renderer uses; every one is in the spec's suggested set. */
    private static final Set<String> TAGS = Set.of("h4", "p", "b", "ul", "li", "a", "code", "br");
    private static final Pattern TAG = Pattern.compile("<(/?)([^\\s>/]*)([^>]*)>");
    private static final int EVENT_MAX_BYTES = 65_536;

    private final MatrixCard renderer = new MatrixCard();

    static Stream<MatrixRequests> everyState() {
        return Stream.of(
                pending(),
                pending().approve(TestPolicies.SRE1_MATRIX, "sre"),
                pending().approved(),
                pending().approved().deploying(),
                pending().approved().deploying().deployEnded(DeployResult.SUCCEEDED, "all green"),
                pending().approved().deploying().deployEnded(DeployResult.FAILED, null),
                pending().approved().deploying().deployEnded(DeployResult.ROLLED_BACK, null).closed("fix in T2"),
                pending().reject(TestPolicies.REL1_MATRIX, "revert instead"),
                pending().cancel(),
                pending().expired(),
                MatrixRequests.opened(TestPolicies.draft("security")));
    }

    @ParameterizedTest
    @MethodSource("everyState")
    void every_state_renders_only_the_specs_tags_each_closed_with_links_only_to_http(MatrixRequests request) {
        var content = renderer.content(request.card());

        assertSafeHtml(content.path("formatted_body").asText());
        assertThat(content.path("msgtype").asText()).isEqualTo("m.notice");
        assertThat(content.path("format").asText()).isEqualTo("org.matrix.custom.html");
        assertThat(content.path("body").asText()).startsWith("EMG-12 · ").doesNotContain("<b>", "<br>");
    }

    @Test
    void a_pending_card_shows_the_title_status_fields_expiry_in_utc_and_each_team_waiting() {
        var request = MatrixRequests.opened(DraftBuilder.aDraft().withDeployer(TestPolicies.SRE1_MATRIX).build());

        var rendered = renderer.render(request.card());

        assertThat(rendered.body()).isEqualTo("""
                EMG-12 · Availability
                Waiting for SRE and Release Engineering

                Summary: Revert the cache change that took the API down
                Requester: slack:U0DEV1
                Deployer: @sre1:example.org
                Changes:
                - https://gerrit.example.org/r/c/operations/+/123456
                Task: T12345
                Rollback: Yes, this is a rollback or revert
                Expires: 2026-11-26 14:58 UTC

                ⏳ SRE — waiting (0 of 1)
                ⏳ Release Engineering — waiting (0 of 1)

                React ✅ to approve, or: !approve EMG-12 sre · !approve EMG-12 releng · !reject EMG-12 <reason> · !edit EMG-12 --change <ref>""");
        assertThat(rendered.html()).startsWith("<h4>EMG-12 · Availability</h4><p><b>Waiting for SRE and Release Engineering</b></p>")
                .contains("<li><b>Summary</b>: Revert the cache change that took the API down</li>",
                        "<li><b>Requester</b>: slack:U0DEV1</li>",
                        "<li><b>Deployer</b>: <a href=\"https://matrix.to/#/@sre1:example.org\">@sre1:example.org</a></li>",
                        "<li><b>Changes</b>: <ul><li><a href=\"https://gerrit.example.org/r/c/operations/+/123456\">"
                                + "gerrit.example.org/r/c/operations/+/123456</a></li></ul></li>",
                        "<li><b>Expires</b>: 2026-11-26 14:58 UTC</li>",
                        "<p>⏳ <b>SRE</b> — waiting (0 of 1)<br>⏳ <b>Release Engineering</b> — waiting (0 of 1)</p>")
                .endsWith("<p>React ✅ to approve, or: <code>!approve EMG-12 sre</code> · <code>!approve EMG-12 releng</code>"
                        + " · <code>!reject EMG-12 &lt;reason&gt;</code> · <code>!edit EMG-12 --change &lt;ref&gt;</code></p>");
    }

    @Test
    void a_team_that_signed_shows_who_and_when_with_matrix_people_as_pills_and_slack_people_as_text() {
        var request = pending().approve(TestPolicies.SRE1_MATRIX, "sre").approve(TestPolicies.REL1, "releng");

        var rendered = renderer.render(request.card());

        assertThat(rendered.body()).contains("✅ SRE — approved by @sre1:example.org at 13:59 UTC\n"
                + "✅ Release Engineering — approved by slack:U0REL1 at 14:00 UTC");
        assertThat(rendered.html()).contains("✅ <b>SRE</b> — approved by "
                + "<a href=\"https://matrix.to/#/@sre1:example.org\">@sre1:example.org</a> at 13:59 UTC<br>"
                + "✅ <b>Release Engineering</b> — approved by slack:U0REL1 at 14:00 UTC");
    }

    @Test
    void a_partly_signed_team_shows_its_count_and_who_signed() {
        var request = MatrixRequests.opened(TestPolicies.withQuorum(2), TestPolicies.draft("availability"))
                .approve(TestPolicies.SRE1_MATRIX, "sre");

        assertThat(renderer.render(request.card()).body())
                .contains("⏳ SRE — waiting (1 of 2): approved by @sre1:example.org at 13:59 UTC");
    }

    @Test
    void each_state_offers_the_commands_that_apply_now() {
        assertThat(commandLine(pending().approve(TestPolicies.SRE1_MATRIX, "sre")))
                .isEqualTo("React ✅ to approve, or: !approve EMG-12 releng · !reject EMG-12 <reason> · !withdraw EMG-12"
                        + " · !edit EMG-12 --change <ref>");
        assertThat(commandLine(pending().approved()))
                .isEqualTo("Commands: !deploy EMG-12 started · !deploy EMG-12 succeeded · !reject EMG-12 <reason>"
                        + " · !edit EMG-12 --change <ref>");
        assertThat(commandLine(pending().approved().deploying()))
                .isEqualTo("Commands: !deploy EMG-12 succeeded · !deploy EMG-12 rolled-back · !deploy EMG-12 failed");
        assertThat(commandLine(pending().approved().deploying().deployEnded(DeployResult.FAILED, null)))
                .isEqualTo("Commands: !close EMG-12 <note>");
    }

    @Test
    void a_finished_request_offers_no_commands() {
        var finished = List.of(
                pending().approved().deploying().deployEnded(DeployResult.SUCCEEDED, null).closed("done"),
                pending().reject(TestPolicies.SRE1_MATRIX, "revert instead"), pending().cancel(), pending().expired());

        for (var request : finished) {
            var rendered = renderer.render(request.card());
            assertThat(rendered.body()).doesNotContain("!approve", "!reject", "!deploy", "!close", "Commands:");
            assertThat(rendered.html()).doesNotContain("<code>");
        }
    }

    @Test
    void a_rejected_card_says_who_rejected_and_why_and_marks_the_unsigned_teams() {
        var request = pending().approve(TestPolicies.SRE1_MATRIX, "sre").reject(TestPolicies.REL1_MATRIX, "revert instead");

        var rendered = renderer.render(request.card());

        assertThat(rendered.body()).contains("EMG-12 · Availability\nRejected\n", "Rejected by: @rel1:example.org",
                "Rejected because: revert instead", "✅ SRE — approved by @sre1:example.org",
                "❌ Release Engineering — rejected");
        assertThat(rendered.html()).contains("<li><b>Rejected by</b>: "
                + "<a href=\"https://matrix.to/#/@rel1:example.org\">@rel1:example.org</a></li>");
    }

    @Test
    void a_closed_card_shows_the_deploy_note_and_the_follow_up() {
        var request = pending().approved().deploying().deployEnded(DeployResult.ROLLED_BACK, "error rate rose")
                .closed("proper fix in T2");

        assertThat(renderer.render(request.card()).body()).contains("EMG-12 · Availability\nClosed\n",
                "Deploy note: error rate rose", "Follow-up: proper fix in T2").doesNotContain("Expires");
    }

    @Test
    void a_confidential_card_says_so_below_its_status() {
        var rendered = renderer.render(MatrixRequests.opened(TestPolicies.draft("security")).card());

        assertThat(rendered.body()).startsWith("EMG-12 · Security issue\nWaiting for SRE, Release Engineering and Security\n"
                + "🔒 Confidential");
        assertThat(rendered.html()).contains("<p>🔒 Confidential: this card is posted only in this private room.");
    }

    @Test
    void a_value_of_several_lines_keeps_its_lines_in_both_bodies() {
        var request = MatrixRequests.opened(DraftBuilder.aDraft().withDetails("first line\r\nsecond line").build());

        var rendered = renderer.render(request.card());

        assertThat(rendered.body()).contains("Details:\nfirst line\nsecond line\n");
        assertThat(rendered.html()).contains("<li><b>Details</b>: <br>first line<br>second line</li>");
    }

    @Test
    void user_text_can_neither_become_markup_nor_a_link_nor_notify_the_room() {
        var hostile = "<script>alert(1)</script> <a href=\"javascript:alert(1)\">click</a> @room @ROOM & 'it's' <b>";
        var request = MatrixRequests.opened(DraftBuilder.aDraft().withSummary(hostile).withDetails(hostile)
                .withTask(hostile).notARollbackBecause(hostile).build())
                .reject(TestPolicies.SRE1_MATRIX, hostile);

        var content = renderer.content(request.card());

        var html = content.path("formatted_body").asText();
        assertSafeHtml(html);
        assertThat(html).doesNotContain("<script", "<a href=\"javascript", "<b>&", "@room", "@ROOM")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; &lt;a href=&quot;javascript:alert(1)&quot;&gt;click"
                        + "&lt;/a&gt; @\u2060room @\u2060ROOM &amp; &#39;it&#39;s&#39; &lt;b&gt;");
        var body = content.path("body").asText();
        assertThat(body).doesNotContain("@room", "@ROOM").contains("Summary: <script>alert(1)</script> "
                + "<a href=\"javascript:alert(1)\">click</a> @\u2060room @\u2060ROOM & 'it's' <b>");
        assertThat(content.path("m.mentions").isObject()).isTrue();
        assertThat(content.path("m.mentions").isEmpty()).isTrue();
    }

    @Test
    void only_http_and_https_changes_become_links_and_their_href_is_escaped() {
        var card = cardWith(new Card.Field("Changes", new Card.Links(List.of("javascript:alert(1)",
                "ftp://files.example.org/x", "https://git.example.org/c?a=1&b='2'", "HTTP://OLD.EXAMPLE.ORG/1",
                "data:text/html,<script>alert(1)</script>", "12345"))));

        var rendered = renderer.render(card);

        assertSafeHtml(rendered.html());
        assertThat(rendered.html()).contains("<li>javascript:alert(1)</li>", "<li>ftp://files.example.org/x</li>",
                "<li><a href=\"https://git.example.org/c?a=1&amp;b=&#39;2&#39;\">git.example.org/c?a=1&amp;b=&#39;2&#39;</a></li>",
                "<li><a href=\"HTTP://OLD.EXAMPLE.ORG/1\">OLD.EXAMPLE.ORG/1</a></li>",
                "<li>data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;</li>", "<li>12345</li>");
        assertThat(rendered.body()).contains("Changes:\n- javascript:alert(1)\n- ftp://files.example.org/x\n"
                + "- https://git.example.org/c?a=1&b='2'\n");
    }

    @Test
    void a_long_link_keeps_its_whole_href_but_a_short_label() {
        var url = "https://gerrit.example.org/r/c/operations/puppet/+/123456/7/modules/profile/manifests/cache.pp";
        var rendered = renderer.render(cardWith(new Card.Field("Changes", new Card.Links(List.of(url)))));

        assertThat(rendered.html()).contains("<a href=\"" + url + "\">gerrit.example.org/r/c/operations/puppet/+/123456/7/modules…</a>");
        assertThat(rendered.body()).contains("- " + url);
    }

    @Test
    void only_well_formed_matrix_ids_become_pills() {
        var card = cardWith(new Card.Field("Requester", new Card.Person(Actor.matrix("@evil:example.org\"><b>x"))),
                new Card.Field("Deployer", new Card.Person(Actor.matrix("@room:example.org"))));

        var rendered = renderer.render(card);

        assertSafeHtml(rendered.html());
        assertThat(rendered.html()).contains("<li><b>Requester</b>: @evil:example.org&quot;&gt;&lt;b&gt;x</li>")
                .contains("<a href=\"https://matrix.to/#/@room:example.org\">@room:example.org</a>");
        assertThat(rendered.body()).contains("Deployer: @\u2060room:example.org").doesNotContain("@room");
    }

    @Test
    void control_characters_are_shown_as_replacement_characters() {
        var card = cardWith(new Card.Field("Summary", new Card.Text("bell\u0007 escape\u001b[31m nul\u0000 tab\tok")));

        var rendered = renderer.render(card);

        assertThat(rendered.body()).contains("Summary: bell\uFFFD escape\uFFFD[31m nul\uFFFD tab\tok");
    }

    @Test
    void a_long_value_is_cut_visibly_and_the_same_in_both_bodies() {
        var card = cardWith(new Card.Field("Details", new Card.Text("x".repeat(5000))));

        var rendered = renderer.render(card);

        var shown = "x".repeat(3000 - "… (truncated; 2035 more characters)".length()) + "… (truncated; 2035 more characters)";
        assertThat(rendered.body().contains("Details: " + shown + "\n")).as("the body shows the cut value").isTrue();
        assertThat(rendered.html().contains("<li><b>Details</b>: " + shown + "</li>")).as("the HTML shows it too").isTrue();
    }

    static Stream<MatrixRequests> worstCases() {
        var longNote = MatrixRequests.hostile(Workflow.NOTE_MAX);
        return Stream.of(
                MatrixRequests.opened(MatrixRequests.worstCaseDraft()).approve(TestPolicies.SRE1_MATRIX, "sre"),
                MatrixRequests.opened(MatrixRequests.worstCaseDraft()).approve(TestPolicies.SRE1_MATRIX, "sre")
                        .reject(TestPolicies.REL1, MatrixRequests.hostile(Workflow.REJECT_REASON_MAX)),
                MatrixRequests.opened(MatrixRequests.worstCaseDraft()).approved().deploying()
                        .deployEnded(DeployResult.FAILED, longNote).closed(longNote));
    }

    @ParameterizedTest
    @MethodSource("worstCases")
    void the_longest_request_fits_and_its_edit_stays_well_under_the_event_size_limit(MatrixRequests worst) {
        var card = worst.card();

        var content = renderer.content(card);
        var edit = renderer.edit(card, "$original:example.org");

        assertThat(MatrixCard.size(content)).isLessThanOrEqualTo(MatrixCard.CONTENT_MAX_BYTES);
        assertThat(MatrixCard.size(edit)).isLessThan(EVENT_MAX_BYTES - 12_000);
        assertSafeHtml(content.path("formatted_body").asText());
        assertThat(content.path("body").asText()).contains("… (truncated; ").contains("EMG-12 · Security issue")
                .contains("Summary: <&>\"'");
        for (var field : card.fields())
            assertThat(content.path("body").asText()).contains(field.label() + ":");
    }

    @Test
    void an_ordinary_long_request_is_shown_whole() {
        var changes = java.util.stream.IntStream.range(0, 10)
                .mapToObj(i -> "https://gerrit.example.org/r/c/operations/puppet/+/12345" + i).toList();
        var request = MatrixRequests.opened(DraftBuilder.aDraft().withDetails("The cache change. ".repeat(160))
                .withChanges(changes).build()).approved().deploying()
                .deployEnded(DeployResult.SUCCEEDED, "Deployed. ".repeat(150)).closed("Follow up. ".repeat(150));

        var rendered = renderer.render(request.card());

        assertThat(rendered.body()).doesNotContain("truncated");
        for (var change : changes) assertThat(rendered.html()).contains("<a href=\"" + change + "\">");
    }

    @Test
    void a_reason_needing_thirty_teams_with_long_labels_still_fits() {
        var request = MatrixRequests.opened(MatrixRequests.manyTeams(30),
                DraftBuilder.aDraft().withDetails(MatrixRequests.hostile(3000)).build());

        var content = renderer.content(request.card());

        assertThat(MatrixCard.size(content)).isLessThanOrEqualTo(MatrixCard.CONTENT_MAX_BYTES);
        assertSafeHtml(content.path("formatted_body").asText());
        assertThat(content.path("body").asText()).contains("!approve EMG-12 team0", "!approve EMG-12 team29");
    }

    @Test
    void an_edit_replaces_the_card_with_the_new_content_and_a_starred_fallback() throws Exception {
        var card = pending().approve(TestPolicies.SRE1_MATRIX, "sre").card();
        var content = renderer.content(card);

        var edit = renderer.edit(card, "$card-event-id");

        assertThat(edit.path("msgtype").asText()).isEqualTo("m.notice");
        assertThat(edit.path("body").asText()).isEqualTo("* " + content.path("body").asText());
        assertThat(edit.path("format").asText()).isEqualTo("org.matrix.custom.html");
        assertThat(edit.path("formatted_body").asText()).isEqualTo("* " + content.path("formatted_body").asText());
        assertThat(edit.path("m.new_content")).isEqualTo(content);
        assertThat(edit.path("m.relates_to")).isEqualTo(new ObjectMapper().readTree(
                "{\"rel_type\": \"m.replace\", \"event_id\": \"$card-event-id\"}"));
        assertThat(edit.path("m.mentions").isEmpty()).isTrue();
        assertThat(edit.path("m.new_content").has("m.relates_to")).isFalse();
    }

    @Test
    void an_edit_needs_the_id_of_the_event_it_replaces() {
        var card = pending().card();

        for (var bad : new String[] {null, "", "$", "card-event-id"})
            assertThatThrownBy(() -> renderer.edit(card, bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not an event id");
    }

    @Test
    void the_content_has_exactly_the_keys_of_an_m_notice() {
        ObjectNode content = renderer.content(pending().card());

        assertThat(content.fieldNames()).toIterable()
                .containsExactly("msgtype", "body", "format", "formatted_body", "m.mentions");
    }

    private static MatrixRequests pending() {
        return MatrixRequests.opened(TestPolicies.draft("availability"));
    }

    private String commandLine(MatrixRequests request) {
        var body = renderer.render(request.card()).body();
        return body.substring(body.lastIndexOf('\n') + 1);
    }

    private static Card cardWith(Card.Field... fields) {
        return new Card("EMG-12", "EMG-12 · Availability", State.PENDING, "Waiting for SRE", false, List.of(fields),
                List.of(new Card.TeamLine("sre", "SRE", Card.TeamStatus.WAITING, List.of(), 1)),
                List.of(new Card.Button(Card.Action.REJECT, null, "Reject", Card.Style.DANGER)));
    }

    /**
     * Every tag is one this renderer means to use and is closed in order; only {@code a} has an attribute, an
     * http(s) {@code href}; outside tags there is no {@code <} or {@code >} and every {@code &} starts an entity.
     */
    static void assertSafeHtml(String html) {
        var open = new ArrayDeque<String>();
        var m = TAG.matcher(html);
        while (m.find()) {
            var closing = !m.group(1).isEmpty();
            var tag = m.group(2);
            var attributes = m.group(3);
            assertThat(TAGS).as("tag in %s", html).contains(tag);
            if (tag.equals("a") && !closing) assertThat(attributes).matches(" href=\"(?i:https?)://[^\"<>\\s]+\"");
            else assertThat(attributes).as("attributes of <%s>", tag).isEmpty();
            if (tag.equals("br")) continue;
            if (closing) assertThat(open.pop()).as("closing </%s>", tag).isEqualTo(tag);
            else open.push(tag);
        }
        assertThat(open).as("unclosed tags").isEmpty();
        var text = TAG.matcher(html).replaceAll("");
        assertThat(text).doesNotContain("<", ">");
        assertThat(text.replaceAll("&(amp|lt|gt|quot|#39);", "")).doesNotContain("&");
    }
}
