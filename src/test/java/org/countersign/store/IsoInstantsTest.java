package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The domain's instants without DateTimeFormatter: the very text and values Instant and JavaTimeModule give. */
class IsoInstantsTest {
    private final ObjectMapper json = DomainJson.mapper();

    record Stamp(Instant at) {}

    @Test
    void writes_what_instant_writes_and_reads_it_back_for_random_instants_and_every_fraction_length() {
        var random = new SplittableRandom(19);
        for (int i = 0; i < 20_000; i++) {
            long seconds = random.nextLong(-100_000_000_000L, 400_000_000_000L); // 1800 to 14600, both fallbacks too
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            var instant = Instant.ofEpochSecond(seconds, nano);
            assertThat(IsoInstants.text(instant)).isEqualTo(instant.toString());
            var text = instant.toString();
            if (seconds >= 0 && seconds < 253_402_300_800L) assertThat(IsoInstants.parse(text)).isEqualTo(instant);
            assertThat(Instant.parse(text)).isEqualTo(instant);
        }
    }

    @Test
    void the_edges_of_the_fast_form_are_exact() {
        for (var text : new String[] {"1970-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2024-02-29T12:00:00.5Z",
                "2026-12-03T11:28:42.1234Z", "0001-01-01T00:00:00Z"})
            assertThat(IsoInstants.parse(text)).as(text).isEqualTo(Instant.parse(text));
    }

    @Test
    void anything_else_is_left_to_the_general_parser() {
        for (var text : new String[] {"2026-02-30T00:00:00Z", "2026-12-03T24:00:00Z", "2026-12-03T23:60:00Z",
                "2026-12-03T23:59:60Z", "2026-12-03T11:28:42.Z", "2026-12-03T11:28:42.1234567890Z",
                "2026-12-03T11:28:42+01:00", "2026-12-03 11:28:42Z", "2026-12-03T11:28Z", "+12026-12-03T11:28:42Z",
                "2026-1a-03T11:28:42Z", "２026-12-03T11:28:42Z", ""})
            assertThat(IsoInstants.parse(text)).as(text).isNull();
    }

    @Test
    void the_mapper_reads_what_javatimemodule_read_and_refuses_what_it_refused() throws Exception {
        // The common form, through the fast path, and forms only the general parser takes.
        assertThat(json.readValue("{\"at\":\"2026-12-03T11:28:42.123Z\"}", Stamp.class).at())
                .isEqualTo(Instant.parse("2026-12-03T11:28:42.123Z"));
        assertThat(json.readValue("{\"at\":\"2026-12-03T12:28:42+01:00\"}", Stamp.class).at())
                .isEqualTo(Instant.parse("2026-12-03T11:28:42Z"));
        assertThat(json.readValue("{\"at\":1764761322}", Stamp.class).at()).isEqualTo(Instant.ofEpochSecond(1764761322));
        assertThat(json.readValue("{\"at\":\"+12026-12-03T11:28:42Z\"}", Stamp.class).at())
                .isEqualTo(Instant.parse("+12026-12-03T11:28:42Z"));
        assertThat(json.readValue("{\"at\":null}", Stamp.class).at()).isNull();
        assertThatThrownBy(() -> json.readValue("{\"at\":\"2026-02-30T00:00:00Z\"}", Stamp.class))
                .isInstanceOf(InvalidFormatException.class);
        // And writes what Instant writes, in and out of the fast years.
        assertThat(json.writeValueAsString(new Stamp(Instant.parse("2026-12-03T11:28:42.120Z"))))
                .isEqualTo("{\"at\":\"2026-12-03T11:28:42.120Z\"}");
        assertThat(json.writeValueAsString(new Stamp(Instant.parse("+12026-12-03T11:28:42Z"))))
                .isEqualTo("{\"at\":\"+12026-12-03T11:28:42Z\"}");
        assertThat(json.writeValueAsString(new Stamp(Instant.parse("1969-12-31T23:59:59.5Z"))))
                .isEqualTo("{\"at\":\"1969-12-31T23:59:59.500Z\"}");
    }
}
