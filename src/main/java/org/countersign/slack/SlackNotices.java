package org.countersign.slack;

import java.util.Optional;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.Policy;

/** The short threaded reply that tells people what just happened to a request. */
final class SlackNotices {
    private final Policy policy;

    SlackNotices(Policy policy) { this.policy = policy; }

    Optional<String> replyFor(Event e, EmergencyRequest r) {
        var who = SlackText.mention(e.actor());
        var detail = e.detail() == null ? "" : SlackText.truncate(SlackText.escape(e.detail()), 2000);
        var requester = SlackText.mention(r.requester());
        var deployer = r.deployer() == null ? "" : " " + SlackText.mention(r.deployer());
        return Optional.ofNullable(switch (e.type()) {
            case REQUEST_OPENED -> null;
            case APPROVAL_ADDED -> ":white_check_mark: " + who + " approved " + r.id() + " for "
                    + SlackText.escape(policy.teamLabel(e.team())) + ".";
            case REQUEST_APPROVED -> ":large_green_circle: " + r.id() + " is approved by every team: ready to deploy. "
                    + requester + deployer;
            case APPROVALS_CLEARED -> ":warning: The changes of " + r.id() + " were edited, so its approvals were "
                    + "cleared: " + String.join(", ", r.requiredTeams().stream().map(policy::teamLabel)
                    .map(SlackText::escape).toList()) + " must approve again.";
            case REQUEST_EDITED -> ":pencil2: " + who + " edited the changes of " + r.id() + ".";
            case REQUEST_REJECTED -> ":x: " + who + " rejected " + r.id() + ": " + detail + " " + requester;
            case REQUEST_CANCELLED -> ":no_entry_sign: " + who + " cancelled " + r.id()
                    + (detail.isEmpty() ? "." : ": " + detail);
            case REQUEST_EXPIRED -> ":hourglass: " + r.id() + " expired without every approval (" + detail + "). "
                    + requester;
            case DEPLOY_STARTED -> ":rocket: " + who + " started the deploy of " + r.id() + ".";
            case DEPLOY_FINISHED -> ":checkered_flag: " + who + " reported the deploy of " + r.id() + ": " + detail
                    + ". Close it with a follow-up note.";
            case REQUEST_CLOSED -> ":lock: " + who + " closed " + r.id() + ". Follow-up: " + detail;
        });
    }
}
