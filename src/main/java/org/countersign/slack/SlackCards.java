package org.countersign.slack;

import java.util.Optional;
import org.countersign.app.Telemetry;
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
 * the security channel only; without one it is not posted at all. Calls go through the lean {@link SlackWebApi}.
 */
public final class SlackCards implements CardSurface {
    static final String PLATFORM = "slack";
    public static final String GROUP = CardPublisher.group(PLATFORM);

    private final SlackWebApi slack;
    private final SlackChannels channels;
    private final BlockKitCard blockKit = new BlockKitCard();
    private final SlackNotices notices;

    /** Over the Web API at {@code apiUrl} with {@code botToken}, counting failures in {@code telemetry}. */
    public SlackCards(String apiUrl, String botToken, Telemetry telemetry, Policy policy, SlackChannels channels) {
        this(new SlackWebApi(apiUrl, botToken, telemetry, new SlackPace()), policy, channels);
    }

    SlackCards(SlackWebApi slack, Policy policy, SlackChannels channels) {
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
        var posted = slack.postMessage(channel, blocks, text, null);
        return new CardRef(posted.path("channel").asText(channel), posted.path("ts").asText(), request.version());
    }

    @Override
    public void update(CardRef ref, Card card, EmergencyRequest request) {
        var blocks = blockKit.render(card);
        var text = blockKit.fallbackText(card);
        slack.update(ref.place(), ref.message(), blocks, text);
    }

    @Override
    public Optional<String> room(org.countersign.domain.Disclosure.Place place) { return channels.room(place); }

    @Override
    public String announce(String channel, java.util.List<Card.Value> notice, Event event) {
        var text = SlackNotices.text(notice);
        return slack.postMessage(channel, null, text, null).path("ts").asText();
    }

    @Override
    public Optional<String> reply(CardRef ref, Event event, EmergencyRequest request) {
        return notices.replyFor(event, request)
                .map(text -> slack.postMessage(ref.place(), null, text, ref.message()).path("ts").asText());
    }
}
