package org.countersign.slack;

import com.slack.api.methods.MethodsClient;
import java.time.Duration;
import java.util.Optional;
import org.countersign.app.KeyValues;
import org.countersign.app.Leases;
import org.countersign.app.RequestService;
import org.countersign.app.StreamConsumer;
import org.countersign.chat.Cards;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;

/**
 * Keeps each request's Slack card true: posts it when first needed, updates it in place on every later
 * event, and posts a short threaded reply per event so people are notified. Driven by the events stream,
 * so it never slows an ack; idempotent per event, so a redelivered event neither repeats nor loses anything.
 * A confidential request goes to the security channel only; without one it is not posted at all. Instances
 * share the events, so each holds a card's lease while it works on it.
 */
public final class SlackCards implements StreamConsumer.Handler {
    public static final String GROUP = "slack-cards";
    static final Duration REPLY_MEMORY = Duration.ofDays(30);
    static final Duration CARD_LEASE = Duration.ofSeconds(30);
    static final Duration CARD_BUSY = Duration.ofMillis(100);

    private final RequestService service;
    private final Cards cards;
    private final BlockKitCard blockKit;
    private final MethodsClient slack;
    private final KeyValues kv;
    private final SlackChannels channels;
    private final SlackNotices notices;
    private final Leases leases;
    private final String instance;

    /** @param instance this instance's name, as holder of card leases */
    public SlackCards(RequestService service, Cards cards, MethodsClient slack, KeyValues kv, SlackChannels channels,
                      Leases leases, String instance) {
        this.service = service;
        this.cards = cards;
        this.blockKit = new BlockKitCard();
        this.slack = slack;
        this.kv = kv;
        this.channels = channels;
        this.notices = new SlackNotices(service.policy());
        this.leases = leases;
        this.instance = instance;
    }

    /** Where a request's card is: channel, message ts, and the request version it shows. */
    record CardRef(String channel, String ts, long version) {
        static Optional<CardRef> parse(String text) {
            var parts = text.split(" ");
            return parts.length == 3 ? Optional.of(new CardRef(parts[0], parts[1], Long.parseLong(parts[2])))
                    : Optional.empty();
        }

        String text() { return channel + " " + ts + " " + version; }
    }

    static String cardKey(org.countersign.domain.RequestId id) { return "slack:card:" + id; }

    @Override
    public void handle(Event event) {
        var found = service.find(event.request());
        if (found.isEmpty()) return;
        var channel = channels.forRequest(found.get());
        if (channel.isEmpty()) return;
        // Two instances on events of one request would both post the card, or one would show an older version last.
        var lease = cardKey(event.request());
        if (!leases.acquire(lease, instance, CARD_LEASE))
            throw new StreamConsumer.RetryLater("another instance is updating the card of " + event.request(), CARD_BUSY);
        try {
            var ref = showLatest(found.get(), channel.get());
            if (event.type() != EventType.REQUEST_OPENED) reply(event, found.get(), ref);
        } finally {
            leases.release(lease, instance);
        }
    }

    /** Posts or updates the card until it shows the newest version, even when another instance raced us. */
    private CardRef showLatest(EmergencyRequest request, String channel) {
        var key = cardKey(request.id());
        var ref = kv.get(key).flatMap(CardRef::parse).orElse(null);
        var current = request;
        while (ref == null || ref.version() < current.version()) {
            var card = cards.of(current);
            var blocks = blockKit.render(card);
            var text = blockKit.fallbackText(card);
            if (ref == null) {
                var posted = SlackCalls.call("chat.postMessage",
                        () -> slack.chatPostMessage(r -> r.channel(channel).blocks(blocks).text(text).unfurlLinks(false)));
                ref = new CardRef(posted.getChannel(), posted.getTs(), current.version());
            } else {
                var at = ref;
                SlackCalls.call("chat.update",
                        () -> slack.chatUpdate(r -> r.channel(at.channel()).ts(at.ts()).blocks(blocks).text(text)));
                ref = new CardRef(ref.channel(), ref.ts(), current.version());
            }
            kv.put(key, ref.text(), null);
            current = service.find(request.id()).orElse(current);
        }
        return ref;
    }

    private void reply(Event event, EmergencyRequest request, CardRef ref) {
        var key = "slack:reply:" + event.id();
        if (kv.get(key).isPresent()) return;
        var text = notices.replyFor(event, request);
        if (text.isEmpty()) return;
        var posted = SlackCalls.call("chat.postMessage", () -> slack.chatPostMessage(r -> r.channel(ref.channel())
                .threadTs(ref.ts()).text(text.get()).unfurlLinks(false)));
        kv.put(key, posted.getTs(), REPLY_MEMORY);
    }
}
