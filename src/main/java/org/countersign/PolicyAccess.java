package org.countersign;

import static org.countersign.PolicyProblems.show;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.countersign.domain.BreakGlassRule;
import org.countersign.domain.Opening;
import org.countersign.domain.Reason;
import org.countersign.domain.ReviewRule;
import org.countersign.github.GithubGate;

/**
 * Reads who may open requests and how they come and go outside the usual path: {@code may-open} and
 * {@code open-limit}, {@code break-glass}, {@code review} (the after-the-fact check) and {@code github} (the
 * deployments GitHub gates). Names in them are checked against the teams, reasons and people by the policy.
 */
final class PolicyAccess {
    private static final List<String> MAY_OPEN_KEYS = List.of("teams", "people");
    private static final List<String> REVIEW_KEYS = List.of("teams", "required-for", "due-after");
    private static final List<String> BREAK_GLASS_KEYS = List.of("people", "reasons", "min-reason");
    private static final List<String> GITHUB_KEYS = List.of("reason", "environments");

    private final PolicyProblems problems;

    PolicyAccess(PolicyProblems problems) { this.problems = problems; }

    /**
     * The {@code github} section: the reason of the requests GitHub deployments open (default availability) and the
     * environments gated (default: every one whose protection rules list the App).
     */
    GithubGate github(JsonNode node, Map<String, Reason> reasons) {
        if (node == null || node.isNull()) return GithubGate.DEFAULT;
        if (!node.isObject()) {
            problems.add("github", "must be a map with reason and environments, not " + show(node));
            return GithubGate.DEFAULT;
        }
        problems.unknownKeys(node, "github.", GITHUB_KEYS);
        var reason = GithubGate.DEFAULT_REASON;
        if (node.has("reason")) {
            var r = problems.text(node.get("reason"), "github.reason");
            if (r != null && !reasons.isEmpty() && !reasons.containsKey(r))
                problems.add("github.reason", "unknown reason '" + r + "' (known: " + String.join(", ", reasons.keySet())
                        + ")");
            if (r != null) reason = r;
        }
        var environments = node.has("environments") ? problems.list(node.get("environments"), "github.environments")
                : List.<String>of();
        if (node.has("environments") && node.get("environments").isArray() && node.get("environments").isEmpty())
            problems.add("github.environments", "is empty: list the environments to gate, or leave it out for all");
        return new GithubGate(reason, environments);
    }

    /** {@code break-glass: { people: [...], reasons: [...], min-reason: 40 }}; checked against people and reasons later. */
    BreakGlassRule breakGlass(JsonNode node) {
        if (!problems.isMap(node, "break-glass", null, "people, reasons and min-reason")) return BreakGlassRule.NONE;
        problems.unknownKeys(node, "break-glass.", BREAK_GLASS_KEYS);
        var people = node.has("people") ? problems.list(node.get("people"), "break-glass.people") : List.<String>of();
        if (people.isEmpty()) problems.add("break-glass.people", "missing: list who may break the glass, as people: names them");
        var reasons = node.has("reasons") ? problems.list(node.get("reasons"), "break-glass.reasons") : List.<String>of();
        int minReason = BreakGlassRule.DEFAULT_MIN_REASON;
        if (node.has("min-reason")) {
            var n = problems.integer(node.get("min-reason"), "break-glass.min-reason");
            if (n != null) minReason = n;
        }
        return new BreakGlassRule(new LinkedHashSet<>(people), new LinkedHashSet<>(reasons), minReason);
    }

    /** {@code review: { teams: [sre], required-for: [break-glass, all], due-after: 2d }}. */
    ReviewRule review(JsonNode node) {
        if (!problems.isMap(node, "review", null, "teams, required-for and due-after")) return ReviewRule.NONE;
        problems.unknownKeys(node, "review.", REVIEW_KEYS);
        var teams = node.has("teams") ? problems.list(node.get("teams"), "review.teams") : List.<String>of();
        if (teams.isEmpty()) problems.add("review.teams", "missing: list the teams whose members review requests");
        var requiredFor = node.has("required-for") ? problems.list(node.get("required-for"), "review.required-for")
                : List.<String>of();
        var dueAfter = node.has("due-after") ? problems.duration(node.get("due-after"), "review.due-after") : null;
        return new ReviewRule(new LinkedHashSet<>(teams), new LinkedHashSet<>(requiredFor), dueAfter);
    }

    /** {@code may-open: { teams: [...], people: [...] }} and {@code open-limit: 5/1h}. */
    Opening opening(JsonNode mayOpen, JsonNode limit) {
        var teams = new LinkedHashSet<String>();
        var people = new LinkedHashSet<String>();
        if (mayOpen != null && !mayOpen.isNull() && problems.isMap(mayOpen, "may-open", null, "teams and people")) {
            problems.unknownKeys(mayOpen, "may-open.", MAY_OPEN_KEYS);
            if (mayOpen.has("teams")) teams.addAll(problems.list(mayOpen.get("teams"), "may-open.teams"));
            if (mayOpen.has("people")) people.addAll(problems.list(mayOpen.get("people"), "may-open.people"));
            if (teams.isEmpty() && people.isEmpty())
                problems.add("may-open", "names nobody; list teams or people who may open requests, or leave it out "
                        + "so everyone may");
        }
        int count = 0;
        Duration per = null;
        if (limit != null && !limit.isNull()) {
            var text = limit.isTextual() ? limit.textValue().strip() : "";
            int slash = text.indexOf('/');
            var window = slash > 0 ? Durations.parse(text.substring(slash + 1)) : Optional.<Duration>empty();
            Integer n = null;
            try {
                n = slash > 0 ? Integer.valueOf(text.substring(0, slash).strip()) : null;
            } catch (NumberFormatException e) {
                // reported below
            }
            if (n != null && n > 0 && window.isPresent() && !window.get().isZero()) {
                count = n;
                per = window.get();
            } else {
                problems.add("open-limit", "must be a count and a window such as 5/1h (each person opens at most 5 "
                        + "requests an hour), not " + show(limit));
            }
        }
        return new Opening(teams, people, count, per);
    }
}
