package org.countersign.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature on every webhook, both ways: {@code Countersign-Signature: v1=<hex HMAC-SHA256(secret,
 * timestamp + "." + body)>} with {@code Countersign-Timestamp} in unix seconds, as Stripe and Slack do. The
 * {@code Countersign-Delivery} id is not signed: {@link StandardWebhooks} signs the id too.
 */
public final class Signature {
    public static final String EVENT = "Countersign-Event";
    public static final String DELIVERY = "Countersign-Delivery";
    public static final String TIMESTAMP = "Countersign-Timestamp";
    public static final String SIGNATURE = "Countersign-Signature";
    /** How far a timestamp may be from now, either way, before a signed request counts as a replay. */
    public static final Duration TOLERANCE = Duration.ofMinutes(5);

    private Signature() {}

    /** {@code v1=<hex>} for this body sent at {@code timestamp} (unix seconds). */
    public static String sign(Secret secret, long timestamp, byte[] body) {
        return "v1=" + HexFormat.of().formatHex(hmac(secret.bytes(), timestamp + ".", body));
    }

    /**
     * Whether {@code header} holds a valid v1 signature (one of several, comma-separated, during a secret
     * rotation) and {@code timestampHeader} is within {@link #TOLERANCE} of {@code now}.
     */
    public static boolean verify(Secret secret, String timestampHeader, String header, byte[] body, Instant now) {
        if (header == null) return false;
        var timestamp = recent(timestampHeader, now);
        if (timestamp.isEmpty()) return false;
        var expected = hmac(secret.bytes(), timestamp.getAsLong() + ".", body);
        for (var part : header.split(",")) {
            var p = part.strip();
            if (!p.startsWith("v1=")) continue;
            byte[] given;
            try {
                given = HexFormat.of().parseHex(p.substring(3));
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (MessageDigest.isEqual(expected, given)) return true;
        }
        return false;
    }

    /** The timestamp header (unix seconds) when it is a number within {@link #TOLERANCE} of now; else empty. */
    static OptionalLong recent(String timestampHeader, Instant now) {
        if (timestampHeader == null) return OptionalLong.empty();
        try {
            long timestamp = Long.parseLong(timestampHeader.strip());
            return Math.abs(now.getEpochSecond() - timestamp) > TOLERANCE.toSeconds() ? OptionalLong.empty()
                    : OptionalLong.of(timestamp);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** HMAC-SHA256 with {@code key} of {@code prefix} (UTF-8) then {@code body}. */
    static byte[] hmac(byte[] key, String prefix, byte[] body) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(prefix.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
