package org.countersign.slack;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.countersign.app.PolicyDirectory;
import org.countersign.domain.Actor;
import org.countersign.domain.Command;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Draft;
import org.countersign.domain.DraftBuilder;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Member;
import org.countersign.domain.Outcome;
import org.countersign.domain.Policy;
import org.countersign.domain.Reason;
import org.countersign.domain.RequestId;
import org.countersign.domain.Team;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;

/** Requests for card tests, made the way they happen: opened by the real Workflow, then each step applied. */
final class SlackRequests {
    static final Instant OPENED = Instant.parse("2026-11-26T13:58:00Z");
    static final RequestId ID = new RequestId(12);
    /** Every character Slack's mrkdwn would read as markup. */
    static final String HOSTILE = "<&>";

    private final Policy policy;
    private final Workflow workflow;
    private EmergencyRequest request;
    private Instant at = OPENED;

    private SlackRequests(Policy policy, Draft draft, Actor requester) {
        this.policy = policy;
        this.workflow = new Workflow(policy);
        this.request = applied(workflow.open(ID, draft, member(requester), OPENED));
    }

    /** A pending availability revert opened by DEV under the standard policy. */
    static SlackRequests opened(Draft draft) {
        return new SlackRequests(TestPolicies.standard(), draft, TestPolicies.DEV);
    }

    static SlackRequests opened(Policy policy, Draft draft) {
        return new SlackRequests(policy, draft, TestPolicies.DEV);
    }

    /**
     * The longest a valid security request gets, every text full of characters that grow when escaped:
     * summary 200, details 3000, task 200, why-not 1000, ten changes of 500-character URLs, a deployer.
     */
    static Draft worstCaseDraft() {
        var changes = IntStream.range(0, Draft.CHANGES_MAX).mapToObj(i -> {
            var url = "https://gerrit.example.org/r/c/" + i + "?";
            return url + "a&b=".repeat(200).substring(0, Draft.CHANGE_MAX - url.length());
        }).toList();
        return DraftBuilder.aDraft().forReason("security")
                .withSummary(HOSTILE.repeat(Draft.SUMMARY_MAX / 3) + "<&")
                .withDetails(HOSTILE.repeat(Draft.DETAILS_MAX / 3))
                .withTask("&".repeat(Draft.TASK_MAX))
                .notARollbackBecause(HOSTILE.repeat(Draft.WHY_NOT_ROLLBACK_MAX / 3) + "<")
                .withChanges(changes)
                .withDeployer(TestPolicies.DEV2)
                .build();
    }

    SlackRequests approve(Actor actor, String team) {
        return then(new Command.Approve(ID, member(actor), team));
    }

    /** Approved by SRE1 and REL1, and SEC1 when Security is needed. */
    SlackRequests approved() {
        approve(TestPolicies.SRE1, "sre").approve(TestPolicies.REL1, "releng");
        if (request.requiredTeams().contains("security")) approve(TestPolicies.SEC1, "security");
        return this;
    }

    SlackRequests reject(Actor actor, String why) {
        return then(new Command.Reject(ID, member(actor), why));
    }

    SlackRequests breakGlass(Actor actor, String why) {
        return then(new Command.BreakGlass(ID, member(actor), why));
    }

    SlackRequests reviewed(Actor actor, String followUp) {
        return then(new Command.Review(ID, member(actor), followUp));
    }

    SlackRequests deploying() {
        return then(new Command.StartDeploy(ID, member(Actor.SYSTEM)));
    }

    SlackRequests deployEnded(DeployResult result, String note) {
        return then(new Command.FinishDeploy(ID, member(Actor.SYSTEM), result, note));
    }

    SlackRequests closed(String note) {
        return then(new Command.Close(ID, member(TestPolicies.DEV), note));
    }

    EmergencyRequest request() { return request; }

    Workflow workflow() { return workflow; }

    private SlackRequests then(Command command) {
        at = at.plusSeconds(60);
        request = applied(workflow.apply(request, command, at));
        return this;
    }

    private Member member(Actor actor) { return new PolicyDirectory(policy).resolve(actor); }

    private static EmergencyRequest applied(Outcome outcome) {
        if (outcome instanceof Outcome.Applied a) return a.request();
        throw new IllegalStateException("the workflow refused: " + outcome);
    }

    /** A policy whose one reason needs {@code n} teams, each with one member; every label is too long for Slack. */
    static Policy manyTeams(int n) {
        var teams = new LinkedHashMap<String, Team>();
        var keys = new ArrayList<String>();
        for (int i = 0; i < n; i++) {
            var key = "team" + i;
            keys.add(key);
            teams.put(key, new Team(key, "Team number " + i + ", with a label longer than a button can hold".repeat(2),
                    Set.of(Actor.slack("U0T" + i)), null, 1));
        }
        var reasons = Map.of("availability",
                new Reason("availability", "Availability, said at more length than a header holds ".repeat(4),
                        List.copyOf(keys), false));
        return Policy.of(teams, reasons, Duration.ofMinutes(60), Map.of());
    }
}
