package org.countersign.receipt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Ed25519 key receipts are signed with, and every public key that signed receipts before it (so a receipt signed
 * before a rotation still verifies). The key comes from {@code RECEIPT_SIGNING_KEY} (PEM PKCS#8, or the path of a file
 * holding it); without it, one is generated once and kept in {@code DATA_DIR/receipt-keys/signing-key.pem}. Older public
 * keys come from {@code RECEIPT_PREVIOUS_KEYS} (PEM, or comma-separated files) and from every other {@code .pem} file
 * in that directory. A key's id is its RFC 7638 JWK thumbprint.
 */
public final class SigningKeys {
    static final String DIR = "receipt-keys";
    static final String GENERATED = "signing-key.pem";
    /** How an X.509 SubjectPublicKeyInfo of an Ed25519 key starts; the 32 key bytes follow. */
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private final PrivateKey privateKey;
    private final String kid;
    private final Map<String, PublicKey> published;
    private final String source;

    private SigningKeys(KeyPair pair, List<PublicKey> previous, String source) {
        this.privateKey = pair.getPrivate();
        this.kid = kidOf(pair.getPublic());
        var keys = new LinkedHashMap<String, PublicKey>();
        keys.put(kid, pair.getPublic());
        previous.forEach(k -> keys.putIfAbsent(kidOf(k), k));
        this.published = Collections.unmodifiableMap(keys);
        this.source = source;
    }

    /**
     * The keys from the settings, or a key generated once under {@code dataDir}.
     *
     * @param signingKey   RECEIPT_SIGNING_KEY: PEM or a file path; null to use (or make) the generated one
     * @param previousKeys RECEIPT_PREVIOUS_KEYS: PEM blocks or comma-separated file paths; null for none
     * @throws Invalid listing every problem with the settings or the key directory
     */
    public static SigningKeys load(String signingKey, String previousKeys, Path dataDir) {
        var problems = new ArrayList<String>();
        var previous = new ArrayList<PublicKey>(previousKeys == null ? List.of() : PemKeys.publicKeys(previousKeys, problems));
        var dir = dataDir.resolve(DIR);
        KeyPair pair = null;
        String source;
        if (signingKey != null) {
            pair = PemKeys.privateKey("RECEIPT_SIGNING_KEY", signingKey, problems);
            source = signingKey.contains("-----BEGIN") ? "RECEIPT_SIGNING_KEY" : "RECEIPT_SIGNING_KEY (" + signingKey.strip() + ")";
        } else {
            source = "generated, kept in " + dir.resolve(GENERATED);
            try {
                pair = generatedIn(dir, problems);
            } catch (IOException e) {
                problems.add("cannot keep the receipt signing key in " + dir + ": " + e.getMessage()
                        + "; set DATA_DIR to a directory Countersign may write, or set RECEIPT_SIGNING_KEY");
            }
        }
        previous.addAll(keptIn(dir, signingKey == null, problems));
        if (!problems.isEmpty()) throw new Invalid(problems);
        return new SigningKeys(pair, previous, source);
    }

    /** A key that lives as long as this object: for tests and an app built without settings. */
    public static SigningKeys ephemeral() { return new SigningKeys(newPair(), List.of(), "ephemeral, in memory"); }

    /** Signs with {@code pair} and publishes {@code previous} beside it (tests; instances handed the same key). */
    public static SigningKeys of(KeyPair pair, List<PublicKey> previous) { return new SigningKeys(pair, previous, "given"); }

    /** Every problem with the two settings, without touching the data directory; empty when they can be used. */
    public static List<String> problems(String signingKey, String previousKeys) {
        var problems = new ArrayList<String>();
        if (signingKey != null) PemKeys.privateKey("RECEIPT_SIGNING_KEY", signingKey, problems);
        if (previousKeys != null) PemKeys.publicKeys(previousKeys, problems);
        return problems;
    }

    /** The id of the key that signs now. */
    public String kid() { return kid; }

    /** Where the signing key came from, for the start-up log (never the key). */
    public String source() { return source; }

    /** Every public key by id, the signing one first. */
    public Map<String, PublicKey> published() { return published; }

    byte[] sign(byte[] message) {
        try {
            var signer = Signature.getInstance("Ed25519");
            signer.initSign(privateKey);
            signer.update(message);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e, e);
        }
    }

    /** RFC 7638's thumbprint of the key as a JWK: base64url(SHA-256({"crv":"Ed25519","kty":"OKP","x":…})). */
    public static String kidOf(PublicKey key) {
        var thumbprintInput = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + x(key) + "\"}";
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                HexFormat.of().parseHex(Canonical.sha256Hex(thumbprintInput)));
    }

    /** The key's 32 bytes, base64url without padding: a JWK's {@code x}. */
    public static String x(PublicKey key) {
        var encoded = key.getEncoded();
        if (encoded.length != SPKI_PREFIX.length + 32
                || !Arrays.equals(Arrays.copyOf(encoded, SPKI_PREFIX.length), SPKI_PREFIX))
            throw new IllegalArgumentException("not an Ed25519 public key: " + key.getAlgorithm());
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(Arrays.copyOfRange(encoded, SPKI_PREFIX.length, encoded.length));
    }

    /** The public key a JWK's {@code x} stands for. */
    public static PublicKey fromX(String x) {
        var raw = Base64.getUrlDecoder().decode(x);
        if (raw.length != 32) throw new IllegalArgumentException("an Ed25519 key is 32 bytes, not " + raw.length);
        var spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + 32);
        System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, 32);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** The public key as PEM (SubjectPublicKeyInfo), which {@code openssl pkeyutl -pubin} reads. */
    public static String publicPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static KeyPair generatedIn(Path dir, List<String> problems) throws IOException {
        var file = dir.resolve(GENERATED);
        if (Files.exists(file)) return PemKeys.privateKey(file.toString(), Files.readString(file, StandardCharsets.US_ASCII), problems);
        Files.createDirectories(dir);
        var pair = newPair();
        var temp = Files.createTempFile(dir, ".signing-key", ".tmp");
        try {
            restrict(temp);
            Files.writeString(temp, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
            Files.move(temp, file); // never over a key another process made meanwhile
            return pair;
        } catch (FileAlreadyExistsException e) {
            return PemKeys.privateKey(file.toString(), Files.readString(file, StandardCharsets.US_ASCII), problems);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Only the owner reads the key file, where the file system knows owners. */
    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its own permissions apply
        }
    }

    /**
     * The public parts of the PEM files in the key directory: keys that signed receipts before (the generated one too,
     * once a configured key took its place).
     */
    private static List<PublicKey> keptIn(Path dir, boolean generatedSigns, List<String> problems) {
        if (!Files.isDirectory(dir)) return List.of();
        var keys = new ArrayList<PublicKey>();
        try (var files = Files.list(dir)) {
            for (var file : files.filter(f -> f.getFileName().toString().endsWith(".pem")).sorted().toList()) {
                if (generatedSigns && file.getFileName().toString().equals(GENERATED)) continue;
                keys.addAll(PemKeys.publicKeysInPem(file.toString(), Files.readString(file, StandardCharsets.US_ASCII), problems));
            }
        } catch (IOException e) {
            problems.add("cannot read the earlier receipt keys in " + dir + ": " + e.getMessage());
        }
        return keys;
    }

    private static KeyPair newPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    /**
     * The key pair of a private key. The JDK has no call that derives an Ed25519 public key, so its generator is fed
     * the private key's 32 bytes as its randomness; the result is checked, and a probe signature verified, before use.
     */
    static KeyPair pairOf(PrivateKey key) throws GeneralSecurityException {
        var seed = ((EdECPrivateKey) key).getBytes().orElseThrow(() -> new GeneralSecurityException("no key bytes"));
        var generator = KeyPairGenerator.getInstance("Ed25519");
        generator.initialize(NamedParameterSpec.ED25519, new FixedBytes(seed));
        var pair = generator.generateKeyPair();
        var derived = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
        var probe = "countersign key check".getBytes(StandardCharsets.US_ASCII);
        var signer = Signature.getInstance("Ed25519");
        signer.initSign(key);
        signer.update(probe);
        if (!Arrays.equals(derived, seed) || !Dsse.verifies(pair.getPublic(), probe, signer.sign()))
            throw new GeneralSecurityException("the public key could not be derived");
        return new KeyPair(pair.getPublic(), key);
    }

    /** Randomness that is the given bytes: how a generator is made to compute the public key of known private bytes. */
    private static final class FixedBytes extends SecureRandom {
        private final byte[] bytes;

        FixedBytes(byte[] bytes) { this.bytes = bytes.clone(); }

        @Override
        public void nextBytes(byte[] out) {
            if (out.length != bytes.length) throw new IllegalStateException("asked for " + out.length + " bytes");
            System.arraycopy(bytes, 0, out, 0, out.length);
        }
    }

    /** The receipt keys cannot be used; every problem is listed. */
    public static final class Invalid extends RuntimeException {
        private final List<String> problems;

        Invalid(List<String> problems) {
            super("receipt signing keys:\n  - " + String.join("\n  - ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() { return problems; }
    }
}
