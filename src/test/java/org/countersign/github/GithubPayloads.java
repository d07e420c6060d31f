package org.countersign.github;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook deliveries as GitHub sends them: the body from {@code src/test/resources/github/} (a
 * deployment_protection_rule "requested" payload in GitHub's shape, checked against GitHub's schema by
 * {@link GithubPayloadSchemaTest}), with the sha, environment, run and API host a test needs, signed with
 * X-Hub-Signature-256; and an App key pair.
 */
final class GithubPayloads {
    static final String REPO = "octo-org/payments";
    static final long INSTALLATION = 51234567;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private GithubPayloads() {}

    static ObjectNode resource(String name) {
        try (InputStream in = GithubPayloads.class.getResourceAsStream("/github/" + name)) {
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A requested payload for this commit, environment and run, its callback on {@code api}. */
    static ObjectNode requested(String api, String sha, String environment, long run) {
        var p = resource("deployment_protection_rule.requested.json");
        p.put("environment", environment);
        p.put("deployment_callback_url", api + "/repos/" + REPO + "/actions/runs/" + run + "/deployment_protection_rule");
        var d = (ObjectNode) p.get("deployment");
        d.put("sha", sha);
        d.put("environment", environment);
        d.put("original_environment", environment);
        return p;
    }

    static String sha() {
        var bytes = new byte[20];
        new java.security.SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static String signature(String secret, byte[] body) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** POSTs a delivery; {@code signature} null sends none. */
    static HttpResponse<String> deliver(int port, String event, String delivery, byte[] body, String signature) {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/github"))
                .header("Content-Type", "application/json").header("User-Agent", "GitHub-Hookshot/7a1b2c3")
                .header("X-GitHub-Event", event).header("X-GitHub-Delivery", delivery)
                .header("X-GitHub-Hook-ID", "488765432").header("X-GitHub-Hook-Installation-Target-Type", "integration")
                .header("X-GitHub-Hook-Installation-Target-ID", "1012345");
        if (signature != null) request.header("X-Hub-Signature-256", signature);
        try {
            return HTTP.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A delivery signed with {@code secret}, under a fresh delivery id. */
    static HttpResponse<String> deliver(int port, String secret, String event, Object payload) {
        var body = bytes(payload);
        return deliver(port, event, UUID.randomUUID().toString(), body, signature(secret, body));
    }

    static byte[] bytes(Object payload) {
        try {
            return JSON.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static KeyPair keyPair() {
        try {
            var generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The private key as GitHub hands it out: PKCS#1, {@code BEGIN RSA PRIVATE KEY}. */
    static String pkcs1Pem(KeyPair keys) {
        var pkcs8 = keys.getPrivate().getEncoded();
        // PrivateKeyInfo of a 2048-bit key: 30 82 xx xx | 02 01 00 | 30 0d (rsaEncryption, NULL) | 04 82 xx xx | RSAPrivateKey
        if (pkcs8[22] != 0x04) throw new IllegalStateException("unexpected PKCS#8 layout");
        return pem("RSA PRIVATE KEY", Arrays.copyOfRange(pkcs8, 26, pkcs8.length));
    }

    static String pkcs8Pem(KeyPair keys) { return pem("PRIVATE KEY", keys.getPrivate().getEncoded()); }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
