package org.countersign.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeysTest {
    /** RFC 8037, appendix A.1 and A.3: an Ed25519 private key, its public key and the JWK thumbprint of that. */
    static final String RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    static final String RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    static final String RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

    @TempDir
    Path dataDir;

    static String rfc8037Pem() {
        var der = HexFormat.of().parseHex("302e020100300506032b657004220420");
        var d = Base64.getUrlDecoder().decode(RFC8037_D);
        var pkcs8 = new byte[der.length + d.length];
        System.arraycopy(der, 0, pkcs8, 0, der.length);
        System.arraycopy(d, 0, pkcs8, der.length, d.length);
        return SigningKeys.pem("PRIVATE KEY", pkcs8);
    }

    @Test
    void a_pem_private_key_signs_under_its_rfc_7638_thumbprint_and_its_public_key_is_derived() {
        var keys = SigningKeys.load(rfc8037Pem(), null, dataDir);

        assertThat(keys.kid()).isEqualTo(RFC8037_THUMBPRINT);
        assertThat(SigningKeys.x(keys.published().get(keys.kid()))).isEqualTo(RFC8037_X);
        assertThat(keys.source()).isEqualTo("RECEIPT_SIGNING_KEY");
        assertThat(dataDir.resolve(SigningKeys.DIR)).doesNotExist();
    }

    @Test
    void the_setting_may_name_a_file_holding_the_key() throws Exception {
        var file = Files.writeString(dataDir.resolve("receipt-key.pem"), rfc8037Pem());

        var keys = SigningKeys.load(file.toString(), null, dataDir);

        assertThat(keys.kid()).isEqualTo(RFC8037_THUMBPRINT);
        assertThat(keys.source()).contains(file.toString());
    }

    @Test
    void a_pem_pasted_with_its_line_breaks_as_backslash_n_is_read() {
        var keys = SigningKeys.load(rfc8037Pem().replace("\n", "\\n"), null, dataDir);

        assertThat(keys.kid()).isEqualTo(RFC8037_THUMBPRINT);
    }

    @Test
    void a_key_made_by_openssl_genpkey_is_read() throws Exception {
        var file = dataDir.resolve("openssl.pem");
        var openssl = new ProcessBuilder("openssl", "genpkey", "-algorithm", "ed25519", "-out", file.toString())
                .redirectErrorStream(true).start();
        assertThat(openssl.waitFor()).as(new String(openssl.getInputStream().readAllBytes())).isZero();

        var keys = SigningKeys.load(file.toString(), null, dataDir);

        var envelope = Dsse.sign(Dsse.IN_TOTO, "{}".getBytes(StandardCharsets.UTF_8), keys);
        assertThat(Dsse.verifiedBy(envelope, Dsse.IN_TOTO, keys.published())).contains(keys.kid());
    }

    @Test
    void without_the_setting_a_key_is_generated_once_kept_for_the_owner_only_and_used_again() throws Exception {
        var first = SigningKeys.load(null, null, dataDir);
        var second = SigningKeys.load(null, null, dataDir);

        var file = dataDir.resolve(SigningKeys.DIR).resolve(SigningKeys.GENERATED);
        assertThat(file).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(second.kid()).isEqualTo(first.kid());
        assertThat(second.published()).hasSize(1);
        assertThat(first.source()).contains(file.toString());
    }

    @Test
    void a_rotated_key_stays_listed_when_the_generated_one_is_renamed() throws Exception {
        var old = SigningKeys.load(null, null, dataDir);
        var dir = dataDir.resolve(SigningKeys.DIR);
        Files.move(dir.resolve(SigningKeys.GENERATED), dir.resolve("previous-1.pem"));

        var rotated = SigningKeys.load(null, null, dataDir);

        assertThat(rotated.kid()).isNotEqualTo(old.kid());
        assertThat(rotated.published().keySet()).containsExactly(rotated.kid(), old.kid());
    }

    @Test
    void moving_to_a_configured_key_keeps_the_generated_one_listed() {
        var generated = SigningKeys.load(null, null, dataDir);

        var configured = SigningKeys.load(rfc8037Pem(), null, dataDir);

        assertThat(configured.published().keySet()).containsExactly(RFC8037_THUMBPRINT, generated.kid());
    }

    @Test
    void previous_keys_are_listed_from_public_pem_private_pem_or_files() throws Exception {
        var a = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        var b = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        var fileB = Files.writeString(dataDir.resolve("b.pem"), SigningKeys.pem("PRIVATE KEY", b.getPrivate().getEncoded()));

        var fromPem = SigningKeys.load(rfc8037Pem(), SigningKeys.publicPem(a.getPublic()), dataDir);
        var fromFiles = SigningKeys.load(rfc8037Pem(), " " + fileB + " ,", dataDir);

        assertThat(fromPem.published().keySet()).containsExactly(RFC8037_THUMBPRINT, SigningKeys.kidOf(a.getPublic()));
        assertThat(fromFiles.published().keySet()).containsExactly(RFC8037_THUMBPRINT, SigningKeys.kidOf(b.getPublic()));
    }

    @Test
    void a_jwk_x_gives_back_the_same_public_key() {
        var keys = SigningKeys.ephemeral();
        var key = keys.published().get(keys.kid());

        assertThat(SigningKeys.fromX(SigningKeys.x(key))).isEqualTo(key);
    }

    @Test
    void keys_that_cannot_sign_receipts_are_refused_with_every_problem_and_never_the_key() throws Exception {
        var rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        var rsaPem = SigningKeys.pem("PRIVATE KEY", rsa.getPrivate().getEncoded());

        assertThat(SigningKeys.problems(rsaPem, "/nowhere/old.pem")).satisfiesExactly(
                p -> assertThat(p).startsWith("RECEIPT_SIGNING_KEY (hidden) is not an Ed25519 private key")
                        .contains("openssl genpkey -algorithm ed25519").doesNotContain(rsaPem.substring(40, 80)),
                p -> assertThat(p).startsWith("RECEIPT_PREVIOUS_KEYS (/nowhere/old.pem): no such file /nowhere/old.pem"));
        assertThat(SigningKeys.problems("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----",
                null)).singleElement().asString().contains("decrypt it: openssl pkey");
        assertThat(SigningKeys.problems("-----BEGIN PRIVATE KEY-----\nnot base64 at all\n", null)).singleElement()
                .asString().startsWith("RECEIPT_SIGNING_KEY (hidden) holds no PEM block");
        assertThat(SigningKeys.problems(null, null)).isEmpty();
        assertThatThrownBy(() -> SigningKeys.load(rsaPem, null, dataDir)).isInstanceOf(SigningKeys.Invalid.class)
                .hasMessageContaining("not an Ed25519 private key");
    }

    @Test
    void a_data_directory_that_cannot_be_written_says_what_to_do() throws Exception {
        var file = Files.writeString(dataDir.resolve("a-file"), "not a directory");

        assertThatThrownBy(() -> SigningKeys.load(null, null, file)).isInstanceOf(SigningKeys.Invalid.class)
                .hasMessageContaining("cannot keep the receipt signing key in " + file.resolve(SigningKeys.DIR))
                .hasMessageContaining("set DATA_DIR to a directory Countersign may write, or set RECEIPT_SIGNING_KEY");
    }
}
