package org.countersign.web;

import static org.assertj.core.api.Assertions.assertThatCode;

import io.javalin.http.Context;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/**
 * An exchange that is already over (a live stream the client left: Jetty recycled its request) has no method, path,
 * body or response any more. The unexpected-error handler must still return: one that throws is handed its own
 * exception again by Javalin, without end (a CI run filled 1.5 GB of log that way and the test JVM died).
 */
class ExchangeOverTest {
    @Test
    void the_unexpected_error_handler_returns_even_when_every_part_of_the_exchange_is_gone() {
        var gone = (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[] {Context.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("toString")) return "an exchange that is over";
                    throw new NullPointerException("recycled");
                });

        assertThatCode(() -> ErrorAnswers.unexpected(new NullPointerException("in a live stream"), gone))
                .doesNotThrowAnyException();
    }
}
