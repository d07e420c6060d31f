package org.countersign.domain;

/** Where an actor's identity was verified. */
public enum Platform {
    SLACK, MATRIX, CONSOLE, WEBHOOK, SYSTEM;

    public String key() { return name().toLowerCase(java.util.Locale.ROOT); }
}
