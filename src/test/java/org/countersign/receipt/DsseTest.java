package org.countersign.receipt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DsseTest {
    private static final byte[] BODY = "{\"_type\":\"https://in-toto.io/Statement/v1\"}".getBytes(StandardCharsets.UTF_8);
    private final SigningKeys keys = SigningKeys.ephemeral();

    @Test
    void pae_is_the_specs_test_vector() {
        var pae = Dsse.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8));

        assertThat(new String(pae, StandardCharsets.UTF_8)).isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
    }

    @Test
    void pae_counts_bytes_not_characters() {
        var pae = Dsse.pae("t", "é".getBytes(StandardCharsets.UTF_8));

        assertThat(new String(pae, StandardCharsets.UTF_8)).isEqualTo("DSSEv1 1 t 2 é");
    }

    @Test
    void a_signed_envelope_carries_the_payload_base64_and_one_signature_by_the_signing_key() {
        var envelope = Dsse.sign(Dsse.IN_TOTO, BODY, keys);

        assertThat(envelope.payloadType()).isEqualTo("application/vnd.in-toto+json");
        assertThat(Base64.getDecoder().decode(envelope.payload())).isEqualTo(BODY);
        assertThat(envelope.signatures()).singleElement().extracting(Dsse.Sig::keyid).isEqualTo(keys.kid());
        assertThat(Dsse.verifiedBy(envelope, Dsse.IN_TOTO, keys.published())).contains(keys.kid());
    }

    @Test
    void signing_the_same_body_twice_gives_the_same_envelope() {
        assertThat(Dsse.sign(Dsse.IN_TOTO, BODY, keys)).isEqualTo(Dsse.sign(Dsse.IN_TOTO, BODY, keys));
    }

    @Test
    void a_changed_payload_byte_is_refused() {
        var envelope = Dsse.sign(Dsse.IN_TOTO, BODY, keys);
        var tampered = BODY.clone();
        tampered[tampered.length - 3] ^= 1;

        var changed = new Dsse.Envelope(envelope.payloadType(), Base64.getEncoder().encodeToString(tampered),
                envelope.signatures());

        assertThat(Dsse.verifiedBy(changed, Dsse.IN_TOTO, keys.published())).isEmpty();
    }

    @Test
    void a_changed_signature_is_refused() {
        var envelope = Dsse.sign(Dsse.IN_TOTO, BODY, keys);
        var sig = Base64.getDecoder().decode(envelope.signatures().get(0).sig());
        sig[10] ^= 0x40;

        var changed = new Dsse.Envelope(envelope.payloadType(), envelope.payload(),
                List.of(new Dsse.Sig(keys.kid(), Base64.getEncoder().encodeToString(sig))));

        assertThat(Dsse.verifiedBy(changed, Dsse.IN_TOTO, keys.published())).isEmpty();
    }

    @Test
    void a_signature_by_another_key_is_refused_even_under_the_trusted_keys_id() {
        var other = SigningKeys.ephemeral();
        var forged = Dsse.sign(Dsse.IN_TOTO, BODY, other);
        var claimed = new Dsse.Envelope(forged.payloadType(), forged.payload(),
                List.of(new Dsse.Sig(keys.kid(), forged.signatures().get(0).sig())));

        assertThat(Dsse.verifiedBy(claimed, Dsse.IN_TOTO, keys.published())).isEmpty();
    }

    @Test
    void another_payload_type_is_refused_though_the_signature_covers_it() {
        var envelope = Dsse.sign("application/json", BODY, keys);

        assertThat(Dsse.verifiedBy(envelope, Dsse.IN_TOTO, keys.published())).isEmpty();
    }

    @Test
    void a_payload_type_swapped_after_signing_is_refused() {
        var envelope = Dsse.sign("application/json", BODY, keys);
        var swapped = new Dsse.Envelope(Dsse.IN_TOTO, envelope.payload(), envelope.signatures());

        assertThat(Dsse.verifiedBy(swapped, Dsse.IN_TOTO, keys.published())).isEmpty();
    }

    @Test
    void url_safe_base64_is_read_as_dsse_allows() {
        var envelope = Dsse.sign(Dsse.IN_TOTO, BODY, keys);
        var urlSafe = new Dsse.Envelope(envelope.payloadType(),
                Base64.getUrlEncoder().encodeToString(BODY), List.of(new Dsse.Sig(null, Base64.getUrlEncoder()
                        .encodeToString(Base64.getDecoder().decode(envelope.signatures().get(0).sig())))));

        assertThat(Dsse.verifiedBy(urlSafe, Dsse.IN_TOTO, keys.published())).contains(keys.kid());
    }

    @Test
    void garbage_in_the_envelope_is_refused_not_thrown() {
        var garbage = new Dsse.Envelope(Dsse.IN_TOTO, "%%%", List.of(new Dsse.Sig("x", "!!")));
        var noSig = new Dsse.Envelope(Dsse.IN_TOTO, "e30=", List.of(new Dsse.Sig("x", null)));

        assertThat(Dsse.verifiedBy(garbage, Dsse.IN_TOTO, keys.published())).isEmpty();
        assertThat(Dsse.verifiedBy(noSig, Dsse.IN_TOTO, keys.published())).isEmpty();
        assertThat(Dsse.verifiedBy(Dsse.sign(Dsse.IN_TOTO, BODY, keys), Dsse.IN_TOTO, Map.of())).isEmpty();
    }
}
