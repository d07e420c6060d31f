package org.countersign.slack;

import java.util.Optional;
import org.countersign.chat.Card;
import org.countersign.domain.RequestId;

/**
 * What a card button carries, written on the card and read back from a press here only: the action id
 * ({@code approve:<team>}, else the action's key) and the value {@code EMG-12|<team>}. A button carries only a request
 * and a team; who may press it is decided by the service from the presser's user id.
 */
record CardButton(Card.Action action, RequestId id, String team) {
    static final String SEPARATOR = "|";
    private static final String APPROVE_PREFIX = Card.Action.APPROVE.key() + ":";

    /** {@code approve:<team>} for approvals, the action's key otherwise; unique on a card. */
    static String actionIdOf(Card.Button button) {
        return button.action() == Card.Action.APPROVE ? APPROVE_PREFIX + button.team() : button.action().key();
    }

    /** {@code EMG-12|sre}, or {@code EMG-12|} for a button of no team. */
    static String valueOf(String requestId, Card.Button button) {
        return requestId + SEPARATOR + (button.team() == null ? "" : button.team());
    }

    /** Whether a press is an approval (read on the fast path, {@link ApproveClick}). */
    static boolean isApprove(String actionId) {
        return actionId != null && actionId.startsWith(APPROVE_PREFIX) && actionId.length() > APPROVE_PREFIX.length();
    }

    /** The press of a card button; empty when the action or the value is not one Countersign wrote. */
    static Optional<CardButton> read(String actionId, String value) {
        var action = isApprove(actionId) ? Optional.of(Card.Action.APPROVE) : Card.Action.fromKey(actionId);
        if (action.isEmpty() || value == null) return Optional.empty();
        var parts = value.split("\\|", -1);
        var team = parts.length > 1 && !parts[1].isBlank() ? parts[1] : null;
        return RequestId.parse(parts[0]).map(id -> new CardButton(action.get(), id, team));
    }
}
