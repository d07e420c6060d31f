package org.countersign.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection on a blocking socket: write a whole request, read the whole reply. The
 * load client gives each of its threads one of these, so the servers under test see N steady connections
 * and the client spends almost nothing per request (no pool, no selector thread, no header maps).
 */
final class HttpConnection implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 30_000;

    private final String host;
    private final int port;
    private Socket socket;
    private BufferedInputStream in;
    private OutputStream out;
    private byte[] body = new byte[8192];
    private int bodyLength;

    HttpConnection(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** The request line and headers of a request to this server, ready to be followed by a body. */
    static byte[] request(String method, String path, int port, String[] headers, byte[] body) {
        var head = new StringBuilder(256);
        head.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:").append(port).append("\r\n");
        for (int i = 0; i < headers.length; i += 2) head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        if (body.length > 0 || !method.equals("GET")) head.append("Content-Length: ").append(body.length).append("\r\n");
        head.append("\r\n");
        var headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        var all = Arrays.copyOf(headBytes, headBytes.length + body.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }

    /** Sends {@code request} (as made by {@link #request}) and reads the reply; returns its status code. */
    int exchange(byte[] request) throws IOException {
        if (socket == null) connect();
        try {
            out.write(request);
            out.flush();
            return readReply();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** The body of the last reply, as text. */
    String body() { return new String(body, 0, bodyLength, StandardCharsets.UTF_8); }

    int bodyLength() { return bodyLength; }

    void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
        in = new BufferedInputStream(socket.getInputStream(), 16384);
        out = socket.getOutputStream();
    }

    private int readReply() throws IOException {
        var status = line();
        if (!status.startsWith("HTTP/1.")) throw new IOException("not an HTTP reply: " + status);
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = status.startsWith("HTTP/1.0");
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            if (colon < 0) continue;
            var name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            var value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        bodyLength = 0;
        if (chunked) {
            for (int size = Integer.parseInt(chunkSize(line()), 16); size > 0; size = Integer.parseInt(chunkSize(line()), 16)) {
                readBody(size);
                line();
            }
            while (!line().isEmpty()) { } // trailers
        } else if (length > 0) {
            readBody((int) length);
        } else if (length < 0) {
            throw new IOException("reply without Content-Length or chunked encoding");
        }
        if (close) close();
        return code;
    }

    private static String chunkSize(String line) {
        int semicolon = line.indexOf(';');
        return (semicolon < 0 ? line : line.substring(0, semicolon)).trim();
    }

    private void readBody(int n) throws IOException {
        if (bodyLength + n > body.length) body = Arrays.copyOf(body, Math.max(body.length * 2, bodyLength + n));
        int read = in.readNBytes(body, bodyLength, n);
        if (read < n) throw new EOFException("reply body cut short");
        bodyLength += n;
    }

    private String line() throws IOException {
        var line = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) throw new EOFException("connection closed by the server");
            if (c == '\n') break;
            if (c != '\r') line.append((char) c);
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket == null) return;
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        socket = null;
    }
}
