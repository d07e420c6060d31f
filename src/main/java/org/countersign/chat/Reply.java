package org.countersign.chat;

import java.util.List;
import java.util.Optional;
import org.countersign.domain.Outcome.Refusal;
import org.countersign.domain.Problem;
import org.countersign.domain.RequestId;

/**
 * What Countersign answers someone, as plain text each platform renders (and escapes) its own way.
 *
 * @param request  the request it is about, or null
 * @param problems field by field, for forms (empty otherwise)
 * @param refusal  why nothing changed, when {@code kind} is {@link Kind#REFUSED}
 * @param takeDown the message the person typed should be removed where the bot may (it was about a confidential
 *                 request, in a room that must not read it)
 * @param form     for {@link Kind#FORM}, what the form opens with (the current changes, one a line); empty otherwise
 */
public record Reply(Kind kind, String text, RequestId request, List<Problem> problems, Refusal refusal,
                    boolean takeDown, List<String> form) {
    public enum Kind {
        /** An answer to a question (help, list, status, usage). */
        ANSWER,
        /** A request was opened: the person hears where its card is. */
        OPENED,
        /** The request changed; its card and thread say so to everyone. */
        DONE,
        /** Nothing to do, and that is fine (a repeated click). */
        UNCHANGED,
        /** Not allowed or not possible; nothing changed. */
        REFUSED,
        /** Held back by the per-person limit; {@link #say} is empty once the person was told in this window. */
        HELD,
        HELD_QUIETLY,
        /** The state store cannot be reached; nothing was recorded. */
        UNAVAILABLE,
        /** Open the form to edit {@link #request}'s changes, filled in with {@link #form}: the person may edit them. */
        FORM
    }

    public Reply {
        problems = List.copyOf(problems);
        form = List.copyOf(form);
    }

    static Reply of(Kind kind, String text) { return new Reply(kind, text, null, List.of(), null, false, List.of()); }

    static Reply about(Kind kind, RequestId id, String text) {
        return new Reply(kind, text, id, List.of(), null, false, List.of());
    }

    static Reply refused(Refusal refusal, RequestId id, String text, List<Problem> problems) {
        return new Reply(Kind.REFUSED, text, id, problems, refusal, false, List.of());
    }

    static Reply editForm(RequestId id, String text, List<String> changes) {
        return new Reply(Kind.FORM, text, id, List.of(), null, false, changes);
    }

    Reply takingDown() { return new Reply(kind, text, request, problems, refusal, true, form); }

    /** What to tell the person in a chat, if anything: a change is told by its card, a repeated hold-back not at all. */
    public Optional<String> say() {
        return kind == Kind.DONE || kind == Kind.HELD_QUIETLY ? Optional.empty() : Optional.of(text);
    }

    public boolean refused() { return kind == Kind.REFUSED; }
}
