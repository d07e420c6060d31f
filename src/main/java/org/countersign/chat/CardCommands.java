package org.countersign.chat;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/** What to type, on a platform whose cards have no buttons, for each button a card would have: written once. */
public final class CardCommands {
    private CardCommands() {}

    /**
     * The commands in the buttons' order, each once, as typed with {@code syntax}; {@code clean} makes the request id
     * and team safe for the platform's text; {@code leftOut} names the actions a short card does not list.
     */
    public static List<String> of(Card card, Syntax syntax, UnaryOperator<String> clean, Set<Card.Action> leftOut) {
        var id = clean.apply(card.requestId());
        var commands = new LinkedHashSet<String>();
        for (var b : card.buttons()) {
            if (leftOut.contains(b.action())) continue;
            commands.add(syntax.typed(switch (b.action()) {
                case APPROVE -> "approve " + id + (b.team() == null ? "" : " " + clean.apply(b.team()));
                case REJECT -> "reject " + id + " <reason>";
                case DEPLOY_STARTED -> "deploy " + id + " started";
                case DEPLOYED -> "deploy " + id + " succeeded";
                case ROLLED_BACK -> "deploy " + id + " rolled-back";
                case FAILED -> "deploy " + id + " failed";
                case CLOSE -> "close " + id + " <note>";
                case WITHDRAW -> "withdraw " + id;
                case EDIT -> "edit " + id + " --change <ref>";
            }));
        }
        return List.copyOf(commands);
    }
}
