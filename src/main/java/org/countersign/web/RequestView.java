package org.countersign.web;

import java.time.Instant;
import java.util.List;
import org.countersign.domain.Disclosure;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.Policy;
import org.countersign.domain.Workflow;

/**
 * A request as the JSON API shows it. A confidential request shows its id, state, reason and teams
 * only: its summary, changes and notes may describe an unfixed vulnerability.
 */
record RequestView(String id, String state, String reason, String reasonLabel, boolean confidential,
                   boolean redacted, String summary, String details, List<String> changes, String task,
                   Boolean rollback, String whyNotRollback, String requester, String deployer,
                   Instant created, Instant updated, Instant expires, List<TeamView> teams, List<String> informed,
                   RejectionView rejection, String deployNote, String closeNote, long version,
                   String policySha256, List<EntryView> timeline, BreakGlassView breakGlass, ReviewView review,
                   Instant reviewDue) {

    /** Who let it through without its quorum, why (left out where it is hidden) and when. */
    record BreakGlassView(String by, String person, String reason, Instant at) {}

    record ReviewView(String by, String followUp, Instant at) {}

    record TeamView(String team, String label, int needed, boolean satisfied, List<ApprovalView> approvals) {}

    record ApprovalView(String by, Instant at) {}

    record RejectionView(String by, String reason, Instant at) {}

    record EntryView(String id, String type, Instant at, String actor, String state, String team, String detail) {}

    static RequestView of(EmergencyRequest r, List<Event> timeline, Workflow workflow) {
        Policy policy = workflow.policy();
        var teams = r.requiredTeams().stream().map(t -> new TeamView(t, policy.teamLabel(t), workflow.quorum(r, t),
                r.approvalsFor(t).size() >= workflow.quorum(r, t),
                r.approvalsFor(t).stream().map(a -> new ApprovalView(a.by().toString(), a.at())).toList())).toList();
        // The API and the dashboard do not know who is asking: they show what anyone may see.
        boolean hide = Disclosure.hidesFrom(r, new Disclosure.Audience.Anyone());
        var entries = timeline == null ? null : timeline.stream().map(e -> new EntryView(e.id(), e.type().wire(), e.at(),
                e.actor().toString(), e.state().name(), e.team(), hide ? null : e.detail())).toList();
        var rejection = r.rejection() == null ? null : new RejectionView(r.rejection().by().toString(),
                hide ? null : r.rejection().reason(), r.rejection().at());
        return new RequestView(r.id().toString(), r.state().name(), r.reason(),
                policy.reason(r.reason()).map(x -> x.label()).orElse(r.reason()), r.confidential(), hide,
                hide ? null : r.summary(), hide ? null : r.details(), hide ? null : r.changes(), hide ? null : r.task(),
                hide ? null : r.rollback(), hide ? null : r.whyNotRollback(), r.requester().toString(),
                r.deployer() == null ? null : r.deployer().toString(), r.created(), r.updated(), r.expires(), teams,
                workflow.informedTeams(r),
                rejection, hide ? null : r.deployNote(), hide ? null : r.closeNote(), r.version(), r.policySha256(),
                entries, r.breakGlass() == null ? null : new BreakGlassView(r.breakGlass().by().toString(),
                        r.breakGlass().person(), hide ? null : r.breakGlass().reason(), r.breakGlass().at()),
                r.review() == null ? null : new ReviewView(r.review().by().toString(),
                        hide ? null : r.review().followUp(), r.review().at()),
                r.reviewDue());
    }
}
