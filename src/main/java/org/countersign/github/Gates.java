package org.countersign.github;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import org.countersign.app.RequestService;
import org.countersign.domain.Actor;
import org.countersign.domain.Draft;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Outcome;
import org.countersign.domain.Platform;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;

/**
 * Opens the request a GitHub deployment waits on, or finds the open one it belongs to: the one opened for the same
 * repository, environment and commit, or any open request that lists the commit among its changes. One at a time per
 * deployment, across instances.
 */
final class Gates {
    /** Why a GitHub-opened request is not marked a rollback: GitHub does not say. */
    static final String WHY_NOT_ROLLBACK = "not known: GitHub's deployment protection rule does not say whether this "
            + "commit reverts anything; look at the commit before you approve";
    static final int OPEN_SCAN = 500;

    private final RequestService service;
    private final Links links;
    private final GithubGate gate;

    Gates(RequestService service, Links links, GithubGate gate) {
        this.service = service;
        this.links = links;
        this.gate = gate;
    }

    /** The request a deployment now waits on, whether it was opened for it, and the outcome when it could not be. */
    record Gated(EmergencyRequest request, boolean linked, Outcome.Refused refused) {}

    /** Who opened a request GitHub asked for, as the card and timeline show it: {@code webhook:github:owner/repo}. */
    static Actor actorFor(String repo) { return new Actor(Platform.WEBHOOK, "github:" + repo); }

    /** Null when another delivery for this deployment held it for too long. */
    Gated gate(ProtectionRule rule) {
        return links.locked("open:" + rule.repo() + ":" + rule.environment() + ":" + rule.sha(), () -> {
            var existing = links.openedFor(rule.repo(), rule.environment(), rule.sha())
                    .flatMap(service::find).filter(Gates::waitable).or(() -> listing(rule.sha()));
            if (existing.isPresent()) return new Gated(existing.get(), true, null);
            var outcome = service.open(actorFor(rule.repo()), draft(rule));
            if (outcome instanceof Outcome.Applied applied) {
                links.opened(rule.repo(), rule.environment(), rule.sha(), applied.request().id());
                return new Gated(applied.request(), false, null);
            }
            return new Gated(null, false, outcome instanceof Outcome.Refused r ? r
                    : Outcome.Refused.of(Outcome.Refusal.INVALID, "the request could not be opened"));
        });
    }

    Draft draft(ProtectionRule rule) {
        var summary = "Deploy " + rule.shortSha() + " of " + rule.repo() + " to " + rule.environment();
        if (summary.length() > Draft.SUMMARY_MAX) summary = summary.substring(0, Draft.SUMMARY_MAX - 1) + "…";
        var details = "GitHub asks whether " + rule.repo() + " may deploy " + rule.ref() + " (" + rule.sha() + ") to "
                + rule.environment() + ": workflow run " + rule.runId()
                + (rule.event().isEmpty() ? "" : ", triggered by " + rule.event())
                + (rule.sender().isEmpty() ? "" : " from " + rule.sender())
                + ". Countersign tells GitHub when this request is approved, rejected, cancelled or expires.";
        return new Draft(gate.reason(), summary, details, java.util.List.of(rule.commitUrl()), null, false,
                WHY_NOT_ROLLBACK, null);
    }

    /** An open request (pending, or approved and not deploying yet) that lists this commit among its changes. */
    private Optional<EmergencyRequest> listing(String sha) {
        return service.recent(EnumSet.of(State.PENDING, State.APPROVED), OPEN_SCAN).stream()
                .filter(r -> r.changes().stream().anyMatch(c -> names(c, sha))).findFirst();
    }

    /** A change that is this commit: its sha (7 digits or more), or a link ending in it or naming it as /commit/. */
    static boolean names(String change, String sha) {
        var c = change.strip().toLowerCase(Locale.ROOT);
        if (c.matches("[0-9a-f]{7,40}")) return sha.startsWith(c);
        return c.startsWith("http") && (c.contains("/commit/" + sha) || c.contains("/commits/" + sha) || c.endsWith(sha));
    }

    static boolean waitable(EmergencyRequest r) { return r.state() == State.PENDING || r.state() == State.APPROVED; }

    Optional<EmergencyRequest> find(RequestId id) { return service.find(id); }
}
