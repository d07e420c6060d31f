package org.countersign.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Instants in the domain's JSON as {@link Instant#toString()} writes them ({@code 2026-12-03T11:28:42.123Z}: UTC,
 * seconds always, the fraction in zero, three, six or nine digits), written and read without
 * {@link java.time.format.DateTimeFormatter}, whose general machinery was a tenth of reading or writing a request
 * (a request holds a dozen instants, a list reads twenty requests). Anything else is left to Jackson's own: years
 * outside 1970–9999 when writing; offsets, other fractions, numbers and the like when reading.
 */
final class IsoInstants {
    private IsoInstants() {}

    /** 10000-01-01T00:00:00Z: from here on Instant.toString writes a sign and five digits. */
    private static final long YEAR_10000 = 253_402_300_800L;

    /** The text {@link Instant#toString()} gives. */
    static String text(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < 0 || seconds >= YEAR_10000) return instant.toString();
        var date = LocalDate.ofEpochDay(seconds / 86_400);
        int ofDay = (int) (seconds % 86_400);
        int nano = instant.getNano();
        var out = new char[30];
        digits(out, 0, date.getYear(), 4);
        out[4] = '-';
        digits(out, 5, date.getMonthValue(), 2);
        out[7] = '-';
        digits(out, 8, date.getDayOfMonth(), 2);
        out[10] = 'T';
        digits(out, 11, ofDay / 3600, 2);
        out[13] = ':';
        digits(out, 14, ofDay / 60 % 60, 2);
        out[16] = ':';
        digits(out, 17, ofDay % 60, 2);
        int at = 19;
        if (nano != 0) {
            out[at++] = '.';
            if (nano % 1_000_000 == 0) {
                digits(out, at, nano / 1_000_000, 3);
                at += 3;
            } else if (nano % 1_000 == 0) {
                digits(out, at, nano / 1_000, 6);
                at += 6;
            } else {
                digits(out, at, nano, 9);
                at += 9;
            }
        }
        out[at++] = 'Z';
        return new String(out, 0, at);
    }

    /**
     * The instant in {@code text} when it is in the form {@link #text} writes (a fraction of 1 to 9 digits allowed),
     * a real date and time of day; null otherwise, for the general parser to decide.
     */
    static Instant parse(String text) {
        int length = text.length();
        if (length < 20 || length > 30 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-'
                || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':')
            return null;
        int year = number(text, 0, 4);
        int month = number(text, 5, 2);
        int day = number(text, 8, 2);
        int hour = number(text, 11, 2);
        int minute = number(text, 14, 2);
        int second = number(text, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59) return null;
        int nano = 0;
        if (length > 20) {
            int digits = length - 21;
            if (text.charAt(19) != '.' || digits < 1 || digits > 9) return null;
            nano = number(text, 20, digits);
            if (nano < 0) return null;
            for (int i = digits; i < 9; i++) nano *= 10;
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return null; // 2026-02-30 and the like: the general parser gives the error
        }
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second, nano);
    }

    private static void digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** The decimal number in {@code text[at, at + width)}, or -1 when a character there is not an ASCII digit. */
    private static int number(String text, int at, int width) {
        int value = 0;
        for (int i = at; i < at + width; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return -1;
            value = value * 10 + (c - '0');
        }
        return value;
    }

    static final class Serializer extends StdSerializer<Instant> {
        Serializer() { super(Instant.class); }

        @Override
        public void serialize(Instant value, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeString(text(value));
        }
    }

    static final class Deserializer extends StdDeserializer<Instant> {
        Deserializer() { super(Instant.class); }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext context) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                var instant = parse(p.getText());
                if (instant != null) return instant;
            }
            return InstantDeserializer.INSTANT.deserialize(p, context);
        }
    }
}
