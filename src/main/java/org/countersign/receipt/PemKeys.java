package org.countersign.receipt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the receipt key settings: PEM text (its line breaks possibly written {@code \n}) or the path of a file
 * holding it, into Ed25519 keys. Every problem is added to the list given, naming the setting or file, never the key.
 */
final class PemKeys {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

    private static final String HOW = "an Ed25519 private key in PEM (PKCS#8), or the path of a file holding one, "
            + "e.g. made with: openssl genpkey -algorithm ed25519 -out receipt-key.pem";

    private record Block(String type, byte[] der) {}

    static KeyPair privateKey(String name, String value, List<String> problems) {
        var text = pemText(name, value, problems);
        if (text == null) return null;
        var blocks = blocks(text);
        if (blocks.isEmpty()) {
            problems.add(name + " (hidden) holds no PEM block; expected " + HOW);
            return null;
        }
        var block = blocks.get(0);
        if (!block.type().equals("PRIVATE KEY")) {
            problems.add(name + " (hidden) is a PEM " + block.type() + ", not a PRIVATE KEY" + (block.type().contains("ENCRYPTED")
                    ? " that is not encrypted (decrypt it: openssl pkey -in key.pem -out plain.pem)" : "") + "; expected " + HOW);
            return null;
        }
        try {
            return SigningKeys.pairOf(KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(block.der())));
        } catch (GeneralSecurityException | RuntimeException e) {
            problems.add(name + " (hidden) is not an Ed25519 private key (RSA, ECDSA and Ed448 keys do not sign "
                    + "receipts); expected " + HOW);
            return null;
        }
    }

    static List<PublicKey> publicKeys(String value, List<String> problems) {
        if (value.contains("-----BEGIN"))
            return publicKeysInPem("RECEIPT_PREVIOUS_KEYS", pemText("RECEIPT_PREVIOUS_KEYS", value, problems), problems);
        var keys = new ArrayList<PublicKey>();
        for (var path : value.split(",")) {
            if (path.isBlank()) continue;
            var name = "RECEIPT_PREVIOUS_KEYS (" + path.strip() + ")";
            var text = pemText(name, path.strip(), problems);
            if (text != null) keys.addAll(publicKeysInPem(name, text, problems));
        }
        return keys;
    }

    static List<PublicKey> publicKeysInPem(String name, String text, List<String> problems) {
        var keys = new ArrayList<PublicKey>();
        var blocks = blocks(text);
        if (blocks.isEmpty()) problems.add(name + " holds no PEM block; expected Ed25519 public keys (PEM PUBLIC KEY) "
                + "or private keys (PEM PRIVATE KEY), e.g. from: openssl pkey -in old-key.pem -pubout");
        for (var block : blocks) {
            try {
                if (block.type().equals("PUBLIC KEY"))
                    keys.add(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(block.der())));
                else if (block.type().equals("PRIVATE KEY"))
                    keys.add(SigningKeys.pairOf(KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(block.der())))
                            .getPublic());
                else problems.add(name + " holds a PEM " + block.type() + "; expected PUBLIC KEY or PRIVATE KEY blocks");
            } catch (GeneralSecurityException | RuntimeException e) {
                problems.add(name + " holds a " + block.type() + " that is not an Ed25519 key");
            }
        }
        return keys;
    }

    /** PEM text as given, or read from the file the value names. */
    private static String pemText(String name, String value, List<String> problems) {
        // A PEM pasted into a one-line setting often arrives with its line breaks as the two characters \n.
        if (value.contains("-----BEGIN")) return value.replace("\\n", "\n");
        try {
            return Files.readString(Path.of(value.strip()), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            problems.add(name + ": no such file " + value.strip() + "; expected " + HOW);
        } catch (InvalidPathException e) {
            problems.add(name + " (hidden) is neither PEM nor a file path; expected " + HOW);
        } catch (IOException | RuntimeException e) {
            problems.add(name + ": cannot read " + value.strip() + " (" + e.getClass().getSimpleName() + "); expected " + HOW);
        }
        return null;
    }

    private static List<Block> blocks(String text) {
        var blocks = new ArrayList<Block>();
        var m = PEM.matcher(text);
        while (m.find()) {
            try {
                blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                blocks.add(new Block(m.group(1), new byte[0]));
            }
        }
        return blocks;
    }

    private PemKeys() {}
}
