package org.countersign.slack;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.Optional;
import org.countersign.app.Telemetry;
import org.countersign.chat.Card;
import org.countersign.chat.CardPublisher;
import org.countersign.chat.CardRef;
import org.countersign.chat.CardSurface;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.Policy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack's side of the {@link CardPublisher}: the card as Block Kit, posted with {@code chat.postMessage} and
 * kept true with {@code chat.update}, and each notice as a reply in its thread. A confidential request goes to
 * the security channel only; without one it is not posted at all. Calls go through the lean {@link SlackWebApi}.
 * Each card carries message metadata naming its request ({@code countersign_card}), so a card whose post was never
 * noted (the process died after Slack took it) is found again in the channel's history instead of posted twice.
 */
public final class SlackCards implements CardSurface {
    private static final Logger log = LoggerFactory.getLogger(SlackCards.class);
    static final String PLATFORM = "slack";
    /** The metadata event type of a card; its payload's {@code request} is the request's id. */
    static final String CARD_EVENT = "countersign_card";
    /** Clocks of instances and Slack differ a little: the history is read from this much before the post began. */
    static final Duration FIND_MARGIN = Duration.ofMinutes(1);
    /** Pages of history read at most; a card is among the first messages after its post began. */
    static final int FIND_PAGES = 10;
    public static final String GROUP = CardPublisher.group(PLATFORM);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SlackWebApi slack;
    private final SlackChannels channels;
    private final BlockKitCard blockKit = new BlockKitCard();
    private final SlackNotices notices;

    /** Over the Web API at {@code apiUrl} with {@code botToken}, counting failures in {@code telemetry}. */
    public SlackCards(String apiUrl, String botToken, Telemetry telemetry, Supplier<Policy> policy,
                      SlackChannels channels) {
        this(new SlackWebApi(apiUrl, botToken, telemetry, new SlackPace()), policy, channels);
    }

    SlackCards(SlackWebApi slack, Supplier<Policy> policy, SlackChannels channels) {
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
        var metadata = JSON.createObjectNode().put("event_type", CARD_EVENT);
        metadata.putObject("event_payload").put("request", request.id().toString());
        var posted = slack.postCard(channel, blocks, text, metadata);
        return new CardRef(posted.path("channel").asText(channel), posted.path("ts").asText(), request.version());
    }

    /**
     * The card in {@code channel}'s history since shortly before {@code since} whose metadata names the request. When
     * Slack refuses the lookup (no {@code channels:history} / {@code groups:history} scope, the bot not in the channel)
     * it says none, and the card is posted again: in an emergency a duplicate card beats no card.
     */
    @Override
    public Optional<CardRef> find(String channel, EmergencyRequest request, Instant since) {
        var from = since.minus(FIND_MARGIN);
        var oldest = String.format(Locale.ROOT, "%d.%06d", from.getEpochSecond(), from.getNano() / 1000);
        String cursor = null;
        try {
            for (int page = 0; page < FIND_PAGES; page++) {
                var answer = slack.history(channel, oldest, cursor);
                for (var message : answer.path("messages")) {
                    var metadata = message.path("metadata");
                    if (CARD_EVENT.equals(metadata.path("event_type").asText())
                            && request.id().toString().equals(metadata.path("event_payload").path("request").asText()))
                        return Optional.of(new CardRef(channel, message.path("ts").asText(), 0));
                }
                cursor = answer.path("response_metadata").path("next_cursor").asText("");
                if (!answer.path("has_more").asBoolean(false) || cursor.isEmpty()) break;
            }
        } catch (SlackWebApi.Refused e) {
            log.warn("cannot look for the Slack card of {} in {} ({}); posting it, which may show it twice",
                    request.id(), channel, e.error());
        }
        return Optional.empty();
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
