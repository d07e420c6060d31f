package org.countersign.web;

import java.util.Optional;
import org.countersign.app.RequestService;
import org.countersign.chat.Card;
import org.countersign.domain.Actor;
import org.countersign.domain.Command;
import org.countersign.domain.DeployResult;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Outcome.Refused;

/**
 * Which of a card's buttons the person looking at the console may press. The card stays the shared one (Slack and
 * Matrix show it to a whole room); here the page knows who looks, so it asks the Workflow, through the same rules that
 * would refuse the press, and shows the refusal's sentence on the buttons it turns off. No rule is decided here.
 */
final class ConsoleButtons {
    private final RequestService service;

    ConsoleButtons(RequestService service) { this.service = service; }

    /** Why {@code by} may not press {@code button} on {@code r} now; empty when pressing it would do something. */
    Optional<String> whyNot(EmergencyRequest r, Card.Button button, Actor by) {
        if (by == null) return Optional.of("Nobody to act as: the policy names no console people");
        var id = r.id();
        if (button.action() == Card.Action.EDIT) return service.editRefusal(r, by).map(Refused::message);
        return service.refusal(r, by, member -> switch (button.action()) {
            case APPROVE -> new Command.Approve(id, member, button.team());
            case WITHDRAW -> new Command.Withdraw(id, member, button.team());
            case REJECT -> new Command.Reject(id, member, "");
            case DEPLOY_STARTED -> new Command.StartDeploy(id, member);
            case DEPLOYED -> new Command.FinishDeploy(id, member, DeployResult.SUCCEEDED, null);
            case ROLLED_BACK -> new Command.FinishDeploy(id, member, DeployResult.ROLLED_BACK, null);
            case FAILED -> new Command.FinishDeploy(id, member, DeployResult.FAILED, null);
            case CLOSE -> new Command.Close(id, member, "");
            case EDIT -> throw new IllegalStateException("asked above");
        }).map(Refused::message);
    }
}
