package org.countersign.matrix;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.countersign.app.PolicyDirectory;
import org.countersign.chat.Card;
import org.countersign.chat.Cards;
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
final class MatrixRequests {
    static final Instant OPENED = Instant.parse("2026-11-26T13:58:00Z");
    static final RequestId ID = new RequestId(12);
    /** Every character HTML reads as markup. */
    static final String HOSTILE = "<&>\"'";

    private final Workflow workflow;
    private final Policy policy;
    private EmergencyRequest request;
    private Instant at = OPENED;

    private MatrixRequests(Policy policy, Draft draft, Actor requester) {
        this.policy = policy;
        this.workflow = new Workflow(policy);
        this.request = applied(workflow.open(ID, draft, member(requester), OPENED));
    }

    /** Opened by DEV under the standard policy. */
    static MatrixRequests opened(Draft draft) { return new MatrixRequests(TestPolicies.standard(), draft, TestPolicies.DEV); }

    static MatrixRequests opened(Policy policy, Draft draft) { return new MatrixRequests(policy, draft, TestPolicies.DEV); }

    /**
     * The longest a valid security request gets, every text full of characters that grow when escaped:
     * summary 200, details 3000, task 200, why-not 1000, ten changes of 500-character URLs, a deployer.
     */
    static Draft worstCaseDraft() {
        var changes = IntStream.range(0, Draft.CHANGES_MAX).mapToObj(i -> {
            var url = "https://gerrit.example.org/r/c/" + i + "?";
            return url + "a&'=".repeat(200).substring(0, Draft.CHANGE_MAX - url.length());
        }).toList();
        return DraftBuilder.aDraft().forReason("security")
                .withSummary(hostile(Draft.SUMMARY_MAX))
                .withDetails(hostile(Draft.DETAILS_MAX))
                .withTask("\"".repeat(Draft.TASK_MAX))
                .notARollbackBecause(hostile(Draft.WHY_NOT_ROLLBACK_MAX))
                .withChanges(changes)
                .withDeployer(TestPolicies.SRE1_MATRIX)
                .build();
    }

    /** {@link #HOSTILE} repeated to exactly {@code length} characters. */
    static String hostile(int length) {
        return HOSTILE.repeat(length / HOSTILE.length() + 1).substring(0, length);
    }

    MatrixRequests approve(Actor actor, String team) { return then(new Command.Approve(ID, member(actor), team)); }

    /** Approved by SRE1 on Matrix and REL1 on Slack, and SEC1 when Security is needed. */
    MatrixRequests approved() {
        approve(TestPolicies.SRE1_MATRIX, "sre").approve(TestPolicies.REL1, "releng");
        if (request.requiredTeams().contains("security")) approve(TestPolicies.SEC1, "security");
        return this;
    }

    MatrixRequests reject(Actor actor, String why) { return then(new Command.Reject(ID, member(actor), why)); }

    MatrixRequests cancel() { return then(new Command.Cancel(ID, member(TestPolicies.DEV), null)); }

    MatrixRequests deploying() { return then(new Command.StartDeploy(ID, member(Actor.SYSTEM))); }

    MatrixRequests deployEnded(DeployResult result, String note) {
        return then(new Command.FinishDeploy(ID, member(Actor.SYSTEM), result, note));
    }

    MatrixRequests closed(String note) { return then(new Command.Close(ID, member(TestPolicies.DEV), note)); }

    MatrixRequests expired() {
        at = request.expires();
        request = applied(workflow.apply(request, new Command.Expire(ID, member(Actor.SYSTEM)), at));
        return this;
    }

    EmergencyRequest request() { return request; }

    Card card() { return new Cards(workflow).of(request); }

    private MatrixRequests then(Command command) {
        at = at.plusSeconds(60);
        request = applied(workflow.apply(request, command, at));
        return this;
    }

    private Member member(Actor actor) { return new PolicyDirectory(policy).resolve(actor); }

    private static EmergencyRequest applied(Outcome outcome) {
        if (outcome instanceof Outcome.Applied a) return a.request();
        throw new IllegalStateException("the workflow refused: " + outcome);
    }

    /** A policy whose one reason needs {@code n} teams, each with one member and a long label. */
    static Policy manyTeams(int n) {
        var teams = new LinkedHashMap<String, Team>();
        var keys = new ArrayList<String>();
        for (int i = 0; i < n; i++) {
            var key = "team" + i;
            keys.add(key);
            teams.put(key, new Team(key, ("Team number " + i + " & <friends>, with a long label ").repeat(4),
                    Set.of(Actor.matrix("@t" + i + ":example.org")), null, 1));
        }
        var reasons = Map.of("availability", new Reason("availability", "Availability", List.copyOf(keys), false));
        return Policy.of(teams, reasons, Duration.ofMinutes(60), Map.of());
    }
}
