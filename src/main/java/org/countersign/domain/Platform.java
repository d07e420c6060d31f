package org.countersign.domain;

/**
 * Where an actor's identity was verified. {@code EMAIL} is not a place one acts from: it is a verified address that
 * ties accounts on different platforms to one person (a Slack profile's confirmed email, a Matrix id on a server the
 * policy maps to a mail domain).
 */
public enum Platform {
    SLACK, MATRIX, CONSOLE, WEBHOOK, SYSTEM, EMAIL;

    public String key() { return name().toLowerCase(java.util.Locale.ROOT); }
}
