package org.countersign.web;

import static org.countersign.web.Html.esc;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.countersign.chat.Card;
import org.countersign.chat.Card.Links;
import org.countersign.chat.Card.Person;
import org.countersign.chat.Card.Text;
import org.countersign.chat.Card.Time;
import org.countersign.domain.Policy;

/** The platform-neutral card as HTML for the console: the same title, fields, team lines and buttons as in Slack. */
final class CardHtml {
    private CardHtml() {}

    /**
     * The card for one person; {@code redacted} leaves out every field and button (a confidential request seen by someone outside its
     * teams), keeping its id, state and teams. {@code whyNot} gives, for each button, why they may not press it; those buttons are
     * turned off (aria-disabled, so they keep their place in the tab order) with the reason on hover and as their
     * accessible description.
     */
    static String render(Card card, Policy policy, boolean redacted, Function<Card.Button, Optional<String>> whyNot) {
        var state = card.state().name().toLowerCase(Locale.ROOT);
        var html = new StringBuilder();
        html.append("<article class=\"card card-").append(esc(state)).append("\" id=\"card-").append(esc(card.requestId()))
                .append("\" data-request=\"").append(esc(card.requestId())).append("\" data-state=\"")
                .append(esc(card.state().name())).append("\">")
                .append("<header><h3><a href=\"/requests/").append(esc(card.requestId())).append("\">")
                .append(esc(redacted ? card.requestId() + " · Confidential" : card.title())).append("</a></h3>").append(Dashboard.state(card.state().name()))
                .append("</header><p class=\"status\">").append(esc(card.status())).append("</p>");
        if (redacted) {
            html.append("<p class=\"notice\">Confidential: only the requester and the members of its teams see ")
                    .append("the details and the buttons.</p>");
        } else {
            html.append("<dl class=\"fields\">");
            for (var f : card.fields())
                html.append("<dt>").append(esc(f.label())).append("</dt><dd>").append(value(f.value(), policy))
                        .append("</dd>");
            html.append("</dl>");
        }
        html.append("<ul class=\"teams\">");
        for (var t : card.teams()) {
            var mark = switch (t.status()) {
                case APPROVED -> "✓";
                case REJECTED -> "✗";
                case WAITING -> "…";
                case NOT_APPROVED -> "–";
            };
            html.append("<li class=\"team ").append(t.status().name().toLowerCase(Locale.ROOT)).append("\" data-team=\"")
                    .append(esc(t.team())).append("\">").append(mark).append(" <strong>").append(esc(t.label()))
                    .append("</strong> ");
            if (t.signatures().isEmpty() || redacted)
                html.append(esc(t.standing()));
            else html.append("approved by ").append(t.signatures().stream()
                    .map(s -> Html.actor(s.by().toString(), policy) + " at " + Html.time(s.at()))
                    .collect(Collectors.joining(", ")));
            html.append("</li>");
        }
        html.append("</ul>");
        if (!redacted && !card.buttons().isEmpty()) {
            html.append("<div class=\"buttons\">");
            int n = 0;
            for (var b : card.buttons()) {
                var why = whyNot.apply(b);
                var whyId = "why-" + card.requestId() + "-" + n++;
                html.append("<button type=\"button\" class=\"btn ").append(b.style().name().toLowerCase(Locale.ROOT))
                        .append("\" data-action=\"").append(esc(b.action().key())).append("\"")
                        .append(b.team() == null ? "" : " data-team=\"" + esc(b.team()) + "\"");
                why.ifPresent(w -> html.append(" aria-disabled=\"true\" title=\"").append(esc(w))
                        .append("\" aria-describedby=\"").append(esc(whyId)).append("\""));
                html.append(">").append(esc(b.label())).append("</button>");
                why.ifPresent(w -> html.append("<span class=\"why\" id=\"").append(esc(whyId)).append("\" hidden>")
                        .append(esc(w)).append("</span>"));
            }
            html.append("</div>");
        }
        html.append("</article>");
        return html.toString();
    }

    private static String value(Card.Value value, Policy policy) {
        if (value instanceof Text t) return "<span class=\"text\">" + esc(t.text()) + "</span>";
        if (value instanceof Person p) return Html.actor(p.actor().toString(), policy);
        if (value instanceof Links l)
            return l.refs().stream().map(Dashboard::link).collect(Collectors.joining("<br>"));
        if (value instanceof Time t) return Html.time(t.at());
        return "";
    }
}
