package org.countersign.chat;

import java.util.List;
import java.util.Locale;

/** The words of a command as a shell would read them: quotes, escapes, options with the dashes phones type. */
final class CommandWords {
    static final List<String> DASHES = List.of("--", "—", "–");

    private CommandWords() {}

    static boolean isSpace(char c) { return Character.isWhitespace(c) || Character.isSpaceChar(c); }

    static boolean isQuote(char c) { return c == '"' || c == '“' || c == '”'; }

    /** One argument, quotes removed; an option when it starts, unquoted, with {@code --} or a phone's dash. */
    record Token(String text, boolean option) {
        /** The option's name in lower case, without dashes or an inline {@code =value}. */
        String name() {
            var name = text;
            for (var dash : DASHES) {
                if (name.startsWith(dash)) {
                    name = name.substring(dash.length());
                    break;
                }
            }
            int eq = name.indexOf('=');
            return (eq < 0 ? name : name.substring(0, eq)).toLowerCase(Locale.ROOT);
        }

        /** The value of {@code --option=value}, or null when there is no {@code =}. */
        String inlineValue() {
            int eq = text.indexOf('=');
            return option && eq >= 0 ? text.substring(eq + 1) : null;
        }
    }

    /** The arguments after the command word, read a token at a time or all the rest at once. */
    static final class Args {
        private final String text;
        private int at;

        Args(String text) { this.text = text; }

        Token peek() {
            int from = at;
            var token = read();
            at = from;
            return token;
        }

        Token next() { return read(); }

        /** Everything not read yet as typed, stripped; a single quoted string loses its quotes. */
        String rest() {
            var rest = text.substring(at).strip();
            at = text.length();
            if (rest.length() >= 2 && isQuote(rest.charAt(0)) && isQuote(rest.charAt(rest.length() - 1))) {
                try {
                    var only = new Args(rest);
                    var token = only.next();
                    if (token != null && only.next() == null) return token.text();
                } catch (Bad unbalanced) {
                    return rest;
                }
            }
            return rest;
        }

        /** Nothing may follow. */
        void end() {
            var extra = peek();
            if (extra != null) throw new Bad(VerbParser.echo(extra.text()) + " is one word too many");
        }

        // Shell-like: a token runs to unquoted space; quoted parts may hold spaces, and \" or \\ inside them.
        private Token read() {
            while (at < text.length() && isSpace(text.charAt(at))) at++;
            if (at >= text.length()) return null;
            boolean option = isOption(at);
            var out = new StringBuilder();
            boolean quoted = false;
            while (at < text.length()) {
                char c = text.charAt(at);
                if (!quoted && isSpace(c)) break;
                if (isQuote(c)) {
                    quoted = !quoted;
                    at++;
                } else if (quoted && c == '\\' && at + 1 < text.length()
                        && (isQuote(text.charAt(at + 1)) || text.charAt(at + 1) == '\\')) {
                    out.append(text.charAt(at + 1));
                    at += 2;
                } else {
                    out.append(c);
                    at++;
                }
            }
            if (quoted) throw new Bad("a quote is not closed; end the quoted words with \"");
            return new Token(out.toString(), option);
        }

        private boolean isOption(int from) {
            for (var dash : DASHES) {
                int after = from + dash.length();
                if (text.startsWith(dash, from) && after < text.length() && !isSpace(text.charAt(after))
                        && !isQuote(text.charAt(after)))
                    return true;
            }
            return false;
        }
    }

    /** A syntax error, answered with the command's usage line. */
    static final class Bad extends RuntimeException {
        Bad(String problem) { super(problem, null, false, false); }
    }
}
