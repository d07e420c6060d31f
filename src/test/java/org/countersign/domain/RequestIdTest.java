package org.countersign.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdTest {

    @ParameterizedTest
    @ValueSource(strings = {"EMG-42", "emg-42", "Emg-42", "42", " EMG-42 ", "\tEMG-42\n"})
    void the_forms_people_type_are_read(String text) {
        assertThat(RequestId.parse(text)).contains(new RequestId(42));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "EMG-", "EMG-0", "0", "EMG-042", "-1", "EMG42", "EMG 42", "EMG-4x", "REQ-42",
            "EMG-1234567890123456789", "EMG-42/1"})
    void anything_else_is_not_a_request_id(String text) {
        assertThat(RequestId.parse(text)).isEmpty();
    }

    @Test
    void the_largest_number_of_eighteen_digits_is_read() {
        assertThat(RequestId.parse("EMG-999999999999999999")).contains(new RequestId(999_999_999_999_999_999L));
    }

    @Test
    void an_id_reads_as_emg_and_its_number() {
        assertThat(new RequestId(7)).hasToString("EMG-7");
    }

    @Test
    void an_id_parses_back_from_its_text() {
        var id = new RequestId(1234);

        assertThat(RequestId.parse(id.toString())).contains(id);
    }

    @Test
    void a_number_below_one_is_not_an_id() {
        assertThatThrownBy(() -> new RequestId(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("request number < 1: 0");
    }

    @Test
    void ids_sort_by_number_not_by_text() {
        assertThat(new RequestId(9)).isLessThan(new RequestId(10));
    }
}
