package org.countersign.domain;

import java.util.Optional;
import java.util.regex.Pattern;

/** The id people say out loud: {@code EMG-42}. */
public record RequestId(long number) implements Comparable<RequestId> {
    private static final Pattern FORM = Pattern.compile("(?i)(?:EMG-)?([1-9][0-9]{0,17})");

    public RequestId {
        if (number < 1) throw new IllegalArgumentException("request number < 1: " + number);
    }

    /** Reads {@code EMG-42}, {@code emg-42} or {@code 42}; empty for anything else. */
    public static Optional<RequestId> parse(String text) {
        if (text == null) return Optional.empty();
        var m = FORM.matcher(text.strip());
        return m.matches() ? Optional.of(new RequestId(Long.parseLong(m.group(1)))) : Optional.empty();
    }

    @Override public int compareTo(RequestId o) { return Long.compare(number, o.number); }

    @Override public String toString() { return "EMG-" + number; }
}
