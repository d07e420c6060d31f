package org.countersign.receipt;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Dead Simple Signing Envelopes (github.com/secure-systems-lab/dsse): a payload, its type, and signatures over
 * {@link #pae the pre-authentication encoding} of both, so neither can be swapped without breaking the signature.
 */
public final class Dsse {
    /** The payload type of an in-toto Statement. */
    public static final String IN_TOTO = "application/vnd.in-toto+json";

    private Dsse() {}

    /** One signature: the key's id (a hint for picking the key, never trusted) and the Ed25519 signature, base64. */
    public record Sig(String keyid, String sig) {}

    /** The envelope as JSON carries it: the payload base64-encoded. */
    public record Envelope(String payloadType, String payload, List<Sig> signatures) {
        public Envelope {
            Objects.requireNonNull(payloadType, "payloadType");
            Objects.requireNonNull(payload, "payload");
            signatures = List.copyOf(signatures);
        }

        /** The payload's bytes; empty when it is not base64 (standard or URL-safe, as DSSE allows). */
        public Optional<byte[]> payloadBytes() { return decode(payload); }
    }

    /** {@code "DSSEv1" SP len(type) SP type SP len(body) SP body}, lengths in bytes as ASCII decimal. */
    public static byte[] pae(String payloadType, byte[] body) {
        var type = payloadType.getBytes(StandardCharsets.UTF_8);
        var out = new ByteArrayOutputStream(body.length + type.length + 32);
        out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(type);
        out.writeBytes((" " + body.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** The body signed with {@code key}, in an envelope of one signature. */
    public static Envelope sign(String payloadType, byte[] body, SigningKeys keys) {
        var sig = keys.sign(pae(payloadType, body));
        return new Envelope(payloadType, Base64.getEncoder().encodeToString(body),
                List.of(new Sig(keys.kid(), Base64.getEncoder().encodeToString(sig))));
    }

    /**
     * The id of the first key among {@code trusted} (key id to public key) whose signature on the envelope holds;
     * empty when none does, or the envelope is not well formed. Every trusted key is tried for every signature: the
     * key id is only a hint.
     */
    public static Optional<String> verifiedBy(Envelope envelope, String expectedType, Map<String, PublicKey> trusted) {
        if (!expectedType.equals(envelope.payloadType())) return Optional.empty();
        var body = envelope.payloadBytes();
        if (body.isEmpty()) return Optional.empty();
        var pae = pae(envelope.payloadType(), body.get());
        for (var s : envelope.signatures()) {
            var sig = s == null || s.sig() == null ? Optional.<byte[]>empty() : decode(s.sig());
            if (sig.isEmpty()) continue;
            for (var key : trusted.entrySet())
                if (verifies(key.getValue(), pae, sig.get())) return Optional.of(key.getKey());
        }
        return Optional.empty();
    }

    static boolean verifies(PublicKey key, byte[] message, byte[] signature) {
        try {
            var verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static Optional<byte[]> decode(String base64) {
        try {
            return Optional.of(Base64.getDecoder().decode(base64));
        } catch (IllegalArgumentException e) {
            try {
                return Optional.of(Base64.getUrlDecoder().decode(base64));
            } catch (IllegalArgumentException e2) {
                return Optional.empty();
            }
        }
    }
}
