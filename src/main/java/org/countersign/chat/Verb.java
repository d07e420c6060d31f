package org.countersign.chat;

import java.util.List;
import java.util.Optional;
import org.countersign.app.OpenOnce;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Draft;
import org.countersign.domain.RequestId;

/**
 * What someone asks of Countersign in a chat, whatever the platform, read for its syntax only: whether the request,
 * the team or the draft make sense is the Workflow's business. {@link Conversation} answers each one.
 */
public sealed interface Verb {

    /** Open a request from a draft (typed in full, or a submitted form). */
    record Open(Draft draft, OpenOnce once) implements Verb {
        public Open {
            java.util.Objects.requireNonNull(once, "once");
        }

        public Open(Draft draft) { this(draft, OpenOnce.NONE); }
    }

    /** Approve; a null team means "the one team still needed that I am in". */
    record Approve(RequestId id, String team) implements Verb {}

    /** Take back one's own approval; a null team means "whichever team I approved for". */
    record Withdraw(RequestId id, String team) implements Verb {}

    /**
     * Replace the changes; null {@code changes} asks for the form with the current ones (where requests are edited
     * through a form), which opens only for someone who may edit them.
     */
    record Edit(RequestId id, List<String> changes) implements Verb {
        public Edit { changes = changes == null ? null : List.copyOf(changes); }
    }

    /** Reject; a null reason is answered with how to give one. */
    record Reject(RequestId id, String reason) implements Verb {}

    /** Cancel the request; the note is null when none was given. */
    record Cancel(RequestId id, String note) implements Verb {}

    /** The deploy started; the note is null when none was given. */
    record DeployStarted(RequestId id, String note) implements Verb {}

    /** The deploy ended; the note is null when none was given. */
    record DeployEnded(RequestId id, DeployResult result, String note) implements Verb {}

    record Close(RequestId id, String note) implements Verb {}

    /** Let a pending request proceed without its quorum; a null reason is answered with how to give one. */
    record BreakGlass(RequestId id, String reason) implements Verb {}

    /** Review a request whose deploy ended, with a follow-up task or URL. */
    record Review(RequestId id, String followUp) implements Verb {}

    /** The requests awaiting their review, the overdue ones first. */
    record Reviews() implements Verb {}

    /** Where one request stands or, when {@code id} is empty, those still open. */
    record Status(Optional<RequestId> id) implements Verb {}

    record ListOpen() implements Verb {}

    /** Where the deployment windows and freezes stand: today's windows and the next ones. */
    record Windows() implements Verb {}

    record Help() implements Verb {}

    /** A known command typed wrongly: what is wrong, and the usage line to answer with. */
    record Usage(String command, String problem, String usage) implements Verb {}

    /** The request a verb acts on, when it acts on one. */
    static Optional<RequestId> target(Verb verb) {
        if (verb instanceof Approve v) return Optional.of(v.id());
        if (verb instanceof Withdraw v) return Optional.of(v.id());
        if (verb instanceof Edit v) return Optional.of(v.id());
        if (verb instanceof Reject v) return Optional.of(v.id());
        if (verb instanceof Cancel v) return Optional.of(v.id());
        if (verb instanceof DeployStarted v) return Optional.of(v.id());
        if (verb instanceof DeployEnded v) return Optional.of(v.id());
        if (verb instanceof Close v) return Optional.of(v.id());
        if (verb instanceof BreakGlass v) return Optional.of(v.id());
        if (verb instanceof Review v) return Optional.of(v.id());
        return Optional.empty();
    }

    /** What the person typed about the request (a reason, a note, changes), or null: the text a public room must not get. */
    static String freeText(Verb verb) {
        if (verb instanceof Reject v) return v.reason();
        if (verb instanceof Edit v) return v.changes() == null ? null : String.join("\n", v.changes());
        if (verb instanceof Cancel v) return v.note();
        if (verb instanceof DeployStarted v) return v.note();
        if (verb instanceof DeployEnded v) return v.note();
        if (verb instanceof Close v) return v.note();
        if (verb instanceof BreakGlass v) return v.reason();
        if (verb instanceof Review v) return v.followUp();
        return null;
    }
}
