package org.countersign.chat;

import java.time.Instant;
import java.util.List;
import org.countersign.domain.Actor;
import org.countersign.domain.State;

/**
 * What a request looks like to a person, whatever the platform: a title, a status line, fields,
 * one line per required team, and the buttons that make sense now. Text is as people typed it;
 * each platform's renderer escapes it for its own markup.
 */
public record Card(String requestId, String title, State state, String status, boolean confidential,
                   List<Field> fields, List<TeamLine> teams, List<Button> buttons) {
    public Card {
        fields = List.copyOf(fields);
        teams = List.copyOf(teams);
        buttons = List.copyOf(buttons);
    }

    /** One labelled value. */
    public record Field(String label, Value value) {}

    /** A field's value, typed so each platform can render people, links and times its own way. */
    public sealed interface Value {}

    public record Text(String text) implements Value {}

    public record Person(Actor actor) implements Value {}

    public record Links(List<String> refs) implements Value {
        public Links { refs = List.copyOf(refs); }
    }

    public record Time(Instant at) implements Value {}

    /**
     * A team called on to act (a reminder): Slack mentions its user group, or its listed Slack users when it has
     * none; Matrix names its listed Matrix users; elsewhere its label.
     */
    public record TeamCall(String label, String slackUsergroup, List<Actor> members) implements Value {
        public TeamCall { members = List.copyOf(members); }
    }

    /** One required team's standing on the request. */
    public record TeamLine(String team, String label, TeamStatus status, List<Signature> signatures, int needed) {
        public TeamLine { signatures = List.copyOf(signatures); }

        /**
         * Where the team stands, in words every renderer shows after the label: {@code approved}, {@code waiting
         * (1 of 2)}, {@code rejected}, or {@code not approved (0 of 1)} once the request ended without it.
         */
        public String standing() {
            var count = " (" + signatures.size() + " of " + needed + ")";
            return switch (status) {
                case APPROVED -> "approved";
                case WAITING -> "waiting" + count;
                case REJECTED -> "rejected";
                case NOT_APPROVED -> "not approved" + count;
            };
        }
    }

    /** {@code NOT_APPROVED}: the request went on or ended (cancelled, expired, break-glass) without this team's quorum. */
    public enum TeamStatus { APPROVED, WAITING, REJECTED, NOT_APPROVED }

    public record Signature(Actor by, Instant at) {}

    /** A button; {@code team} is set for approvals only. */
    public record Button(Action action, String team, String label, Style style) {}

    public enum Style { PRIMARY, DANGER, DEFAULT }

    /** What a button asks for. The server decides whether the presser may. */
    public enum Action {
        APPROVE("approve"), REJECT("reject"), DEPLOY_STARTED("deploy_started"), DEPLOYED("deployed"),
        ROLLED_BACK("rolled_back"), FAILED("failed"), CLOSE("close"),
        /** Take one's own approval back (shown while a pending request has any). */
        WITHDRAW("withdraw"),
        /** Open the form to replace the changes (for the requester or the deployer; others are told why not). */
        EDIT("edit");

        private final String key;

        Action(String key) { this.key = key; }

        public String key() { return key; }

        public static java.util.Optional<Action> fromKey(String key) {
            for (var a : values()) if (a.key.equals(key)) return java.util.Optional.of(a);
            return java.util.Optional.empty();
        }
    }
}
