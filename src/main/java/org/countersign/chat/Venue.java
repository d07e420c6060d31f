package org.countersign.chat;

import org.countersign.domain.Disclosure.Place;

/**
 * A chat platform as the conversation speaks of it: what its rooms are called, whether it has the private one that
 * confidential requests need, how its commands are spelled, and what its cards offer beyond commands.
 *
 * @param roomWord          {@code channel} or {@code room}
 * @param securitySetting   the setting that names the private room ({@code SLACK_SECURITY_CHANNEL}), for admins
 * @param takesConfidential whether confidential requests have a place here
 * @param cardTip           one line of help on what a card offers (buttons, reactions), or null
 * @param cardsBelow        true where the cards are shown right under the answer (the console)
 * @param privacy           whether the private room is private now: while it is not, it is spoken to as an open one
 */
public record Venue(String roomWord, String securitySetting, boolean takesConfidential, Syntax syntax, String cardTip,
                    boolean cardsBelow, Privacy privacy) {

    /** A chat platform with an ops room and, when {@code takesConfidential}, a private security room. */
    public static Venue chat(String roomWord, String securitySetting, boolean takesConfidential, Syntax syntax,
                             String cardTip) {
        return new Venue(roomWord, securitySetting, takesConfidential, syntax, cardTip, false, Privacy.ASSUMED);
    }

    /** The same platform, its security room checked by {@code privacy}. */
    public Venue watchedBy(Privacy privacy) {
        return new Venue(roomWord, securitySetting, takesConfidential, syntax, cardTip, cardsBelow, privacy);
    }

    /** A page only its reader sees, with the cards under the answers. */
    public static Venue page(Syntax syntax, String cardTip) {
        return new Venue("page", null, true, syntax, cardTip, true, Privacy.ASSUMED);
    }

    /**
     * Said in the ops room (everyone reads the answer), or in the private security one; a security room that is not
     * private now is answered as an open room, so nothing confidential is said there.
     */
    public Where room(boolean security) {
        return new Where(this, security && privacy.isPrivate() ? Where.Kind.SECURITY_ROOM : Where.Kind.ROOM);
    }

    /** Said where only the person sees the answer (a form, a page of their own). */
    public Where alone() { return new Where(this, Where.Kind.ALONE); }

    /** Where people find the card of a request: {@code below}, {@code in the security channel}. */
    String cardLocation(Place place) {
        if (cardsBelow) return "below";
        return "in the " + (place == Place.SECURITY ? "security " : "ops ") + roomWord;
    }
}
