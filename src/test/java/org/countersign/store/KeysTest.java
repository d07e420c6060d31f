package org.countersign.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.countersign.domain.RequestId;
import org.junit.jupiter.api.Test;

class KeysTest {
    @Test
    void a_member_is_the_number_padded_to_19_digits_and_reads_back() {
        for (long n : new long[] {1, 42, 999_999_999_999_999_999L, Long.MAX_VALUE}) {
            var member = Keys.member(new RequestId(n));
            assertThat(member).hasSize(19).isEqualTo(String.format("%019d", n));
            assertThat(Keys.idOf(member)).isEqualTo(new RequestId(n));
        }
    }
}
