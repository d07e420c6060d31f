package org.countersign.domain;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The example policy's shape, built in code, and the people in it, for tests in every package. */
public final class TestPolicies {
    public static final Actor DEV = Actor.slack("U0DEV1");
    public static final Actor DEV2 = Actor.slack("U0DEV2");
    public static final Actor SRE1 = Actor.slack("U0SRE1");
    public static final Actor SRE2 = Actor.slack("U0SRE2");
    public static final Actor REL1 = Actor.slack("U0REL1");
    public static final Actor REL2 = Actor.slack("U0REL2");
    public static final Actor SEC1 = Actor.slack("U0SEC1");
    /** In both SRE and Release Engineering. */
    public static final Actor BOTH = Actor.slack("U0BOTH");
    public static final Actor SRE1_MATRIX = Actor.matrix("@sre1:example.org");
    public static final Actor REL1_MATRIX = Actor.matrix("@rel1:example.org");

    private TestPolicies() {}

    /** SRE, Release Engineering and Security; quorum 1; 60 minutes to expire; SRE1 linked across platforms. */
    public static Policy standard() { return withQuorum(1); }

    public static Policy withQuorum(int quorum) {
        var teams = new LinkedHashMap<String, Team>();
        teams.put("sre", new Team("sre", "SRE", Set.of(SRE1, SRE2, BOTH, SRE1_MATRIX), "S0SRE", quorum));
        teams.put("releng", new Team("releng", "Release Engineering", Set.of(REL1, REL2, BOTH, REL1_MATRIX), null, quorum));
        teams.put("security", new Team("security", "Security", Set.of(SEC1), null, quorum));
        var reasons = new LinkedHashMap<String, Reason>();
        reasons.put("security", new Reason("security", "Security issue", List.of("sre", "releng", "security"), true));
        reasons.put("data-loss", new Reason("data-loss", "Data loss or corruption", List.of("sre", "releng"), false));
        reasons.put("availability", new Reason("availability", "Availability", List.of("sre", "releng"), false));
        reasons.put("abuse", new Reason("abuse", "Abuse", List.of("sre", "releng"), false));
        reasons.put("functionality", new Reason("functionality", "Major loss of functionality or appearance",
                List.of("sre", "releng"), false));
        return Policy.of(teams, reasons, Duration.ofMinutes(60), Map.of("sre1", Set.of(SRE1, SRE1_MATRIX)));
    }

    /** A reason long enough for break-glass (at least 40 characters). */
    public static final String GLASS_REASON = "The API is down for everyone and no releng is awake to approve";

    /**
     * The standard policy, where sre1 (SRE1, also on Matrix) may break the glass on availability and security
     * requests, SRE reviews, and break-glass requests must be reviewed within two days.
     */
    public static Policy withAftercare() { return withAftercare(Set.of(ReviewRule.BREAK_GLASS)); }

    public static Policy withAftercare(Set<String> requiredFor) {
        return standard().withAftercare(new BreakGlassRule(Set.of("sre1"), Set.of("availability", "security"), 40),
                new ReviewRule(Set.of("sre"), requiredFor, Duration.ofDays(2)));
    }

    /** A complete draft for {@code reason}: a revert of one Gerrit change. */
    public static Draft draft(String reason) {
        return new Draft(reason, "Revert the cache change that took the API down", null,
                List.of("https://gerrit.example.org/r/c/operations/+/123456"), "T12345", true, null, null);
    }
}
