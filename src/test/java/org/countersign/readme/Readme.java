package org.countersign.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The README as the tests read it: its sections, their {@code sh} blocks and their inline code, never copied. */
final class Readme {
    private static final Pattern INLINE = Pattern.compile("`([^`\\n]+)`");

    private final String text;

    private Readme(String text) { this.text = text; }

    static Readme read() throws IOException { return new Readme(Files.readString(Path.of("README.md"))); }

    /** The text under {@code ## title}, up to the next heading of that level. */
    String section(String title) {
        int start = text.indexOf("\n## " + title + "\n");
        assertThat(start).as("README has a section \"## %s\"", title).isNotNegative();
        int end = text.indexOf("\n## ", start + 4);
        return text.substring(start, end < 0 ? text.length() : end);
    }

    /** The numbered step {@code n.} of a section (its first line up to the next step). */
    static String step(String section, int n) {
        var m = Pattern.compile("(?m)^" + n + "\\. ").matcher(section);
        assertThat(m.find()).as("step %d", n).isTrue();
        var next = Pattern.compile("(?m)^(" + (n + 1) + "\\. |\\S)").matcher(section);
        int end = next.find(m.end()) ? next.start() : section.length();
        return section.substring(m.start(), end);
    }

    /** The {@code ```sh} blocks of a piece of the README, each as its lines (indentation taken off). */
    static List<List<String>> shBlocks(String piece) {
        var blocks = new ArrayList<List<String>>();
        var m = Pattern.compile("(?s)```sh\\n(.*?)\\n\\s*```").matcher(piece);
        while (m.find()) blocks.add(m.group(1).lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
        return blocks;
    }

    /** Every {@code `inline code`} span of a piece, in order. */
    static List<String> inlineCode(String piece) {
        var spans = new ArrayList<String>();
        var prose = piece.replaceAll("(?s)```.*?```", " ");
        var m = INLINE.matcher(prose.replace("\n   ", " ").replace("\n", " "));
        while (m.find()) spans.add(m.group(1));
        return spans;
    }

    /** A command line without its trailing {@code # comment}. */
    static String command(String line) {
        int hash = line.indexOf(" #");
        return (hash < 0 ? line : line.substring(0, hash)).strip();
    }
}
