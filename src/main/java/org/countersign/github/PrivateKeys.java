package org.countersign.github;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Pattern;

/** Reads an RSA private key from PEM: PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, what GitHub hands out) or PKCS#8. */
final class PrivateKeys {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN (RSA )?PRIVATE KEY-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END (RSA )?PRIVATE KEY-----");
    /** AlgorithmIdentifier rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters, as DER. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private PrivateKeys() {}

    static RSAPrivateKey rsa(String pem) {
        var m = PEM.matcher(pem);
        if (!m.find()) throw new IllegalArgumentException("is not a PEM RSA private key: expected -----BEGIN RSA "
                + "PRIVATE KEY----- (as GitHub gives it) or -----BEGIN PRIVATE KEY-----");
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the PEM body is not base64");
        }
        boolean pkcs1 = m.group(1) != null;
        try {
            var key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs1 ? pkcs8(der) : der));
            return (RSAPrivateKey) key;
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("is not a readable RSA private key (" + (pkcs1 ? "PKCS#1" : "PKCS#8")
                    + "); download a new one from the App's settings (Private keys)");
        }
    }

    /** PKCS#1 RSAPrivateKey wrapped as PKCS#8 PrivateKeyInfo: SEQUENCE { 0, rsaEncryption, OCTET STRING key }. */
    static byte[] pkcs8(byte[] pkcs1) {
        var body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04);
        body.writeBytes(length(pkcs1.length));
        body.writeBytes(pkcs1);
        var out = new ByteArrayOutputStream();
        out.write(0x30);
        out.writeBytes(length(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] length(int n) {
        if (n < 0x80) return new byte[] {(byte) n};
        if (n < 0x100) return new byte[] {(byte) 0x81, (byte) n};
        if (n < 0x10000) return new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        return new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }
}
