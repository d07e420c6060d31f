package org.countersign.matrix;

import java.util.Optional;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Draft;
import org.countersign.domain.RequestId;

/**
 * A {@code !command} typed in a Matrix room, read for its syntax only: whether the request, the team or the
 * draft make sense is the Workflow's business. Arguments may be double-quoted ("like this", or with the
 * curly quotes phones type), and an option may start with the dash a phone makes of {@code --}.
 */
sealed interface MatrixCommand {

    /** {@code !emergency}: a request to open. */
    record Emergency(Draft draft) implements MatrixCommand {}

    /** {@code !approve}; a null team means "the one team still needed that I am in". */
    record Approve(RequestId id, String team) implements MatrixCommand {}

    record Reject(RequestId id, String reason) implements MatrixCommand {}

    /** {@code !cancel}; the note is null when none was given. */
    record Cancel(RequestId id, String note) implements MatrixCommand {}

    /** {@code !deploy … started}; the note is null when none was given. */
    record DeployStarted(RequestId id, String note) implements MatrixCommand {}

    /** {@code !deploy … succeeded|failed|rolled-back}; the note is null when none was given. */
    record DeployEnded(RequestId id, DeployResult result, String note) implements MatrixCommand {}

    record Close(RequestId id, String note) implements MatrixCommand {}

    /** {@code !status}, of one request or, when {@code id} is empty, of those still open. */
    record Status(Optional<RequestId> id) implements MatrixCommand {}

    record ListRequests() implements MatrixCommand {}

    record Help() implements MatrixCommand {}

    /** A known command typed wrongly: what is wrong, and the usage line to answer with. */
    record Usage(String command, String problem, String usage) implements MatrixCommand {}

    /**
     * The command in a message body, ignoring a rich-reply fallback ({@code > <@user> …} lines) before it;
     * empty when the body is not a known command, so ordinary chat and other bots' commands are left alone.
     */
    static Optional<MatrixCommand> parse(String body) {
        return CommandParser.parse(body);
    }

    /** Every command with its usage, for {@code !help} and for anyone who types a command wrongly. */
    static String help() {
        var out = new StringBuilder("Countersign: emergency deploys signed off by every team the reason needs.\n");
        CommandParser.USAGE.forEach((command, usage) -> out.append('\n').append(usage).append("\n    ")
                .append(CommandParser.WHAT.get(command)));
        out.append("\n\nReact ✅ on a card to approve it for your team; ❌ tells you how to reject.")
                .append("\nQuote arguments with spaces: --no-rollback \"the bad change also migrated the schema\".");
        return out.toString();
    }

    /** The usage line of {@code command} ({@code approve}, …), for replies. */
    static String usage(String command) {
        var usage = CommandParser.USAGE.get(command);
        if (usage == null) throw new IllegalArgumentException("unknown command: " + command);
        return usage;
    }
}
