package org.countersign.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.countersign.app.PolicyDirectory;

/**
 * Requests in any state, built the way they happen: a draft is opened and then the real Workflow applies
 * each step, a minute apart, starting at {@link #OPENED}.
 */
public final class RequestBuilder {
    public static final Instant OPENED = Instant.parse("2025-03-01T10:00:00Z");
    public static final RequestId ID = new RequestId(1);

    private Policy policy = TestPolicies.standard();
    private DraftBuilder draft = DraftBuilder.aDraft();
    private Actor requester = TestPolicies.DEV;
    private final List<Function<RequestBuilder, Command>> steps = new ArrayList<>();

    private RequestBuilder() {}

    /** A pending availability request opened by DEV under the standard policy. */
    public static RequestBuilder aRequest() { return new RequestBuilder(); }

    public RequestBuilder withPolicy(Policy policy) { this.policy = policy; return this; }

    public RequestBuilder forReason(String reason) { draft.forReason(reason); return this; }

    public RequestBuilder openedBy(Actor requester) { this.requester = requester; return this; }

    public RequestBuilder withDeployer(Actor deployer) { draft.withDeployer(deployer); return this; }

    public RequestBuilder withChanges(String... changes) { draft.withChanges(changes); return this; }

    public RequestBuilder withSummary(String summary) { draft.withSummary(summary); return this; }

    /** The requester (or deployer) edits the changes, which clears the approvals. */
    public RequestBuilder editedTo(String... changes) {
        steps.add(b -> new Command.EditChanges(ID, b.member(b.requester), List.of(changes)));
        return this;
    }

    /** The pipeline closes the request with a note. */
    public RequestBuilder closed() {
        steps.add(b -> new Command.Close(ID, b.member(Actor.SYSTEM), "followed up in T1"));
        return this;
    }

    public RequestBuilder approvedBy(Actor actor, String team) {
        steps.add(b -> new Command.Approve(ID, b.member(actor), team));
        return this;
    }

    /** Approved by SRE1 and REL1 (and SEC1 when Security is needed). */
    public RequestBuilder approved() {
        approvedBy(TestPolicies.SRE1, "sre").approvedBy(TestPolicies.REL1, "releng");
        if (policy.reason(draft.build().reason()).orElseThrow().teams().contains("security"))
            approvedBy(TestPolicies.SEC1, "security");
        return this;
    }

    /** Let through without its quorum by {@code actor}, for {@code why}. */
    public RequestBuilder brokenGlassBy(Actor actor, String why) {
        steps.add(b -> new Command.BreakGlass(ID, b.member(actor), why));
        return this;
    }

    /** Reviewed by {@code actor} with a follow-up task. */
    public RequestBuilder reviewedBy(Actor actor) {
        steps.add(b -> new Command.Review(ID, b.member(actor), "T4242"));
        return this;
    }

    /** The pipeline reports the deploy ended with {@code result}, without reporting its start. */
    public RequestBuilder finished(DeployResult result) {
        steps.add(b -> new Command.FinishDeploy(ID, b.member(Actor.SYSTEM), result, null));
        return this;
    }

    public RequestBuilder rejectedBy(Actor actor, String why) {
        steps.add(b -> new Command.Reject(ID, b.member(actor), why));
        return this;
    }

    public RequestBuilder cancelled() {
        steps.add(b -> new Command.Cancel(ID, b.member(requester), "not needed"));
        return this;
    }

    /** Approved, and the pipeline has reported the deploy started. */
    public RequestBuilder deploying() {
        approved();
        steps.add(b -> new Command.StartDeploy(ID, b.member(Actor.SYSTEM)));
        return this;
    }

    /** Deploying, and the pipeline has reported the deploy ended with {@code result}. */
    public RequestBuilder deployEnded(DeployResult result) {
        deploying();
        steps.add(b -> new Command.FinishDeploy(ID, b.member(Actor.SYSTEM), result, null));
        return this;
    }

    /** Left past its deadline (pending: its expiry; approved: its approvals' validity), and swept. */
    public RequestBuilder expired() {
        steps.add(b -> new Command.Expire(ID, b.member(Actor.SYSTEM)));
        return this;
    }

    public Policy policy() { return policy; }

    /** The member behind an account, resolved as the app does. */
    public Member member(Actor actor) { return new PolicyDirectory(policy).resolve(actor); }

    public EmergencyRequest build() { return buildWithTimeline().request(); }

    /** The request and every event its steps made, oldest first, as the store would keep them. */
    public record Built(EmergencyRequest request, List<Event> timeline) {}

    public Built buildWithTimeline() {
        var workflow = new Workflow(policy);
        var timeline = new ArrayList<Event>();
        var request = applied(workflow.open(ID, draft.build(), member(requester), OPENED), "open", timeline);
        var at = OPENED;
        for (var step : steps) {
            var command = step.apply(this);
            // Expiry happens at the request's deadline; everything else a minute after the step before.
            at = command instanceof Command.Expire ? request.deadline().orElseThrow() : at.plus(Duration.ofMinutes(1));
            request = applied(workflow.apply(request, command, at), command.toString(), timeline);
        }
        return new Built(request, List.copyOf(timeline));
    }

    private static EmergencyRequest applied(Outcome outcome, String step, List<Event> timeline) {
        if (outcome instanceof Outcome.Applied a) {
            timeline.addAll(a.events());
            return a.request();
        }
        throw new IllegalStateException("building the request failed at " + step + ": " + outcome);
    }
}
