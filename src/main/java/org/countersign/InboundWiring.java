package org.countersign;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.countersign.app.EventFeed;
import org.countersign.app.KeyValues;
import org.countersign.app.RequestService;
import org.countersign.app.Telemetry;
import org.countersign.chat.AlertSurface;
import org.countersign.github.GithubDeployments;
import org.countersign.github.GithubGate;
import org.countersign.github.GithubSettings;
import org.countersign.matrix.MatrixAlerts;
import org.countersign.matrix.MatrixSettings;
import org.countersign.slack.SlackAlerts;
import org.countersign.webhook.AlertmanagerWebhook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The webhooks other systems call in (GitHub's deployment protection rules, Alertmanager), built for {@link Main}. */
final class InboundWiring {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private InboundWiring() {}

    /** POST /webhooks/github: a GitHub App's deployment protection rule, answered when the request is decided. */
    static GithubDeployments github(GithubSettings settings, GithubGate gate, RequestService service,
                                            KeyValues kv, EventFeed feed, Clock clock, String instance, Main.Running running) {
        if (service.policy().reason(gate.reason()).isEmpty())
            throw new Config.Invalid(List.of("GitHub deployments are on (GITHUB_APP_ID), but the policy has no reason '"
                    + gate.reason() + "' for the requests they open: add it, or set github.reason in the policy"));
        var github = new GithubDeployments(settings, gate, service, kv, feed, clock, instance).start();
        running.add(github);
        log.info("GitHub deployments on at {} (App {}, API {}); requests opened as {}, for {}", GithubDeployments.PATH,
                settings.appId(), settings.apiUrl(), gate.reason(),
                gate.environments().isEmpty() ? "every environment" : String.join(", ", gate.environments()));
        return github;
    }

    /** POST /webhooks/alertmanager: alert groups shown in the ops channel and room, with a button to open a request. */
    static AlertmanagerWebhook alertmanager(String token, Optional<SlackWiring> slack,
                                                    Optional<MatrixSettings> matrix, KeyValues kv, Clock clock,
                                                    Main.Running running, Telemetry telemetry) {
        var targets = new ArrayList<AlertSurface>();
        slack.ifPresent(s -> targets.add(new SlackAlerts(s.methods(), s.settings().channel(), clock)));
        matrix.ifPresent(m -> targets.add(new MatrixAlerts(MatrixWiring.client(m, telemetry), m.roomId(), clock)));
        var webhook = new AlertmanagerWebhook(token, targets, kv);
        running.add(webhook);
        log.info("Alertmanager webhook on at {}; alert groups go to {}", AlertmanagerWebhook.PATH,
                targets.isEmpty() ? "nowhere (neither Slack nor Matrix is configured)" : List.copyOf(targets));
        return webhook;
    }

}
