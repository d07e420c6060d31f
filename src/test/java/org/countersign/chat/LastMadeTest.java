package org.countersign.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LastMadeTest {
    private final AtomicInteger made = new AtomicInteger();
    private final LastMade<String, String> upper = new LastMade<>(text -> {
        made.incrementAndGet();
        return text.toUpperCase();
    });

    @Test
    void the_same_input_object_is_made_once_and_another_one_is_made_anew_even_when_equal() {
        var text = "open emergency requests";
        var first = upper.of(text);

        assertThat(upper.of(text)).isSameAs(first).isEqualTo("OPEN EMERGENCY REQUESTS");
        assertThat(made).hasValue(1);
        var equal = new String(text);
        assertThat(upper.of(equal)).isEqualTo(first);
        assertThat(made).hasValue(2);
        assertThat(upper.of("another")).isEqualTo("ANOTHER");
        assertThat(upper.of(equal)).isEqualTo(first);
        assertThat(made).hasValue(4);
    }
}
