package org.countersign.domain;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Policies for tests, team by team; {@link #build()} goes through {@link Policy#of}. */
public final class PolicyBuilder {
    private final Map<String, Team> teams = new LinkedHashMap<>();
    private final Map<String, Reason> reasons = new LinkedHashMap<>();
    private final Map<String, Set<Actor>> people = new LinkedHashMap<>();
    private Duration expireAfter = Duration.ofMinutes(60);
    private Duration approvalValidFor = Policy.DEFAULT_APPROVAL_VALID_FOR;

    private PolicyBuilder() {}

    /** No teams, no reasons, 60 minutes to expire. */
    public static PolicyBuilder aPolicy() { return new PolicyBuilder(); }

    /** SRE and Release Engineering (one member each, quorum 1) and the reason availability needing both. */
    public static PolicyBuilder aTwoTeamPolicy() {
        return aPolicy().withTeam("sre", "SRE", TestPolicies.SRE1).withTeam("releng", "Release Engineering", TestPolicies.REL1)
                .withReason("availability", "Availability", "sre", "releng");
    }

    public PolicyBuilder withTeam(String key, String label, Actor... members) {
        return withTeam(new Team(key, label, Set.of(members), null, 1));
    }

    public PolicyBuilder withTeam(Team team) { teams.put(team.key(), team); return this; }

    public PolicyBuilder withReason(String key, String label, String... teams) {
        reasons.put(key, new Reason(key, label, List.of(teams), false));
        return this;
    }

    public PolicyBuilder linking(String person, Actor... accounts) { people.put(person, Set.of(accounts)); return this; }

    public PolicyBuilder expiringAfter(Duration expireAfter) { this.expireAfter = expireAfter; return this; }

    public PolicyBuilder approvalsValidFor(Duration approvalValidFor) {
        this.approvalValidFor = approvalValidFor;
        return this;
    }

    public Policy build() { return Policy.of(teams, reasons, expireAfter, approvalValidFor, people); }
}
