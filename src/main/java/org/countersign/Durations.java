package org.countersign;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads the durations people write in config and policy files: {@code 90s}, {@code 60m}, {@code 2h}, {@code 1d}, {@code PT1H}. */
public final class Durations {
    /** What to tell someone who wrote something else. */
    public static final String EXPECTED = "a duration such as 90s, 60m, 2h, 1d or PT1H";

    private static final Pattern SHORT = Pattern.compile("([0-9]{1,9})\\s*([smhd])");

    private Durations() {}

    /** The duration {@code text} says, or empty when it is not one of the accepted forms. */
    public static Optional<Duration> parse(String text) {
        if (text == null) return Optional.empty();
        var s = text.strip();
        var m = SHORT.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return Optional.of(switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        if (s.length() > 1 && (s.charAt(0) == 'P' || s.charAt(0) == 'p')) {
            try {
                return Optional.of(Duration.parse(s));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
