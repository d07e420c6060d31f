package org.countersign.slack;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Slack's v0 request signature: {@code X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:" + timestamp + ":"
 * + body)>} over the raw body, with {@code X-Slack-Request-Timestamp} within 5 minutes of now, either way. Compared
 * in constant time: Bolt's own verifier uses {@code String.equals}, which answers sooner the earlier a guess goes wrong.
 */
final class SlackRequestSignature {
    static final Duration TOLERANCE = Duration.ofMinutes(5);

    /**
     * One keyed MAC per request thread: finding the provider and keying it was half of what a signature check cost,
     * and {@code doFinal} leaves the MAC keyed and reset for the next body.
     */
    private final ThreadLocal<Mac> macs;

    SlackRequestSignature(String signingSecret) {
        var key = new SecretKeySpec(signingSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                var mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
            }
        });
    }

    /** Whether {@code signature} signs {@code body} sent at {@code timestamp} (unix seconds), and that is recent. */
    boolean valid(String timestamp, String signature, byte[] body, long nowMillis) {
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(nowMillis / 1000 - seconds) > TOLERANCE.toSeconds()) return false;
        var expected = ("v0=" + HexFormat.of().formatHex(hmac(seconds, body))).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, signature.strip().getBytes(StandardCharsets.UTF_8));
    }

    private byte[] hmac(long timestamp, byte[] body) {
        var mac = macs.get();
        mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
        return mac.doFinal(body);
    }
}
