package org.countersign.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What someone filled in to open a request, before it is checked. Text fields may be null or blank
 * when left empty; {@code rollback} is null when the question was not answered.
 */
public record Draft(String reason, String summary, String details, List<String> changes, String task,
                    Boolean rollback, String whyNotRollback, Actor deployer) {
    public static final int SUMMARY_MAX = 200;
    public static final int DETAILS_MAX = 3000;
    public static final int CHANGES_MAX = 10;
    public static final int CHANGE_MAX = 500;
    public static final int TASK_MAX = 200;
    public static final int WHY_NOT_ROLLBACK_MAX = 1000;

    private static final List<Pattern> CHANGE_FORMS = List.of(
            Pattern.compile("https?://[^\\s<>\"]+"),              // a link to a patch, MR, PR or commit
            Pattern.compile("[0-9]{1,10}"),                       // a Gerrit change number
            Pattern.compile("I[0-9a-f]{40}"),                     // a Gerrit Change-Id
            Pattern.compile("[0-9a-f]{7,40}"),                    // a commit
            Pattern.compile("([\\w.-]+/[\\w.-]+)?[#!][0-9]{1,10}"), // owner/repo#12, !34
            Pattern.compile("([\\w.-]+(:[0-9]{1,5})?(/[\\w.-]+)*@)?sha256:[0-9a-f]{64}")); // an artifact digest, an image@digest

    public Draft {
        changes = changes == null ? List.of() : changes.stream()
                .map(c -> c == null ? "" : c.strip()).filter(c -> !c.isEmpty()).toList();
        reason = trimToNull(reason);
        summary = trimToNull(summary);
        details = trimToNull(details);
        task = trimToNull(task);
        whyNotRollback = trimToNull(whyNotRollback);
    }

    /**
     * The policy's reasons as the form's list shows them, each with the word to type where that differs: {@code
     * Security issue (security), Availability}.
     */
    static String reasons(Policy policy) {
        return String.join(", ", policy.reasons().values().stream().map(r -> r.label().equalsIgnoreCase(r.key())
                ? r.label() : r.label() + " (" + r.key() + ")").toList());
    }

    /** Every problem with this draft under the policy, field by field; empty when it can be opened. */
    public List<Problem> problems(Policy policy) {
        var problems = new ArrayList<Problem>();
        if (reason == null)
            problems.add(new Problem("reason", "Pick a reason: " + reasons(policy)));
        else if (policy.reason(reason).isEmpty())
            problems.add(new Problem("reason", "Unknown reason \"" + reason + "\"; pick one of " + reasons(policy)));
        if (summary == null)
            problems.add(new Problem("summary", "Say in one line what is broken and what the deploy fixes"));
        else if (summary.length() > SUMMARY_MAX)
            problems.add(new Problem("summary", "Keep the summary to " + SUMMARY_MAX + " characters (it has "
                    + summary.length() + "); put the rest in the details"));
        if (details != null && details.length() > DETAILS_MAX)
            problems.add(new Problem("details", "Details are limited to " + DETAILS_MAX + " characters (they have "
                    + details.length() + "); link to the task for more"));
        problems.addAll(changeProblems(changes));
        if (task != null && task.length() > TASK_MAX)
            problems.add(new Problem("task", "The task reference is limited to " + TASK_MAX + " characters"));
        if (rollback == null)
            problems.add(new Problem("rollback", "Say whether this deploy is a rollback or revert"));
        else if (!rollback && whyNotRollback == null)
            problems.add(new Problem("why_not_rollback",
                    "Rollback first, fix later: say why a rollback or revert will not do"));
        if (whyNotRollback != null && whyNotRollback.length() > WHY_NOT_ROLLBACK_MAX)
            problems.add(new Problem("why_not_rollback", "Keep this to " + WHY_NOT_ROLLBACK_MAX + " characters"));
        return problems;
    }

    /** Problems with a list of change references (URLs or change numbers). */
    public static List<Problem> changeProblems(List<String> changes) {
        var problems = new ArrayList<Problem>();
        if (changes.isEmpty())
            problems.add(new Problem("changes", "List the changes to deploy, one per line (a URL or a change number)"));
        else if (changes.size() > CHANGES_MAX)
            problems.add(new Problem("changes", "At most " + CHANGES_MAX + " changes per request (there are "
                    + changes.size() + "); an emergency deploy should be small"));
        for (var change : changes) {
            if (change.length() > CHANGE_MAX) {
                problems.add(new Problem("changes", "A change reference is limited to " + CHANGE_MAX + " characters"));
            } else if (CHANGE_FORMS.stream().noneMatch(p -> p.matcher(change).matches())) {
                problems.add(new Problem("changes", "\"" + change + "\" is not a change: use a URL (https://…) "
                        + "or a change number (12345, I0123…, org/repo#12), a commit or an artifact digest (sha256:…)"));
            }
        }
        if (changes.stream().distinct().count() != changes.size())
            problems.add(new Problem("changes", "A change is listed twice"));
        return problems;
    }

    private static String trimToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
