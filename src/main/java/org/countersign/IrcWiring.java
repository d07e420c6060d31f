package org.countersign;

import java.util.List;
import org.countersign.app.CardLedger;
import org.countersign.app.EventFeed;
import org.countersign.app.KeyValues;
import org.countersign.app.Leases;
import org.countersign.app.RequestService;
import org.countersign.app.StreamConsumer;
import org.countersign.app.Throttle;
import org.countersign.chat.CardPublisher;
import org.countersign.chat.Cards;
import org.countersign.chat.Privacy;
import org.countersign.chat.PrivacyWatch;
import org.countersign.irc.IrcBot;
import org.countersign.irc.IrcCards;
import org.countersign.irc.IrcConnection;
import org.countersign.irc.IrcLog;
import org.countersign.irc.IrcPrivacy;
import org.countersign.irc.IrcSettings;
import org.countersign.webhook.Integration;
import org.countersign.webhook.Webhooks;

/**
 * The IRC side of the service, wired: one connection across instances (a lease), the bot on it, and, on the instance
 * that holds it only, the card publisher and the {@code format: irc} integrations on the events stream.
 */
final class IrcWiring {
    private IrcWiring() {}

    /** Starts IRC; the connection is added to {@code running}, so it stops with the service. */
    static IrcConnection start(IrcSettings settings, RequestService service, KeyValues kv, EventFeed feed, Leases leases,
                               CardLedger ledger, Main.Running running, String instance, Throttle perUser, Watches watches,
                               List<Integration> integrations) {
        var logs = integrations.stream().filter(i -> i.format() == Integration.Format.IRC).toList();
        var irc = new IrcConnection(settings, leases, instance, Main.IRC_LEASE)
                .joining(logs.stream().map(Integration::channel).toList());
        PrivacyWatch watch = settings.securityChannel() == null ? null : watches.watch(new IrcPrivacy(irc, settings));
        Privacy privacy = watch == null ? Privacy.ASSUMED : watch;
        var cards = new CardPublisher(service, new Cards(service::workflow),
                new IrcCards(irc, settings, new Cards(service::workflow), service::policy, privacy), kv, leases, ledger,
                instance);
        irc.listening(new IrcBot(service, irc, settings, privacy, perUser));
        if (watch != null) {
            // MODE at join and at every change: a channel that stops being secret is open at once.
            irc.onModes(channel -> watch.recheck());
            watch.whenPrivate(cards::catchUp);
        }
        irc.whileOwner(() -> new StreamConsumer(feed, IrcCards.GROUP, instance, cards).inLanes(Main.CARD_LANES).start());
        for (var log : logs)
            irc.whileOwner(() -> new StreamConsumer(feed, log.group(), instance, new IrcLog(log, service, irc),
                    Webhooks.RETRIES).start());
        running.add(irc.start());
        if (watch != null) watch.start();
        return irc;
    }
}
