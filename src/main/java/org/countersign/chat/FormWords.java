package org.countersign.chat;

/**
 * The words of the request form, the same in Slack's modal and the console's dialog: each sentence is written here
 * once, and each platform renders it as its form does (Slack adds "(optional)" to optional fields itself).
 */
public final class FormWords {
    private FormWords() {}

    public static final String REASON_PLACEHOLDER = "Why must production change now?";
    public static final String SUMMARY_PLACEHOLDER = "What is broken, and what the deploy fixes";
    public static final String CHANGES_HINT = "One per line: a URL, a change number, a commit or an artifact digest (sha256:…)";
    public static final String TASK_PLACEHOLDER = "T12345 or a link to the incident";
    public static final String ROLLBACK_QUESTION = "Is this a rollback or revert?";
    public static final String ROLLBACK_YES = "Yes: it rolls back or reverts a change";
    public static final String ROLLBACK_NO = "No: it deploys a fix or a new change";
    public static final String WHY_NOT_ROLLBACK = "Why not roll back?";
    public static final String WHY_NOT_ROLLBACK_HINT = "Required when this is not a rollback: rollback first, fix later";
    public static final String DEPLOYER_HINT = "Who runs the deploy, if not you";
    public static final String DETAILS_PLACEHOLDER = "Impact, links to graphs or the incident, how you tested it";
    public static final String REJECT_QUESTION = "Why do you reject it?";
    public static final String CLOSE_NOTE_HINT = "What is left to do (the proper fix, a task, an incident report)";
}
