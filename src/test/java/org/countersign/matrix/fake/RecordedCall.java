package org.countersign.matrix.fake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;

/**
 * One request as the fake homeserver received it, failed ones included.
 *
 * @param path    the path with percent-escapes decoded, e.g. {@code /_matrix/client/v3/rooms/!a:example.org/join}
 * @param rawPath the path exactly as sent, e.g. {@code /_matrix/client/v3/rooms/%21a%3Aexample.org/join}
 * @param query   decoded query parameters
 */
public record RecordedCall(String method, String path, String rawPath, Map<String, String> query,
                           Map<String, String> headers, String body, Instant at) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public RecordedCall {
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
    }

    /** A header, looked up without regard to case; null when absent. */
    public String header(String name) {
        return headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(null);
    }

    /** The request body, parsed. */
    public JsonNode json() {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(method + " " + path + " body is not JSON: " + body, e);
        }
    }
}
