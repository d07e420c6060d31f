package org.countersign.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MatrixTextTest {

    @Test
    void a_cut_never_splits_an_emoji_and_counts_what_it_left_out() {
        var text = "😀".repeat(100);

        var cut = MatrixText.truncate(text, 50);

        assertThat(cut).hasSizeLessThanOrEqualTo(50).endsWith("… (truncated; 184 more characters)");
        assertThat(Character.isHighSurrogate(cut.charAt(cut.indexOf('…') - 1))).isFalse();
    }

    @Test
    void text_that_fits_is_left_as_it_is() {
        assertThat(MatrixText.truncate("short", 5)).isEqualTo("short");
        assertThat(MatrixText.shorten("short", 5)).isEqualTo("short");
    }

    @Test
    void every_kind_of_line_break_becomes_a_newline_and_a_br() {
        var clean = MatrixText.clean("a\r\nb\rc\nd");

        assertThat(clean).isEqualTo("a\nb\nc\nd");
        assertThat(MatrixText.html(clean)).isEqualTo("a<br>b<br>c<br>d");
    }

    @Test
    void the_five_markup_characters_are_escaped() {
        assertThat(MatrixText.escape("<a href='x' title=\"y\">&amp;</a>"))
                .isEqualTo("&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;amp;&lt;/a&gt;");
    }

    @Test
    void matrix_ids_by_the_current_grammar_are_user_ids_and_nothing_else_is() {
        assertThat(MatrixText.isUserId("@sre1:example.org")).isTrue();
        assertThat(MatrixText.isUserId("@a.b_c=d-e/f+g:matrix.example.org:8448")).isTrue();
        assertThat(MatrixText.isUserId("@x:[::1]")).isTrue();
        assertThat(MatrixText.isUserId("@Upper:example.org")).isFalse();
        assertThat(MatrixText.isUserId("sre1:example.org")).isFalse();
        assertThat(MatrixText.isUserId("@sre1")).isFalse();
        assertThat(MatrixText.isUserId("@a:example.org/#/evil")).isFalse();
    }
}
