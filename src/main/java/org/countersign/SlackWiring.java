package org.countersign;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.bolt.AppConfig;
import com.slack.api.methods.MethodsClient;
import io.javalin.config.RoutesConfig;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import org.countersign.app.CardBacklog;
import org.countersign.app.CardLedger;
import org.countersign.app.Directory;
import org.countersign.app.EventFeed;
import org.countersign.app.KeyValues;
import org.countersign.app.Leases;
import org.countersign.app.RequestService;
import org.countersign.app.StreamConsumer;
import org.countersign.app.Telemetry;
import org.countersign.app.Throttle;
import org.countersign.chat.CardPublisher;
import org.countersign.chat.Cards;
import org.countersign.chat.Privacy;
import org.countersign.slack.SlackSettings;
import org.countersign.domain.Policy;
import org.countersign.slack.SlackApiErrors;
import org.countersign.slack.SlackApp;
import org.countersign.slack.SlackCards;
import org.countersign.slack.SlackChannels;
import org.countersign.slack.SlackDirectory;
import org.countersign.slack.SlackEndpoint;
import org.countersign.slack.SlackPrivacy;

/** The Slack side: the Web API client, user groups, the Bolt app and the card publisher. */
record SlackWiring(SlackSettings settings, Slack slack, Telemetry telemetry) {
    /** @param telemetry counts the Web API calls that fail */
    SlackWiring(SlackSettings settings, Telemetry telemetry) {
        this(settings, slack(slackConfig(settings), telemetry), telemetry);
    }

    private static Slack slack(SlackConfig config, Telemetry telemetry) {
        return Slack.getInstance(config, SlackApiErrors.client(config, telemetry));
    }

    private static SlackConfig slackConfig(SlackSettings settings) {
        var config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(settings.apiUrl());
        return config;
    }

    MethodsClient methods() { return slack.methods(settings.botToken()); }

    SlackChannels channels() { return new SlackChannels(settings.channel(), settings.securityChannel()); }

    /** Team membership with the user groups, read from Slack in the background from now on (close it to stop). */
    Directory directory(Directory listed, Policy policy, Clock clock) {
        return new SlackDirectory(listed, policy, methods(), clock, SlackDirectory.DEFAULT_REFRESH,
                settings.usergroupMaxAge()).start();
    }

    Consumer<RoutesConfig> start(RequestService service, KeyValues kv, EventFeed feed, Leases leases, CardLedger ledger,
                                 Main.Running running, String instance, Throttle perUser, Watches watches) {
        var afterAck = Executors.newFixedThreadPool(4, daemon("slack-after-ack"));
        running.add(() -> {
            afterAck.shutdown(); // what was acked and handed on still happens
            afterAck.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        });
        var watch = settings.securityChannel() == null ? null
                : watches.watch(new SlackPrivacy(methods(), channels()));
        var channels = new SlackChannels(settings.channel(), settings.securityChannel(),
                watch == null ? Privacy.ASSUMED : watch);
        var app = new SlackApp(AppConfig.builder().signingSecret(settings.signingSecret())
                .singleTeamBotToken(settings.botToken()).slack(slack)
                // SlackEndpoint checks every signature before Bolt sees the request: once is enough.
                .requestVerificationEnabled(false)
                .build(), service, kv, channels, afterAck, perUser);
        var cards = new CardPublisher(service, new Cards(service::workflow),
                new SlackCards(settings.apiUrl(), settings.botToken(), telemetry, service::policy, channels), kv, leases, ledger, instance);
        if (watch != null) watch.whenPrivate(cards::catchUp).start();
        var backlog = new CardBacklog(telemetry, "slack");
        running.add(new StreamConsumer(feed, SlackCards.GROUP, instance, cards).inLanes(Main.CARD_LANES)
                .tracking(backlog).start());
        return new SlackEndpoint(app, settings.signingSecret(), System::currentTimeMillis, backlog);
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            var t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
