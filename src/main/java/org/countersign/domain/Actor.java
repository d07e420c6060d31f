package org.countersign.domain;

import java.util.Objects;

/** A verified user id on one platform, never a display name: {@code slack:U0SRE1}. */
public record Actor(Platform platform, String id) {
    public static final Actor SYSTEM = new Actor(Platform.SYSTEM, "countersign");

    public Actor {
        Objects.requireNonNull(platform, "platform");
        if (id == null || id.isBlank()) throw new IllegalArgumentException("actor id is blank");
    }

    public static Actor slack(String id) { return new Actor(Platform.SLACK, id); }

    public static Actor matrix(String id) { return new Actor(Platform.MATRIX, id); }

    /**
     * An IRC services account, folded as IRC folds names (RFC 1459: ASCII lower case, and {@code []\~} are
     * {@code {}|^}), so {@code Alice} and {@code alice} are one account, as the network's services hold them.
     */
    public static Actor irc(String account) {
        if (account == null) throw new IllegalArgumentException("actor id is blank");
        var folded = new StringBuilder(account.length());
        for (int i = 0; i < account.length(); i++) {
            char c = account.charAt(i);
            folded.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c == '[' ? '{' : c == ']' ? '}' : c == '\\' ? '|'
                    : c == '~' ? '^' : c);
        }
        return new Actor(Platform.IRC, folded.toString());
    }

    /** Reads {@code slack:U0SRE1}. */
    public static Actor parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon < 1) throw new IllegalArgumentException("not platform:id: " + text);
        Platform platform;
        try {
            platform = Platform.valueOf(text.substring(0, colon).toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown platform in " + text);
        }
        return new Actor(platform, text.substring(colon + 1));
    }

    @Override public String toString() { return platform.key() + ":" + id; }
}
