package org.countersign.slack;

import com.slack.api.methods.MethodsClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.countersign.app.Directory;
import org.countersign.domain.Actor;
import org.countersign.domain.Member;
import org.countersign.domain.Platform;
import org.countersign.domain.Policy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Team membership with Slack user groups: the policy's listed accounts, plus the members of each team's
 * {@code slack-usergroup}, cached for a short time. When Slack cannot answer, the last known members are
 * used, or the policy's list alone, and the failure is logged.
 */
public final class SlackDirectory implements Directory {
    private static final Logger log = LoggerFactory.getLogger(SlackDirectory.class);

    private final Directory listed;
    private final Policy policy;
    private final MethodsClient slack;
    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Group> groups = new ConcurrentHashMap<>();

    private record Group(Set<String> users, Instant fetched) {}

    public SlackDirectory(Directory listed, Policy policy, MethodsClient slack, Clock clock, Duration ttl) {
        this.listed = listed;
        this.policy = policy;
        this.slack = slack;
        this.clock = clock;
        this.ttl = ttl;
    }

    @Override
    public Member resolve(Actor actor) {
        var member = listed.resolve(actor);
        if (actor.platform() != Platform.SLACK) return member;
        var teams = new LinkedHashSet<>(member.teams());
        for (var team : policy.teams().values())
            if (team.slackUsergroup() != null && usersOf(team.slackUsergroup()).contains(actor.id()))
                teams.add(team.key());
        return teams.equals(member.teams()) ? member : new Member(actor, member.person(), teams);
    }

    private Set<String> usersOf(String usergroup) {
        var cached = groups.get(usergroup);
        if (cached != null && cached.fetched().plus(ttl).isAfter(clock.instant())) return cached.users();
        try {
            var response = slack.usergroupsUsersList(r -> r.usergroup(usergroup));
            if (!response.isOk()) throw new IllegalStateException(response.getError());
            var fresh = new Group(Set.copyOf(response.getUsers()), clock.instant());
            groups.put(usergroup, fresh);
            return fresh.users();
        } catch (Exception e) {
            log.warn("Slack could not list user group {} ({}); using {}", usergroup, e.getMessage(),
                    cached == null ? "the policy's listed members only" : "its members as of " + cached.fetched());
            return cached == null ? Set.of() : cached.users();
        }
    }

    /** Fetches every team's user group now, so the first click does not wait for Slack. */
    public void warmUp() {
        policy.teams().values().forEach(t -> { if (t.slackUsergroup() != null) usersOf(t.slackUsergroup()); });
    }
}
