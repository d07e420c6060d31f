package org.countersign.domain;

import java.util.List;
import java.util.Objects;

/** Something a member asks of an existing request. Opening a request is {@link Workflow#open}. */
public sealed interface Command {
    RequestId id();

    Member by();

    /** Approve for {@code team}; a null team means "the one team still needed that I am in". */
    record Approve(RequestId id, Member by, String team) implements Command {
        public Approve { Objects.requireNonNull(id); Objects.requireNonNull(by); }
    }

    /**
     * Withdraw one's own approval while the request still waits for others; a team, when given, must be the one the
     * approval was for.
     */
    record Withdraw(RequestId id, Member by, String team) implements Command {
        public Withdraw { Objects.requireNonNull(id); Objects.requireNonNull(by); }
    }

    record Reject(RequestId id, Member by, String reason) implements Command {
        public Reject { Objects.requireNonNull(id); Objects.requireNonNull(by); }
    }

    record Cancel(RequestId id, Member by, String note) implements Command {
        public Cancel { Objects.requireNonNull(id); Objects.requireNonNull(by); }
    }

    record EditChanges(RequestId id, Member by, List<String> changes) implements Command {
        public EditChanges {
            Objects.requireNonNull(id); Objects.requireNonNull(by);
            changes = changes.stream().map(String::strip).filter(c -> !c.isEmpty()).toList();
        }
    }

    record StartDeploy(RequestId id, Member by) implements Command {
        public StartDeploy { Objects.requireNonNull(id); Objects.requireNonNull(by); }
    }

    record FinishDeploy(RequestId id, Member by, DeployResult result, String note) implements Command {
        public FinishDeploy { Objects.requireNonNull(id); Objects.requireNonNull(by); Objects.requireNonNull(result); }
    }

    record Close(RequestId id, Member by, String note) implements Command {
        public Close { Objects.requireNonNull(id); Objects.requireNonNull(by); }
    }

    record Expire(RequestId id, Member by) implements Command {
        public Expire { Objects.requireNonNull(id); Objects.requireNonNull(by); }
    }

    /** Let a pending request proceed without its quorum, for a written reason (the policy's break-glass). */
    record BreakGlass(RequestId id, Member by, String reason) implements Command {
        public BreakGlass { Objects.requireNonNull(id); Objects.requireNonNull(by); }
    }

    /** Review a request whose deploy ended, with a follow-up: a task id or a URL. */
    record Review(RequestId id, Member by, String followUp) implements Command {
        public Review { Objects.requireNonNull(id); Objects.requireNonNull(by); }
    }

    /** Tell people that the review of a request is overdue (Countersign itself, periodically). */
    record RemindReview(RequestId id, Member by) implements Command {
        public RemindReview { Objects.requireNonNull(id); Objects.requireNonNull(by); }
    }

    /** Send whatever reminder, escalation or expiry warning is due now (the sweeper, as the system). */
    record Remind(RequestId id, Member by) implements Command {
        public Remind { Objects.requireNonNull(id); Objects.requireNonNull(by); }
    }
}
