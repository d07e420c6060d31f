package org.countersign.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * What Jetty answers itself, before a request reaches the app (an address or headers too long to read, a request that
 * is not HTTP), in the app's JSON shape ({@link ApiError}) instead of Jetty's HTML page, with a message a person can
 * act on.
 */
final class JettyErrors extends ErrorHandler {
    /** The request line and headers Jetty reads, in all (Jetty's default, said here so the messages can name it). */
    static final int REQUEST_HEADER_MAX = 8 * 1024;

    private final ObjectMapper json;

    JettyErrors(ObjectMapper json) { this.json = json; }

    /** The sentence for an answer Jetty gives with {@code status} and its own {@code reason}. */
    static String message(int status, String reason) {
        return switch (status) {
            case 414 -> "The address is longer than " + REQUEST_HEADER_MAX / 1024 + " kB: shorten the query string "
                    + "(fewer or shorter parameters); nothing was read";
            case 431 -> "The request headers are larger than " + REQUEST_HEADER_MAX / 1024 + " kB in all: send fewer "
                    + "or smaller headers (cookies count too); nothing was read";
            case 400 -> "The request could not be read as HTTP" + (reason == null || reason.isBlank() ? "" : " ("
                    + org.countersign.chat.Texts.shorten(reason, 80) + ")") + "; nothing was read";
            default -> reason == null || reason.isBlank() ? "HTTP " + status : reason;
        };
    }

    private byte[] body(int status, String reason) {
        try {
            return json.writeValueAsBytes(new ApiError(message(status, reason)));
        } catch (JsonProcessingException e) {
            return ("{\"error\":\"HTTP " + status + "\"}").getBytes(StandardCharsets.UTF_8);
        }
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status, reason));
    }
}
