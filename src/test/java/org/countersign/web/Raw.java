package org.countersign.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 request written byte for byte (a path or Host no HTTP client would send as written), and the status
 * and what came back within a short time: enough for a stream that never ends.
 */
final class Raw {
    record Reply(int status, String text) {
        String body() {
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? "" : text.substring(end + 4);
        }
    }

    private Raw() {}

    static Reply send(int port, String method, String target, String host, String... headers) {
        var request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        if (host != null) request.append("Host: ").append(host).append("\r\n");
        for (int i = 0; i + 1 < headers.length; i += 2) request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        request.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(1_500);
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
            var out = new ByteArrayOutputStream();
            var buffer = new byte[8192];
            try {
                for (int n; (n = socket.getInputStream().read(buffer)) > 0 && out.size() < 64_000; ) out.write(buffer, 0, n);
            } catch (SocketTimeoutException e) {
                // a stream: what came so far is the answer
            }
            var text = out.toString(StandardCharsets.UTF_8);
            var status = text.startsWith("HTTP/1.1 ") && text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : 0;
            return new Reply(status, text);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + target, e);
        }
    }
}
