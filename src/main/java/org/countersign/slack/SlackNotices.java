package org.countersign.slack;

import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.countersign.chat.Card;
import org.countersign.chat.Notices;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.Platform;
import org.countersign.domain.Policy;

/** The threaded reply under a Slack card: the neutral notice, with people as mentions and the rest escaped. */
final class SlackNotices {
    static final int MAX = 3000;
    private final Notices notices;

    SlackNotices(Supplier<Policy> policy) { this.notices = new Notices(policy); }

    Optional<String> replyFor(Event e, EmergencyRequest r) {
        return notices.of(e, r).map(parts -> SlackText.truncate(parts.stream().map(SlackNotices::render)
                .collect(Collectors.joining()), MAX));
    }

    /** A notice of parts as Slack text, people as mentions. */
    static String text(java.util.List<Card.Value> parts) {
        return SlackText.truncate(parts.stream().map(SlackNotices::render).collect(Collectors.joining()), MAX);
    }

    /** A team called on: its user group mentioned, else its listed Slack members, else just its name. */
    static String call(Card.TeamCall call) {
        var label = SlackText.escape(call.label());
        if (call.slackUsergroup() != null) return label + " (<!subteam^" + call.slackUsergroup() + ">)";
        var people = call.members().stream().filter(a -> a.platform() == Platform.SLACK).map(SlackText::mention).toList();
        return people.isEmpty() ? label : label + " (" + String.join(" ", people) + ")";
    }

    private static String render(Card.Value part) {
        if (part instanceof Card.Person p) return SlackText.mention(p.actor());
        if (part instanceof Card.Text t) return SlackText.escape(t.text());
        if (part instanceof Card.TeamCall call) return call(call);
        throw new IllegalArgumentException("not a notice part: " + part);
    }
}
