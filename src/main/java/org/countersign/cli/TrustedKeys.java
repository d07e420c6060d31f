package org.countersign.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.countersign.receipt.SigningKeys;

/**
 * The public keys a receipt or an audit export is checked against: a JWKS from a URL (by default the service's
 * {@code /.well-known/countersign/keys}) or a file holding a JWKS.
 */
final class TrustedKeys {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrustedKeys() {}

    /** The keys {@code source} names (a URL or a file); {@code base} is the service's URL when source is null. */
    static Map<String, PublicKey> load(String source, URI base) {
        if (source == null) return fetch(base.resolve("/.well-known/countersign/keys"));
        if (source.startsWith("http://") || source.startsWith("https://")) {
            try {
                return fetch(URI.create(source));
            } catch (IllegalArgumentException e) {
                throw new ServerOptions.Usage("--keys \"" + source + "\" is not a URL");
            }
        }
        try {
            return parse(JSON.readTree(Files.readString(Path.of(source))), source);
        } catch (NoSuchFileException e) {
            throw new ServerOptions.Usage("--keys " + source + ": no such file");
        } catch (IOException e) {
            throw new ServerOptions.Usage("--keys " + source + " is not a JWKS (JSON with \"keys\"): " + e.getMessage());
        }
    }

    private static Map<String, PublicKey> fetch(URI uri) {
        try {
            var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            var response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200)
                throw new ServerOptions.Usage(uri + " answered " + response.statusCode() + ": "
                        + WaitCommand.message(response.body()));
            return parse(JSON.readTree(response.body()), uri.toString());
        } catch (IOException e) {
            throw new Unreachable("cannot fetch the keys from " + uri + " (" + WaitCommand.describe(e) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted while fetching the keys from " + uri);
        }
    }

    static Map<String, PublicKey> parse(JsonNode jwks, String where) {
        var keys = new LinkedHashMap<String, PublicKey>();
        if (jwks == null || !jwks.path("keys").isArray())
            throw new ServerOptions.Usage(where + " is not a JWKS (JSON with \"keys\")");
        for (var key : jwks.path("keys")) {
            if (!"OKP".equals(key.path("kty").asText()) || !"Ed25519".equals(key.path("crv").asText())) continue;
            try {
                var publicKey = SigningKeys.fromX(key.path("x").asText());
                // The key id is computed, never taken from the file: a JWKS cannot rename a key.
                keys.put(SigningKeys.kidOf(publicKey), publicKey);
            } catch (IllegalArgumentException e) {
                // not a usable key: skip it, as JWKS readers do
            }
        }
        if (keys.isEmpty()) throw new ServerOptions.Usage(where + " holds no Ed25519 key");
        return keys;
    }

    /** The keys could not be fetched: exit {@link Exit#UNREACHABLE}. */
    static final class Unreachable extends RuntimeException {
        Unreachable(String message) { super(message); }
    }
}
