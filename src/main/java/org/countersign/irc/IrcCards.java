package org.countersign.irc;

import java.util.List;
import java.util.function.Supplier;
import java.util.Optional;
import org.countersign.chat.Card;
import org.countersign.chat.CardPublisher;
import org.countersign.chat.CardRef;
import org.countersign.chat.CardSurface;
import org.countersign.chat.Cards;
import org.countersign.chat.Notices;
import org.countersign.chat.Privacy;
import org.countersign.domain.Disclosure;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.Policy;

/**
 * IRC's side of the {@link CardPublisher}. IRC has no edits and no threads: a new request's card is a compact NOTICE
 * in its channel (the ops one, or the secret one for a confidential request, as the {@link Disclosure} rule says), and
 * each later transition is one more: what happened, then the card as it stands now. Nothing is sent while the bot is
 * not connected; the publisher tries again after the reconnect.
 */
public final class IrcCards implements CardSurface {
    static final String PLATFORM = "irc";
    public static final String GROUP = CardPublisher.group(PLATFORM);

    private final IrcConnection irc;
    private final IrcSettings settings;
    private final Privacy privacy;
    private final Notices notices;
    private final Cards cards;

    public IrcCards(IrcConnection irc, IrcSettings settings, Cards cards, Supplier<Policy> policy, Privacy privacy) {
        this.cards = cards;
        this.irc = irc;
        this.settings = settings;
        this.privacy = privacy;
        this.notices = new Notices(policy);
    }

    @Override
    public String platform() { return PLATFORM; }

    @Override
    public Optional<String> place(EmergencyRequest request) {
        return Optional.ofNullable(Disclosure.placeOf(request) == Disclosure.Place.SECURITY ? settings.securityChannel()
                : settings.channel());
    }

    @Override
    public Optional<String> heldBack(EmergencyRequest request) {
        return Disclosure.placeOf(request) == Disclosure.Place.SECURITY ? privacy.problem() : Optional.empty();
    }

    /**
     * None: IRC gives a NOTICE no id and keeps no history to ask, so when the process dies between sending a card and
     * noting it, the redelivered event sends the card again.
     */
    @Override
    public Optional<CardRef> find(String channel, EmergencyRequest request, java.time.Instant since) {
        return Optional.empty();
    }

    @Override
    public CardRef post(String channel, Card card, EmergencyRequest request) {
        irc.send(channel, IrcText.card(card, page(request)));
        return new CardRef(channel, "notice-" + request.id() + "-v" + request.version(), request.version());
    }

    /** Nothing to edit: the transition's NOTICE ({@link #reply}) carries the card as it stands. */
    @Override
    public void update(CardRef ref, Card card, EmergencyRequest request) { }

    @Override
    public Optional<String> reply(CardRef ref, Event event, EmergencyRequest request) {
        var notice = notices.of(event, request);
        if (notice.isEmpty()) return Optional.empty();
        irc.send(ref.place(), IrcText.transition(notice.get(), cards.of(request), page(request)));
        return Optional.of("notice-" + event.id());
    }

    @Override
    public Optional<String> room(Disclosure.Place place) {
        if (place == Disclosure.Place.OPS) return Optional.of(settings.channel());
        return settings.securityChannel() == null || !privacy.isPrivate() ? Optional.empty()
                : Optional.of(settings.securityChannel());
    }

    @Override
    public String announce(String channel, List<Card.Value> notice, Event event) {
        irc.send(channel, List.of(IrcText.notice(notice)));
        return "announce-" + event.id();
    }

    private String page(EmergencyRequest request) {
        return settings.publicUrl() == null ? null : settings.publicUrl() + "/requests/" + request.id();
    }
}
