package org.countersign.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.countersign.chat.Card.Action;
import org.countersign.chat.Card.Button;
import org.countersign.chat.Card.Field;
import org.countersign.chat.Card.Links;
import org.countersign.chat.Card.Person;
import org.countersign.chat.Card.Signature;
import org.countersign.chat.Card.Style;
import org.countersign.chat.Card.TeamLine;
import org.countersign.chat.Card.TeamStatus;
import org.countersign.chat.Card.Text;
import org.countersign.chat.Card.Time;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.State;
import org.countersign.domain.Workflow;

/** Builds the card of a request. The same card feeds Slack, Matrix and the local console. */
public final class Cards {
    private final Supplier<Workflow> rules;
    /** How many list lines are kept (a power of two): more than a list has. */
    static final int LINES_HELD = 128;
    /**
     * Lines written, by the request object they show. Slots are read and written without a lock: a line is immutable,
     * so a thread sees a whole one or an older one, and an older one does not match.
     */
    private final Line[] lines = new Line[LINES_HELD];

    private record Line(EmergencyRequest request, Workflow workflow, boolean reveal, String hidden, String text) {}

    /** How many list texts are kept (a power of two): one for each way of seeing the same list is plenty. */
    static final int LISTS_HELD = 8;
    /** List texts written, by the list object, its heading, and which of its requests were shown in full. */
    private final Listed[] listed = new Listed[LISTS_HELD];

    private record Listed(List<EmergencyRequest> requests, String heading, Workflow workflow, long reveal,
                          String hidden, String text) {}

    /** Cards in the words and quorums of the policy as it stands at each card (a reload changes them). */
    public Cards(Supplier<Workflow> rules) { this.rules = rules; }

    public Cards(Workflow workflow) { this(() -> workflow); }

    public Card of(EmergencyRequest r) {
        var workflow = rules.get();
        var policy = workflow.policy();
        var reasonLabel = policy.reasonLabel(r.reason());
        var fields = new ArrayList<Field>();
        fields.add(new Field("Summary", new Text(r.summary())));
        fields.add(new Field("Requester", new Person(r.requester())));
        if (r.deployer() != null) fields.add(new Field("Deployer", new Person(r.deployer())));
        fields.add(new Field("Changes", new Links(r.changes())));
        if (r.task() != null) fields.add(new Field("Task", new Text(r.task())));
        fields.add(new Field("Rollback", new Text(r.rollback() ? "Yes, this is a rollback or revert"
                : "No. Why not: " + r.whyNotRollback())));
        if (r.details() != null) fields.add(new Field("Details", new Text(r.details())));
        var informed = workflow.informedTeams(r);
        if (!informed.isEmpty())
            fields.add(new Field("Informed", new Text(workflow.labels(informed) + " (told, not asked to approve)")));
        // Where the normal train stood when it was opened: the approvers weigh the emergency against it.
        policy.windows().sentence(r.created()).ifPresent(line -> fields.add(new Field("When opened", new Text(line))));
        if (r.state() == State.PENDING) fields.add(new Field("Expires", new Time(r.expires())));
        if (r.state() == State.APPROVED) fields.add(new Field("Deploy before", new Time(workflow.approvalsValidUntil(r))));
        if (r.approvalsExpired()) fields.add(new Field("Approvals expired", new Time(r.approvalsValidUntil())));
        if (r.rejection() != null) {
            fields.add(new Field("Rejected by", new Person(r.rejection().by())));
            fields.add(new Field("Rejected because", new Text(r.rejection().reason())));
        }
        if (r.breakGlass() != null) {
            fields.add(new Field("🚨 Break-glass by", new Person(r.breakGlass().by())));
            fields.add(new Field("Break-glass reason", new Text(r.breakGlass().reason())));
            fields.add(new Field("Break-glass at", new Time(r.breakGlass().at())));
        }
        if (r.deployNote() != null) fields.add(new Field("Deploy note", new Text(r.deployNote())));
        if (r.awaitsReview()) fields.add(new Field("Review due", new Time(r.reviewDue())));
        if (r.review() != null) {
            fields.add(new Field("Reviewed by", new Person(r.review().by())));
            fields.add(new Field("Review follow-up", new Links(List.of(r.review().followUp()))));
        }
        if (r.closeNote() != null) fields.add(new Field("Follow-up", new Text(r.closeNote())));

        var teams = r.requiredTeams().stream().map(t -> teamLine(workflow, r, t)).toList();
        return new Card(r.id().toString(), r.id() + " · " + reasonLabel, r.state(), status(workflow, r),
                r.confidential(), fields, teams, buttons(workflow, r));
    }

    /**
     * One plain line about a request, for lists and status answers: {@code EMG-12 · Availability · pending — summary
     * (SRE approved, Release Engineering waiting)}. A confidential request's summary is {@code hidden} unless
     * {@code reveal}.
     */
    public String line(EmergencyRequest r, boolean reveal, String hidden) { return line(rules.get(), r, reveal, hidden); }

    /**
     * {@code heading}, then a {@link #line} for each request, shown in full where {@code reveal} says. The store hands out
     * the same list object while nothing happened ({@code RequestStore.recent}), so the same list, seen the same way
     * with the same policy, is the text written for it before: a list asked for again is one lookup, not twenty lines.
     */
    public String list(String heading, List<EmergencyRequest> requests, Predicate<EmergencyRequest> reveal,
                       String hidden) {
        var workflow = rules.get();
        long shown = 0; // bit i: request i is shown in full; a list longer than 64 is written every time
        for (int i = 0; i < requests.size() && i < Long.SIZE; i++) if (reveal.test(requests.get(i))) shown |= 1L << i;
        boolean keep = requests.size() <= Long.SIZE;
        int slot = (System.identityHashCode(requests) * 31 + Long.hashCode(shown)) & (LISTS_HELD - 1);
        var held = listed[slot];
        if (keep && held != null && held.requests == requests && held.workflow == workflow && held.reveal == shown
                && held.heading.equals(heading) && held.hidden.equals(hidden)) return held.text;
        var text = new StringBuilder(heading);
        for (int i = 0; i < requests.size(); i++) {
            var r = requests.get(i);
            if (i > 0) text.append('\n');
            text.append(line(workflow, r, i < Long.SIZE ? (shown >>> i & 1) == 1 : reveal.test(r), hidden));
        }
        var written = text.toString();
        if (keep) listed[slot] = new Listed(requests, heading, workflow, shown, hidden, written);
        return written;
    }

    private String line(Workflow workflow, EmergencyRequest r, boolean reveal, String hidden) {
        // The store hands out one object per stored version (and a list held is the same objects), so a line written
        // for this object, these words and this policy is this line; a list of twenty is then twenty lookups.
        int slot = (System.identityHashCode(r) * 2 + (reveal ? 1 : 0)) & (LINES_HELD - 1);
        var held = lines[slot];
        if (held != null && held.request == r && held.workflow == workflow && held.reveal == reveal
                && held.hidden.equals(hidden)) return held.text;
        var text = write(workflow, r, reveal, hidden);
        lines[slot] = new Line(r, workflow, reveal, hidden, text);
        return text;
    }

    private static String write(Workflow workflow, EmergencyRequest r, boolean reveal, String hidden) {
        var policy = workflow.policy();
        // Hidden, even its reason is not said (as the web shows it): which kind of security issue is itself a detail.
        var reason = reveal ? policy.reasonLabel(r.reason()) : "Confidential";
        var summary = reveal ? Texts.truncate(r.summary(), 150) : hidden;
        // A loop, not streams: a list writes twenty of these lines, and the streams were most of their cost.
        var line = new StringBuilder(summary.length() + 120).append(r.id()).append(" · ").append(reason).append(" · ")
                .append(r.state().label()).append(" — ").append(summary).append(" (");
        var teams = r.requiredTeams();
        for (int i = 0; i < teams.size(); i++) {
            var team = teams.get(i);
            if (i > 0) line.append(", ");
            line.append(policy.teamLabel(team))
                    .append(approvals(r, team) >= workflow.quorum(r, team) ? " approved" : " waiting");
        }
        return line.append(')').toString();
    }

    private static int approvals(EmergencyRequest r, String team) {
        int n = 0;
        for (var a : r.approvals()) if (a.team().equals(team)) n++;
        return n;
    }

    private static TeamLine teamLine(Workflow workflow, EmergencyRequest r, String team) {
        var signatures = r.approvalsFor(team).stream().map(a -> new Signature(a.by(), a.at())).toList();
        int needed = workflow.quorum(r, team);
        TeamStatus status = signatures.size() >= needed ? TeamStatus.APPROVED
                : r.state() == State.PENDING ? TeamStatus.WAITING
                : r.state() == State.REJECTED && r.rejection() != null ? TeamStatus.REJECTED : TeamStatus.NOT_APPROVED;
        return new TeamLine(team, workflow.policy().teamLabel(team), status, signatures, needed);
    }

    private static String status(Workflow workflow, EmergencyRequest r) {
        var policy = workflow.policy();
        return switch (r.state()) {
            case PENDING -> "Waiting for " + workflow.labels(workflow.teamsStillNeeded(r));
            case APPROVED -> r.breakGlass() != null ? "BREAK-GLASS: approved without its quorum; ready to deploy"
                    : "Approved: ready to deploy";
            case DEPLOYING -> "Deploying";
            case DEPLOYED -> "Deployed; " + afterDeploy(r);
            case FAILED -> "Deploy failed; " + afterDeploy(r);
            case ROLLED_BACK -> "Rolled back; " + afterDeploy(r);
            case CLOSED -> "Closed";
            case REJECTED -> "Rejected";
            case CANCELLED -> "Cancelled";
            case EXPIRED -> r.approvalsExpired()
                    ? "Expired: the approvals went stale before the deploy started; open a new request"
                    : "Expired without every approval";
        };
    }

    private static String afterDeploy(EmergencyRequest r) {
        return r.awaitsReview() ? "it must be reviewed, then closed with a follow-up note"
                : "close it with a follow-up note";
    }

    private static List<Button> buttons(Workflow workflow, EmergencyRequest r) {
        var buttons = new ArrayList<Button>();
        switch (r.state()) {
            case PENDING -> {
                for (var team : workflow.teamsStillNeeded(r))
                    buttons.add(new Button(Action.APPROVE, team, "Approve as " + workflow.policy().teamLabel(team),
                            Style.PRIMARY));
                buttons.add(new Button(Action.REJECT, null, "Reject", Style.DANGER));
                if (!r.approvals().isEmpty())
                    buttons.add(new Button(Action.WITHDRAW, null, "Withdraw my approval", Style.DEFAULT));
                buttons.add(new Button(Action.EDIT, null, "Edit changes", Style.DEFAULT));
            }
            case APPROVED -> {
                buttons.add(new Button(Action.DEPLOY_STARTED, null, "Deploy started", Style.PRIMARY));
                buttons.add(new Button(Action.DEPLOYED, null, "Deployed", Style.DEFAULT));
                buttons.add(new Button(Action.REJECT, null, "Reject", Style.DANGER));
                buttons.add(new Button(Action.EDIT, null, "Edit changes", Style.DEFAULT));
            }
            case DEPLOYING -> {
                buttons.add(new Button(Action.DEPLOYED, null, "Deployed", Style.PRIMARY));
                buttons.add(new Button(Action.ROLLED_BACK, null, "Rolled back", Style.DEFAULT));
                buttons.add(new Button(Action.FAILED, null, "Failed", Style.DANGER));
            }
            case DEPLOYED, FAILED, ROLLED_BACK -> buttons.add(new Button(Action.CLOSE, null, "Close", Style.PRIMARY));
            default -> { }
        }
        return buttons;
    }
}
