package org.countersign.slack;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * What Slack signs and POSTs, {@code application/x-www-form-urlencoded} ({@code +} is a space, {@code %XX} a byte),
 * read straight from the bytes as sent. Bolt's parser decodes through {@code URLDecoder} into Strings and builds its
 * payload objects with a Gson of its own for each request, which the profile showed to be most of a typed command's
 * and a press's CPU.
 */
final class FormBody {
    /** Each byte's value as a hex digit, or -1 (a table: Character.digit was half of decoding a press). */
    private static final byte[] HEX = new byte[256];

    static {
        Arrays.fill(HEX, (byte) -1);
        for (int i = 0; i < 10; i++) HEX['0' + i] = (byte) i;
        for (int i = 0; i < 6; i++) {
            HEX['a' + i] = (byte) (10 + i);
            HEX['A' + i] = (byte) (10 + i);
        }
    }

    /** How an interaction's body starts: it is always the one field {@code payload}, its JSON form-encoded. */
    static final byte[] PAYLOAD = "payload=".getBytes(StandardCharsets.US_ASCII);

    private FormBody() {}

    /** Whether {@code form} is an interaction's ({@link #PAYLOAD}…). */
    static boolean isInteraction(byte[] form) {
        return form.length >= PAYLOAD.length && Arrays.equals(form, 0, PAYLOAD.length, PAYLOAD, 0, PAYLOAD.length);
    }

    /**
     * Decodes {@code form[from..to)}, one form value, into {@code into}; its length, or -1 when it is not one value so
     * encoded (another field after an {@code &}, a broken {@code %} sequence).
     */
    static int decode(byte[] form, int from, int to, byte[] into) {
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = form[i];
            if (b == '%') {
                if (i + 2 >= to) return -1;
                int high = HEX[form[i + 1] & 0xff];
                int low = HEX[form[i + 2] & 0xff];
                if (high < 0 || low < 0) return -1;
                into[n++] = (byte) (high << 4 | low);
                i += 2;
            } else if (b == '&') {
                return -1;
            } else {
                into[n++] = b == '+' ? (byte) ' ' : b;
            }
        }
        return n;
    }

    /**
     * Every field of {@code form}, its name and value decoded as UTF-8 (a field without {@code =} has the empty value);
     * null when the form is not well encoded, or names a field twice (which of the two counts would then be a guess).
     */
    static Map<String, String> fields(byte[] form) {
        var fields = new HashMap<String, String>();
        var buffer = new byte[form.length];
        int start = 0;
        while (start <= form.length) {
            int end = indexOf(form, (byte) '&', start, form.length);
            if (end > start) {
                int equals = indexOf(form, (byte) '=', start, end);
                var name = text(form, start, equals, buffer);
                var value = equals < end ? text(form, equals + 1, end, buffer) : "";
                if (name == null || value == null || name.isEmpty() || fields.put(name, value) != null) return null;
            }
            start = end + 1;
        }
        return fields;
    }

    private static String text(byte[] form, int from, int to, byte[] buffer) {
        int length = decode(form, from, to, buffer);
        return length < 0 ? null : new String(buffer, 0, length, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] form, byte wanted, int from, int to) {
        for (int i = from; i < to; i++) if (form[i] == wanted) return i;
        return to;
    }
}
