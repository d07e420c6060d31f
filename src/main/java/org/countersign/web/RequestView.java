package org.countersign.web;

import java.time.Instant;
import java.util.List;
import org.countersign.domain.Disclosure;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.Policy;
import org.countersign.domain.Workflow;

/**
 * A request as the JSON API and the dashboard show it to one audience, by the one disclosure rule: a confidential request
 * shows, to anyone its rule leaves out, its id, state and teams only (each team's label, quorum and how many
 * approved): its summary, changes and notes may describe an unfixed vulnerability, and who opened or approved it, and
 * when, say who is working on one.
 */
record RequestView(String id, String state, String reason, String reasonLabel, boolean confidential,
                   boolean redacted, String summary, String details, List<String> changes, String task,
                   Boolean rollback, String whyNotRollback, String requester, String deployer,
                   Instant created, Instant updated, Instant expires, List<TeamView> teams, List<String> informed,
                   RejectionView rejection, String deployNote, String closeNote, Long version,
                   String policySha256, List<EntryView> timeline, BreakGlassView breakGlass, ReviewView review,
                   Instant reviewDue) {

    /** Who let it through without its quorum, why and when. */
    record BreakGlassView(String by, String person, String reason, Instant at) {}

    record ReviewView(String by, String followUp, Instant at) {}

    /** {@code approvals} (who and when) is left out where the request is hidden; {@code approved} counts them. */
    record TeamView(String team, String label, int needed, int approved, boolean satisfied, List<ApprovalView> approvals) {}

    record ApprovalView(String by, Instant at) {}

    record RejectionView(String by, String reason, Instant at) {}

    record EntryView(String id, String type, Instant at, String actor, String state, String team, String detail) {}

    /** The request as {@code audience} may see it ({@link Disclosure#seesAll}). */
    static RequestView of(EmergencyRequest r, List<Event> timeline, Workflow workflow, Disclosure.Audience audience) {
        Policy policy = workflow.policy();
        boolean hide = Disclosure.hidesFrom(r, audience);
        var teams = r.requiredTeams().stream().map(t -> new TeamView(t, policy.teamLabel(t), workflow.quorum(r, t),
                r.approvalsFor(t).size(), r.approvalsFor(t).size() >= workflow.quorum(r, t), hide ? null
                : r.approvalsFor(t).stream().map(a -> new ApprovalView(a.by().toString(), a.at())).toList())).toList();
        if (hide)
            return new RequestView(r.id().toString(), r.state().name(), null, null, true, true, null, null, null, null,
                    null, null, null, null, null, null, null, teams, workflow.informedTeams(r), null, null, null, null,
                    null, null, null, null, null);
        var entries = timeline == null ? null : timeline.stream().map(e -> new EntryView(e.id(), e.type().wire(), e.at(),
                e.actor().toString(), e.state().name(), e.team(), e.detail())).toList();
        var rejection = r.rejection() == null ? null : new RejectionView(r.rejection().by().toString(),
                r.rejection().reason(), r.rejection().at());
        return new RequestView(r.id().toString(), r.state().name(), r.reason(),
                policy.reasonLabel(r.reason()), r.confidential(), false,
                r.summary(), r.details(), r.changes(), r.task(), r.rollback(), r.whyNotRollback(), r.requester().toString(),
                r.deployer() == null ? null : r.deployer().toString(), r.created(), r.updated(), r.expires(), teams,
                workflow.informedTeams(r), rejection, r.deployNote(), r.closeNote(), r.version(), r.policySha256(),
                entries, r.breakGlass() == null ? null : new BreakGlassView(r.breakGlass().by().toString(),
                        r.breakGlass().person(), r.breakGlass().reason(), r.breakGlass().at()),
                r.review() == null ? null : new ReviewView(r.review().by().toString(), r.review().followUp(),
                        r.review().at()),
                r.reviewDue());
    }
}
