package org.countersign.receipt;

import java.security.PublicKey;
import java.util.List;
import java.util.Map;

/** Public keys as a JSON Web Key Set (RFC 7517, with RFC 8037's OKP keys): what a pipeline fetches to verify with. */
public final class Jwks {
    private Jwks() {}

    /** {@code {"keys": [{"kty": "OKP", "crv": "Ed25519", "kid", "x", "alg": "EdDSA", "use": "sig"}, …]}}. */
    public static Map<String, Object> of(Map<String, PublicKey> keys) {
        List<Object> list = keys.entrySet().stream().<Object>map(k -> Canonical.object("kty", "OKP", "crv", "Ed25519",
                "kid", k.getKey(), "x", SigningKeys.x(k.getValue()), "alg", "EdDSA", "use", "sig")).toList();
        return Map.of("keys", list);
    }
}
