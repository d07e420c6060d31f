package org.countersign.receipt;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.countersign.domain.Actor;
import org.countersign.domain.Approval;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;
import org.countersign.domain.State;

/**
 * The in-toto Statement (v1) a receipt signs: its subjects are the request's changes, its predicate who approved what,
 * under which policy, and where the request stands. Pure and canonical: the same request and timeline give the same
 * bytes on every instance.
 */
public final class Statement {
    public static final String TYPE = "https://in-toto.io/Statement/v1";
    /** What the predicate is: Countersign's approval receipt, version 1 (README, "Receipts"). */
    public static final String PREDICATE_TYPE = "https://countersign.org/attestation/approval/v1";

    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern ARTIFACT = Pattern.compile("(?:.+@)?sha256:([0-9a-f]{64})");
    private static final Pattern COMMIT_URL = Pattern.compile("https?://\\S+/commits?/([0-9a-f]{40})(?:[/?#]\\S*)?");

    private Statement() {}

    /**
     * The statement's canonical JSON bytes.
     *
     * @param hide true when the reader may not see what a confidential request is about: the summary and the change
     *             references are left out (subjects keep their digests, named by position)
     */
    public static byte[] bytes(EmergencyRequest r, List<Event> timeline, boolean hide) {
        return Canonical.bytes(of(r, timeline, hide));
    }

    static Map<String, Object> of(EmergencyRequest r, List<Event> timeline, boolean hide) {
        return Canonical.object("_type", TYPE, "subject", subjects(r, hide), "predicateType", PREDICATE_TYPE,
                "predicate", predicate(r, timeline, hide));
    }

    /** The digest of the list of change references exactly as approved: SHA-256 of its canonical JSON array. */
    public static String changesSha256(List<String> changes) { return Canonical.sha256Hex(Canonical.bytes(changes)); }

    /** The digests a change reference carries: a commit's, or an artifact digest given when the request was opened. */
    public static Map<String, Object> digestOf(String change) {
        if (COMMIT.matcher(change).matches()) return Canonical.object("gitCommit", change, "sha1", change);
        var artifact = ARTIFACT.matcher(change);
        if (artifact.matches()) return Canonical.object("sha256", artifact.group(1));
        var url = COMMIT_URL.matcher(change);
        if (url.matches()) return Canonical.object("gitCommit", url.group(1), "sha1", url.group(1));
        return Map.of();
    }

    private static List<Object> subjects(EmergencyRequest r, boolean hide) {
        var subjects = new ArrayList<Object>();
        // The list itself, which every approval saw: the one subject a change without a digest of its own is in.
        subjects.add(Canonical.object("name", r.id() + "/changes", "digest",
                Canonical.object("sha256", changesSha256(r.changes()))));
        for (int i = 0; i < r.changes().size(); i++) {
            var change = r.changes().get(i);
            var digest = digestOf(change);
            if (digest.isEmpty()) continue;
            subjects.add(Canonical.object("name", hide ? r.id() + "/changes/" + (i + 1) : change, "digest", digest));
        }
        return subjects;
    }

    private static Map<String, Object> predicate(EmergencyRequest r, List<Event> timeline, boolean hide) {
        int revision = 1 + (int) timeline.stream().filter(e -> e.type() == EventType.REQUEST_EDITED).count();
        return Canonical.object(
                "request", r.id().toString(),
                "version", r.version(),
                "state", r.state().name(),
                "reason", r.reason(),
                "confidential", r.confidential(),
                "redacted", hide,
                "summary", hide ? null : r.summary(),
                "requester", account(r.requester(), r.requesterPerson()),
                "policy", Canonical.object("sha256", r.policySha256(), "requiredTeams", r.requiredTeams()),
                "changes", Canonical.object("revision", revision, "sha256", changesSha256(r.changes()),
                        "references", hide ? null : r.changes()),
                "approvals", r.approvals().stream().map(a -> approval(a, timeline)).toList(),
                "rejection", r.rejection() == null ? null : Canonical.object("account", r.rejection().by().toString(),
                        "at", time(r.rejection().at())),
                "breakGlass", breakGlass(r, hide),
                "review", r.review() == null ? null : Canonical.object("account", r.review().by().toString(),
                        "person", r.review().person(), "followUp", hide ? null : r.review().followUp(),
                        "at", time(r.review().at())),
                "times", times(r, timeline),
                "states", states(timeline));
    }

    /** Who let it through without its quorum, why (left out when hidden) and when; null when its teams approved it. */
    private static Map<String, Object> breakGlass(EmergencyRequest r, boolean hide) {
        var bg = r.breakGlass();
        if (bg == null) return null;
        var fields = new TreeMap<>(account(bg.by(), bg.person()));
        if (!hide) fields.put("reason", bg.reason());
        fields.put("at", time(bg.at()));
        return fields;
    }

    private static Map<String, Object> account(Actor actor, String person) {
        return Canonical.object("account", actor.toString(), "platform", actor.platform().key(), "person", person);
    }

    private static Map<String, Object> approval(Approval a, List<Event> timeline) {
        var fields = new TreeMap<>(account(a.by(), a.person()));
        fields.put("team", a.team());
        fields.put("at", time(a.at()));
        fields.put("changes", Canonical.object("revision", revisionSeenBy(a, timeline), "sha256", changesSha256(a.changes())));
        return fields;
    }

    /** Which revision of the changes an approval saw: one more than the edits before it on the timeline. */
    private static int revisionSeenBy(Approval a, List<Event> timeline) {
        int edits = 0;
        int seen = 0;
        for (var e : timeline) {
            if (e.type() == EventType.REQUEST_EDITED) edits++;
            if (e.type() == EventType.APPROVAL_ADDED && a.team().equals(e.team()) && a.by().equals(e.actor())) seen = edits;
        }
        return 1 + seen;
    }

    private static Map<String, Object> times(EmergencyRequest r, List<Event> timeline) {
        return Canonical.object(
                "opened", time(r.created()),
                "expires", r.state() == State.PENDING ? time(r.expires()) : null,
                "approved", time(last(timeline, EventType.REQUEST_APPROVED)),
                "approvalsValidUntil", time(r.approvalsValidUntil()),
                "deployStarted", time(last(timeline, EventType.DEPLOY_STARTED)),
                "deployEnded", time(last(timeline, EventType.DEPLOY_FINISHED)),
                "ended", r.state().isFinal() ? time(r.updated()) : null);
    }

    /** Each state the request was in and since when, from its timeline. */
    private static List<Object> states(List<Event> timeline) {
        var states = new ArrayList<Object>();
        String current = null;
        for (var e : timeline) {
            if (e.state().name().equals(current)) continue;
            current = e.state().name();
            states.add(Canonical.object("state", current, "since", time(e.at())));
        }
        return states;
    }

    private static Instant last(List<Event> timeline, EventType type) {
        Instant at = null;
        for (var e : timeline) if (e.type() == type) at = e.at();
        return at;
    }

    private static String time(Instant t) { return t == null ? null : t.toString(); }
}
