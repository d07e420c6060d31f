package org.countersign.slack;

import com.slack.api.methods.MethodsClient;
import java.util.Optional;
import org.countersign.chat.Card;
import org.countersign.chat.CardPublisher;
import org.countersign.chat.CardRef;
import org.countersign.chat.CardSurface;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.Policy;

/**
 * Slack's side of the {@link CardPublisher}: the card as Block Kit, posted with {@code chat.postMessage} and
 * kept true with {@code chat.update}, and each notice as a reply in its thread. A confidential request goes to
 * the security channel only; without one it is not posted at all.
 */
public final class SlackCards implements CardSurface {
    static final String PLATFORM = "slack";
    public static final String GROUP = CardPublisher.group(PLATFORM);

    private final MethodsClient slack;
    private final SlackChannels channels;
    private final BlockKitCard blockKit = new BlockKitCard();
    private final SlackNotices notices;

    public SlackCards(MethodsClient slack, Policy policy, SlackChannels channels) {
        this.slack = slack;
        this.channels = channels;
        this.notices = new SlackNotices(policy);
    }

    @Override
    public String platform() { return PLATFORM; }

    @Override
    public Optional<String> place(EmergencyRequest request) { return channels.forRequest(request); }

    @Override
    public Optional<String> heldBack(EmergencyRequest request) { return channels.heldBack(request); }

    @Override
    public CardRef post(String channel, Card card, EmergencyRequest request) {
        var blocks = blockKit.render(card);
        var text = blockKit.fallbackText(card);
        var posted = SlackCalls.call("chat.postMessage",
                () -> slack.chatPostMessage(r -> r.channel(channel).blocks(blocks).text(text).unfurlLinks(false)));
        return new CardRef(posted.getChannel(), posted.getTs(), request.version());
    }

    @Override
    public void update(CardRef ref, Card card, EmergencyRequest request) {
        var blocks = blockKit.render(card);
        var text = blockKit.fallbackText(card);
        SlackCalls.call("chat.update",
                () -> slack.chatUpdate(r -> r.channel(ref.place()).ts(ref.message()).blocks(blocks).text(text)));
    }

    @Override
    public Optional<String> room(org.countersign.domain.Disclosure.Place place) { return channels.room(place); }

    @Override
    public String announce(String channel, java.util.List<Card.Value> notice, Event event) {
        var text = SlackNotices.text(notice);
        return SlackCalls.call("chat.postMessage", () -> slack.chatPostMessage(r -> r.channel(channel).text(text)
                .unfurlLinks(false))).getTs();
    }

    @Override
    public Optional<String> reply(CardRef ref, Event event, EmergencyRequest request) {
        return notices.replyFor(event, request).map(text -> SlackCalls.call("chat.postMessage",
                () -> slack.chatPostMessage(r -> r.channel(ref.place()).threadTs(ref.message()).text(text)
                        .unfurlLinks(false))).getTs());
    }
}
