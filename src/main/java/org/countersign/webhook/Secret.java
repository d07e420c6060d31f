package org.countersign.webhook;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** A shared secret read from the environment at start; never shown in logs, messages or toString. */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException("a secret must not be empty");
        return new Secret(value);
    }

    /** The value itself, for signing and for formats that carry it (PagerDuty's routing key). */
    String reveal() { return value; }

    byte[] bytes() { return value.getBytes(StandardCharsets.UTF_8); }

    @Override
    public boolean equals(Object o) { return o instanceof Secret s && s.value.equals(value); }

    @Override
    public int hashCode() { return Objects.hash(value); }

    @Override
    public String toString() { return "****"; }
}
