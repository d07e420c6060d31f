package org.countersign.slack;

import com.slack.api.methods.MethodsClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.countersign.app.Directory;
import org.countersign.domain.Actor;
import org.countersign.domain.Member;
import org.countersign.domain.Platform;
import org.countersign.domain.Policy;
import org.countersign.domain.Team;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Team membership with Slack user groups: the policy's listed accounts, plus the members of each team's
 * {@code slack-usergroup} as Slack last listed them. Lists are read in the background, one read at a time per
 * group, every {@code refreshEvery} and whenever someone acts on a list that old, so no one ever waits for Slack.
 * A list is used while it is younger than {@code maxAge}; past that (Slack has not answered since), membership
 * through the group cannot be checked: the member is resolved without that team, and {@link #unchecked} says why.
 */
public final class SlackDirectory implements Directory, AutoCloseable {
    /** How long a user group's last list is trusted when Slack does not answer ({@code SLACK_USERGROUP_MAX_AGE}). */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(15);
    /** How often each user group is read again. */
    public static final Duration DEFAULT_REFRESH = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(SlackDirectory.class);

    private final Directory listed;
    private final MethodsClient slack;
    private final Clock clock;
    private final Duration refreshEvery;
    private final Duration maxAge;
    private final Instant started;
    private final List<Team> grouped;
    private final Map<String, Group> groups = new ConcurrentHashMap<>();
    private final Set<String> reading = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService reader;

    /**
     * What is known of a group: its members as of {@code read} (both null until Slack first answers), and when a
     * read was last tried.
     */
    private record Group(Set<String> users, Instant read, Instant tried) {}

    public SlackDirectory(Directory listed, Policy policy, MethodsClient slack, Clock clock, Duration refreshEvery,
                          Duration maxAge) {
        this.listed = listed;
        this.slack = slack;
        this.clock = clock;
        this.refreshEvery = refreshEvery;
        this.maxAge = maxAge;
        this.started = clock.instant();
        this.grouped = policy.teams().values().stream().filter(t -> t.slackUsergroup() != null).toList();
        int distinct = (int) grouped.stream().map(Team::slackUsergroup).distinct().count();
        // A thread per group (up to four), so one slow group does not hold up the others' reads.
        this.reader = Executors.newScheduledThreadPool(Math.max(1, Math.min(4, distinct)), r -> {
            var t = new Thread(r, "slack-usergroups");
            t.setDaemon(true);
            return t;
        });
    }

    /** Reads every team's user group now, and again every {@code refreshEvery}. */
    public SlackDirectory start() {
        if (!grouped.isEmpty())
            reader.scheduleWithFixedDelay(this::readDue, 0, refreshEvery.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Never calls Slack: uses the lists as last read, and asks for a fresh read of any that is due. */
    @Override
    public Member resolve(Actor actor) {
        var member = listed.resolve(actor);
        if (actor.platform() != Platform.SLACK) return member;
        var now = clock.instant();
        var teams = new LinkedHashSet<>(member.teams());
        for (var team : grouped) {
            var group = known(team.slackUsergroup(), now);
            if (trusted(group, now) && group.users().contains(actor.id())) teams.add(team.key());
        }
        return teams.equals(member.teams()) ? member : new Member(actor, member.person(), teams);
    }

    /** The teams this Slack account may be in through a user group whose list is missing or too old, with why. */
    @Override
    public Map<String, String> unchecked(Actor actor) {
        if (actor.platform() != Platform.SLACK) return Map.of();
        var member = listed.resolve(actor);
        var now = clock.instant();
        var unchecked = new LinkedHashMap<String, String>();
        for (var team : grouped) {
            var group = known(team.slackUsergroup(), now);
            if (!member.in(team.key()) && !trusted(group, now)) unchecked.put(team.key(), why(team, group, now));
        }
        return unchecked;
    }

    @Override
    public void close() { reader.shutdownNow(); }

    private String why(Team team, Group group, Instant now) {
        boolean never = group == null || group.read() == null;
        long minutes = Duration.between(never ? started : group.read(), now).toMinutes();
        var silence = never && minutes < 1 ? "yet" : "for " + minutes + " min";
        return "Slack has not answered " + silence + " about the " + team.label() + " user group ("
                + team.slackUsergroup() + "), so membership through it cannot be checked; ask an admin or approve "
                + "from an account the policy lists";
    }

    private boolean trusted(Group group, Instant now) {
        return group != null && group.read() != null && now.isBefore(group.read().plus(maxAge));
    }

    /** What is known of {@code usergroup}, asking for a read in the background when one is due. */
    private Group known(String usergroup, Instant now) {
        var group = groups.get(usergroup);
        if (group == null || !now.isBefore(group.tried().plus(refreshEvery))) readLater(usergroup);
        return group;
    }

    private void readDue() {
        var now = clock.instant();
        grouped.stream().map(Team::slackUsergroup).distinct().forEach(g -> known(g, now));
    }

    private void readLater(String usergroup) {
        if (!reading.add(usergroup)) return; // one read at a time per group
        try {
            reader.execute(() -> read(usergroup));
        } catch (RejectedExecutionException e) {
            reading.remove(usergroup); // closed
        }
    }

    private void read(String usergroup) {
        var last = groups.get(usergroup);
        try {
            var response = slack.usergroupsUsersList(r -> r.usergroup(usergroup));
            if (!response.isOk()) throw new IllegalStateException(response.getError());
            var now = clock.instant();
            groups.put(usergroup, new Group(Set.copyOf(response.getUsers()), now, now));
        } catch (Exception e) {
            var now = clock.instant();
            groups.put(usergroup, last == null ? new Group(null, null, now) : new Group(last.users(), last.read(), now));
            log.warn("Slack could not list user group {} ({}); {}", usergroup, e.getMessage(), last == null
                    || last.read() == null ? "only the policy's listed members count until it answers"
                    : "using its members as of " + last.read() + " until " + last.read().plus(maxAge));
        } finally {
            reading.remove(usergroup);
        }
    }
}
