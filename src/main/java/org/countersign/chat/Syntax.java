package org.countersign.chat;

import java.util.Optional;
import java.util.function.Function;
import org.countersign.domain.Actor;

/**
 * How a platform spells a command: {@code !approve EMG-12} where the bot reads the room (Matrix, IRC), or
 * {@code /emergency approve EMG-12} behind a slash command (Slack, the console), where {@code /emergency} alone, or
 * with a reason and summary, opens the request form instead.
 *
 * @param prefix         what comes before a command word: {@code !} or {@code /emergency }
 * @param opensByForm    true when a request is opened through a form, not typed in full
 * @param accountKind    what an account is called here ({@code a Matrix user id}), for {@code --deployer}
 * @param accountExample an account as people write it ({@code @alice:example.org})
 * @param account        reads an account; empty when the text is not one
 */
public record Syntax(String prefix, boolean opensByForm, String accountKind, String accountExample,
                     Function<String, Optional<Actor>> account) {

    /** Commands typed in a room, {@code !verb …}, requests opened in full on one line. */
    public static Syntax bang(String accountKind, String accountExample, Function<String, Optional<Actor>> account) {
        return new Syntax("!", false, accountKind, accountExample, account);
    }

    /** Commands behind {@code /emergency}; requests opened through the form. */
    public static Syntax slash() {
        return new Syntax("/emergency ", true, "an account", "", text -> Optional.empty());
    }

    /** The usage line of {@code command} ({@code approve}, …) as people type it here. */
    public String usage(String command) { return VerbParser.usage(this, command); }

    /** A command as typed here: {@code !approve EMG-12 sre}. */
    public String typed(String commandLine) { return prefix + commandLine; }
}
