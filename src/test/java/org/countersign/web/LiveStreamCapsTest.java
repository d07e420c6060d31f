package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.javalin.Javalin;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.app.Throttle;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.DomainJson;
import org.countersign.store.RedisEventFeed;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Live streams are capped per client address and in all (here 2 and 3; 20 and 500 in production), answered 429
 * beyond, and a stream's slot is given back when its client goes away. Real HTTP, real Redis; the clients are told
 * apart by X-Forwarded-For from a trusted proxy (127.0.0.1 here).
 */
class LiveStreamCapsTest {
    private final List<Socket> sockets = new ArrayList<>();
    private LiveEvents live;
    private Javalin app;

    @BeforeEach
    void start() {
        var prefix = TestRedis.uniquePrefix();
        var store = new RedisRequestStore(TestRedis.client(), prefix);
        var service = new RequestService(store, new PolicyDirectory(TestPolicies.standard()),
                new Workflow(TestPolicies.standard()), Clock.systemUTC());
        live = new LiveEvents(new RedisEventFeed(TestRedis.client(), prefix), DomainJson.mapper(), 2, 3,
                Duration.ofMillis(200)).start();
        var edge = new WebApp.Edge(false, null, List.of("127.0.0.1"), Throttle.none(), null);
        app = WebApp.create(service, store::ping, new Metrics(store::countByState), DomainJson.mapper(), List.of(),
                new WebApp.Options(WebTesting.TOKEN, null, live, Throttle.none(), Throttle.none(), edge)).start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        sockets.forEach(s -> {
            try {
                s.close();
            } catch (IOException ignored) {
                // closed already
            }
        });
        live.close();
        app.stop();
    }

    @Test
    void a_client_past_its_cap_gets_429_with_what_to_do_and_others_still_connect() throws Exception {
        assertThat(open("203.0.113.1").status).isEqualTo(200);
        assertThat(open("203.0.113.1").status).isEqualTo(200);

        var third = open("203.0.113.1");

        assertThat(third.status).isEqualTo(429);
        assertThat(third.head).contains("Retry-After:").contains("Too many live streams: 203.0.113.1 has 2 open")
                .contains("Close some dashboard or console tabs");
        assertThat(open("203.0.113.2").status).as("another client").isEqualTo(200);
        assertThat(live.openFor("203.0.113.1")).isEqualTo(2);
    }

    @Test
    void past_the_cap_in_all_every_client_gets_429() throws Exception {
        assertThat(open("203.0.113.1").status).isEqualTo(200);
        assertThat(open("203.0.113.2").status).isEqualTo(200);
        assertThat(open("203.0.113.3").status).isEqualTo(200);

        var fourth = open("203.0.113.4");

        assertThat(fourth.status).isEqualTo(429);
        assertThat(fourth.head).contains("or this server has 3 in all");
    }

    @Test
    void a_client_that_goes_away_gives_its_slot_back() throws Exception {
        var first = open("203.0.113.1");
        open("203.0.113.1");
        assertThat(open("203.0.113.1").status).isEqualTo(429);

        first.socket.close(); // the browser tab is closed: no word to the server, the next heartbeat finds it

        await().atMost(Duration.ofSeconds(5)).until(() -> live.openFor("203.0.113.1") == 1);
        assertThat(open("203.0.113.1").status).isEqualTo(200);
        assertThat(open("203.0.113.1").status).isEqualTo(429);
    }

    @Test
    void without_the_token_no_stream_is_opened_and_no_slot_taken() throws Exception {
        for (int i = 0; i < 5; i++) assertThat(open("203.0.113.1", false).status).isEqualTo(401);
        assertThat(live.openFor("203.0.113.1")).isZero();
        assertThat(open("203.0.113.1").status).isEqualTo(200);
    }

    private record Stream(int status, String head, Socket socket) {}

    private Stream open(String client) throws IOException {
        return open(client, true);
    }

    /** GET /events as an EventSource sends it, from {@code client} through the trusted proxy; reads the head only. */
    private Stream open(String client, boolean token) throws IOException {
        var socket = new Socket();
        sockets.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", app.port()), 5_000);
        socket.setSoTimeout(5_000);
        var request = "GET /events HTTP/1.1\r\nHost: 127.0.0.1:" + app.port() + "\r\nAccept: text/event-stream\r\n"
                + "X-Forwarded-For: " + client + "\r\n"
                + (token ? "Authorization: Bearer " + WebTesting.TOKEN + "\r\n" : "") + "\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        var head = readHead(socket.getInputStream());
        return new Stream(Integer.parseInt(head.substring(9, 12)), head, socket);
    }

    /** The status line and headers, and for an answer that is not a stream its (short) body. */
    private static String readHead(InputStream in) throws IOException {
        var out = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            out.append((char) c);
            if (out.length() >= 4 && out.substring(out.length() - 4).equals("\r\n\r\n")) break;
        }
        if (!out.toString().contains("text/event-stream")) {
            var body = new byte[2048];
            int n = in.read(body);
            if (n > 0) out.append(new String(body, 0, n, StandardCharsets.UTF_8));
        }
        return out.toString();
    }
}
