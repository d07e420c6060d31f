package org.countersign.domain;

import java.util.Objects;
import java.util.Set;

/**
 * An actor as the directory knows them when they act: the person behind the account (the same
 * person may have a Slack and a Matrix account) and the teams they belong to.
 */
public record Member(Actor actor, String person, Set<String> teams) {
    public Member {
        Objects.requireNonNull(actor, "actor");
        person = person == null || person.isBlank() ? actor.toString() : person;
        teams = Set.copyOf(teams);
    }

    /** Someone in no team, known only by their account. */
    public static Member outsider(Actor actor) { return new Member(actor, null, Set.of()); }

    public boolean in(String team) { return teams.contains(team); }

    /** Whether the account is tied to a person (a policy link or a verified email), not known only as itself. */
    public boolean linked() { return isSystem() || !person.equals(actor.toString()); }

    /** Countersign itself, or a pipeline (a signed webhook, a named API token): no person, no team. */
    public boolean isSystem() {
        return actor.platform() == Platform.SYSTEM || actor.platform() == Platform.WEBHOOK
                || actor.platform() == Platform.API;
    }
}
