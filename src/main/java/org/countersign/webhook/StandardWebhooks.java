package org.countersign.webhook;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The Standard Webhooks signature (standardwebhooks.com), both ways: {@code webhook-id}, {@code webhook-timestamp}
 * (unix seconds) and {@code webhook-signature: v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>}, the
 * key being the base64 after {@code whsec_} in the secret. Unlike {@link Signature}'s scheme the id is signed, so a
 * receiver may trust it to deduplicate: a replay cannot come under a new id.
 */
public final class StandardWebhooks {
    public static final String ID = "webhook-id";
    public static final String TIMESTAMP = "webhook-timestamp";
    public static final String SIGNATURE = "webhook-signature";
    static final String PREFIX = "whsec_";
    static final int MIN_KEY_BYTES = 16;

    private StandardWebhooks() {}

    /** What keeps {@code secret} from being a Standard Webhooks secret, said without showing it; empty when it is one. */
    public static Optional<String> problemWith(String secret) {
        if (!secret.startsWith(PREFIX))
            return Optional.of("is not a Standard Webhooks secret: it must start with " + PREFIX + " (then base64)");
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return Optional.of("is not " + PREFIX + " followed by base64");
        }
        return key.length < MIN_KEY_BYTES ? Optional.of("holds a key of " + key.length + " bytes: use at least "
                + MIN_KEY_BYTES + ", e.g. whsec_ and the output of openssl rand -base64 32") : Optional.empty();
    }

    /** The key of a {@code whsec_} secret; empty when the secret is not one. */
    static Optional<byte[]> key(Secret secret) {
        var value = secret.reveal();
        return problemWith(value).isPresent() ? Optional.empty()
                : Optional.of(Base64.getDecoder().decode(value.substring(PREFIX.length())));
    }

    /** {@code v1,<base64>} for this body sent as {@code id} at {@code timestamp} (unix seconds). */
    static String sign(byte[] key, String id, long timestamp, byte[] body) {
        return "v1," + Base64.getEncoder().encodeToString(Signature.hmac(key, id + "." + timestamp + ".", body));
    }

    /**
     * Whether {@code header} holds a valid v1 signature of {@code id} and {@code body} (one of several, separated by
     * spaces, during a key rotation) and the timestamp is within {@link Signature#TOLERANCE} of {@code now}.
     */
    static boolean verify(byte[] key, String id, String timestampHeader, String header, byte[] body, Instant now) {
        if (id == null || header == null) return false;
        var timestamp = Signature.recent(timestampHeader, now);
        if (timestamp.isEmpty()) return false;
        var expected = Signature.hmac(key, id + "." + timestamp.getAsLong() + ".", body);
        for (var part : header.strip().split(" +")) {
            if (!part.startsWith("v1,")) continue;
            try {
                if (MessageDigest.isEqual(expected, Base64.getDecoder().decode(part.substring(3)))) return true;
            } catch (IllegalArgumentException e) {
                // not base64: not this one
            }
        }
        return false;
    }
}
