package org.countersign.domain;

import java.util.List;
import java.util.Set;

/**
 * A team whose members may approve for it. {@code members} are the accounts listed in the policy;
 * {@code slackUsergroup} adds the members of a Slack user group at runtime.
 */
public record Team(String key, String label, Set<Actor> members, String slackUsergroup, int quorum) {
    public Team {
        members = Set.copyOf(members);
        slackUsergroup = slackUsergroup == null || slackUsergroup.isBlank() ? null : slackUsergroup;
    }

    List<String> problems() {
        var problems = new java.util.ArrayList<String>();
        if (label == null || label.isBlank()) problems.add("team " + key + " has no label");
        if (members.isEmpty() && slackUsergroup == null)
            problems.add("team " + key + " has no members (list slack-users, matrix-users, console-users, irc-accounts or a slack-usergroup)");
        if (quorum < 1) problems.add("team " + key + " needs at least 1 approval, not " + quorum);
        return problems;
    }
}
