package org.countersign.domain;

import java.util.List;

/** Drafts for tests: a complete revert of one Gerrit change, changed one field at a time. */
public final class DraftBuilder {
    private String reason = "availability";
    private String summary = "Revert the cache change that took the API down";
    private String details;
    private List<String> changes = List.of("https://gerrit.example.org/r/c/operations/+/123456");
    private String task = "T12345";
    private Boolean rollback = true;
    private String whyNotRollback;
    private Actor deployer;

    private DraftBuilder() {}

    public static DraftBuilder aDraft() { return new DraftBuilder(); }

    public DraftBuilder forReason(String reason) { this.reason = reason; return this; }

    public DraftBuilder withSummary(String summary) { this.summary = summary; return this; }

    public DraftBuilder withDetails(String details) { this.details = details; return this; }

    public DraftBuilder withChanges(String... changes) { this.changes = List.of(changes); return this; }

    public DraftBuilder withChanges(List<String> changes) { this.changes = changes; return this; }

    public DraftBuilder withTask(String task) { this.task = task; return this; }

    public DraftBuilder withRollback(Boolean rollback) { this.rollback = rollback; return this; }

    /** Not a rollback, for this reason. */
    public DraftBuilder notARollbackBecause(String why) { this.rollback = false; this.whyNotRollback = why; return this; }

    public DraftBuilder withDeployer(Actor deployer) { this.deployer = deployer; return this; }

    public Draft build() {
        return new Draft(reason, summary, details, changes, task, rollback, whyNotRollback, deployer);
    }
}
