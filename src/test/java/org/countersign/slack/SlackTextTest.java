package org.countersign.slack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.countersign.domain.Actor;
import org.junit.jupiter.api.Test;

class SlackTextTest {

    @Test
    void escaping_turns_slacks_control_characters_into_entities() {
        assertThat(SlackText.escape("<!channel> & <@U123> <https://evil.example|click>"))
                .isEqualTo("&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil.example|click&gt;");
    }

    @Test
    void text_with_nothing_to_escape_is_kept_and_text_escaped_from_its_first_control_character_on() {
        var plain = "EMG-7 · Availability · pending — payments 🚒 down";
        assertThat(SlackText.escape(plain)).isSameAs(plain);
        assertThat(SlackText.escape("EMG-7 — a<b 🚒 & c>")).isEqualTo("EMG-7 — a&lt;b 🚒 &amp; c&gt;");
        assertThat(SlackText.escape("&")).isEqualTo("&amp;");
        assertThat(SlackText.escape("")).isEmpty();
    }

    @Test
    void escaping_null_gives_empty_text() {
        assertThat(SlackText.escape(null)).isEmpty();
    }

    @Test
    void escaping_within_a_limit_cuts_between_entities_and_counts_what_was_left_out() {
        var text = "<&>".repeat(1000);
        var escaped = SlackText.escape(text, 3000);
        assertThat(escaped).hasSizeLessThanOrEqualTo(3000).matches("(&lt;&amp;&gt;)*(&lt;(&amp;)?)?… \\(truncated; \\d+ more characters\\)");
        int kept = escaped.substring(0, escaped.indexOf('…')).replace("&lt;", "<").replace("&amp;", "&")
                .replace("&gt;", ">").length();
        assertThat(escaped).endsWith("(truncated; " + (3000 - kept) + " more characters)");
    }

    @Test
    void escaping_shortened_never_cuts_an_entity_in_half() {
        assertThat(SlackText.escapeShortened("a&b&c", 7)).isEqualTo("a&amp;…");
        assertThat(SlackText.escapeShortened("a<b", 10)).isEqualTo("a&lt;b");
    }

    @Test
    void truncation_leaves_text_that_fits_alone() {
        assertThat(SlackText.truncate("Approve as SRE", 75)).isEqualTo("Approve as SRE");
    }

    @Test
    void truncation_is_visible_and_fits_the_limit() {
        var cut = SlackText.truncate("x".repeat(500), 100);
        assertThat(cut).hasSize(100).startsWith("xxx").endsWith("… (truncated; " + (500 - cut.indexOf('…')) + " more characters)");
    }

    @Test
    void truncation_never_splits_a_surrogate_pair() {
        var emoji = "😀".repeat(100);
        for (int max = 40; max < 60; max++) {
            var cut = SlackText.truncate(emoji, max);
            assertThat(cut.length()).isLessThanOrEqualTo(max);
            var kept = cut.substring(0, cut.indexOf('…'));
            assertThat(kept.codePoints().allMatch(cp -> cp == "😀".codePointAt(0))).as(kept).isTrue();
        }
    }

    @Test
    void escaping_within_a_limit_never_splits_a_surrogate_pair() {
        var cut = SlackText.escape("a" + "😀".repeat(100), 41);
        var kept = cut.substring(0, cut.indexOf('…'));
        assertThat(kept.chars().filter(c -> Character.isHighSurrogate((char) c)).count())
                .isEqualTo(kept.chars().filter(c -> Character.isLowSurrogate((char) c)).count());
    }

    @Test
    void shortening_a_label_ends_it_in_an_ellipsis_within_the_limit() {
        assertThat(SlackText.shorten("Approve as Release Engineering", 75)).isEqualTo("Approve as Release Engineering");
        assertThat(SlackText.shorten("x".repeat(100), 75)).hasSize(75).endsWith("x…");
        assertThat(SlackText.shorten("a" + "😀".repeat(10), 4)).isEqualTo("a😀…");
    }

    @Test
    void a_slack_actor_is_mentioned_and_anyone_else_is_named_as_escaped_text() {
        assertThat(SlackText.mention(Actor.slack("U0SRE1"))).isEqualTo("<@U0SRE1>");
        assertThat(SlackText.mention(Actor.matrix("@sre1:example.org"))).isEqualTo("matrix:@sre1:example.org");
        assertThat(SlackText.mention(Actor.slack("<!channel>"))).isEqualTo("slack:&lt;!channel&gt;");
    }

    @Test
    void a_url_becomes_a_link_with_a_short_escaped_label() {
        assertThat(SlackText.link("https://gerrit.example.org/r/c/operations/+/123456"))
                .isEqualTo("<https://gerrit.example.org/r/c/operations/+/123456|gerrit.example.org/r/c/operations/+/123456>");
        var long_ = "https://example.org/" + "a".repeat(300) + "?x=1&y=2";
        assertThat(SlackText.link(long_)).startsWith("<https://example.org/aaa").contains("&amp;y=2|example.org/aaa")
                .endsWith("…>").hasSizeLessThan(long_.length() + 80);
    }

    @Test
    void a_url_cannot_break_out_of_its_link() {
        assertThat(SlackText.link("https://evil.example/|click>here"))
                .isEqualTo("<https://evil.example/%7Cclick%3Ehere|evil.example/%7Cclick%3Ehere>");
    }

    @Test
    void what_slack_cannot_link_is_escaped_text() {
        assertThat(SlackText.link("12345")).isEqualTo("12345");
        assertThat(SlackText.link("org/repo#12")).isEqualTo("org/repo#12");
        assertThat(SlackText.link("javascript:alert(1)")).isEqualTo("javascript:alert(1)");
        assertThat(SlackText.link("https://exämple.org/<b>")).isEqualTo("https://exämple.org/&lt;b&gt;");
        assertThat(SlackText.link("ftp://files.example/x")).isEqualTo("ftp://files.example/x");
    }

    @Test
    void a_time_is_slacks_date_token_with_a_utc_fallback() {
        var at = Instant.parse("2026-11-26T14:02:33Z");
        assertThat(SlackText.time(at))
                .isEqualTo("<!date^" + at.getEpochSecond() + "^{date_short_pretty} {time}|2026-11-26 14:02 UTC>");
    }

    @Test
    void a_workflow_message_is_escaped_and_names_slack_accounts_as_mentions() {
        var text = SlackText.message("EMG-3 was rejected by slack:U0SRE2: <!channel> roll back & retry");

        assertThat(text).isEqualTo("EMG-3 was rejected by <@U0SRE2>: &lt;!channel&gt; roll back &amp; retry");
    }

    @Test
    void a_workflow_message_leaves_other_platforms_accounts_as_text() {
        assertThat(SlackText.message("approved by matrix:@sre1:example.org"))
                .isEqualTo("approved by matrix:@sre1:example.org");
    }

    @Test
    void mentions_are_what_the_pattern_replaces_everywhere_for_random_texts() {
        // Fragments that meet every edge of \bslack:([UW][A-Z0-9]{2,20})\b: word and non-word neighbours on both
        // sides (letters, digits, '_', 'é', a combining accent), ids too short or too long, and slack: inside slack:.
        var pieces = new String[] {"slack:", "slack:", "U", "W", "AB", "0SRE1", "Z9", "ABCDEFGHIJ", "_", "é", "\u0301",
                " ", ":", "x", "7", "<", "sslack:", "slack:slack:U12", "—", "\n"};
        var pattern = java.util.regex.Pattern.compile("\\bslack:([UW][A-Z0-9]{2,20})\\b");
        var random = new java.util.SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            var text = new StringBuilder();
            for (int n = random.nextInt(12); n > 0; n--) text.append(pieces[random.nextInt(pieces.length)]);
            var expected = pattern.matcher(text).replaceAll("<@$1>");
            assertThat(SlackText.mentions(text.toString())).as("%s", text).isEqualTo(expected);
        }
    }
}
