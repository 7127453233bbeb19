package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoDurationTest {
    @ParameterizedTest
    @CsvSource({
            "0, 0s",
            "999, 999ns",
            "1000, 1µs",
            "1500, 1.5µs",
            "130000000, 130ms",
            "12345678, 12.345678ms",
            "1000000000, 1s",
            "1234000000, 1.234s",
            "4200000000, 4.2s",
            "60000000000, 1m0s",
            "120500000000, 2m0.5s",
            "3723000000000, 1h2m3s",
    })
    void formatsLikeGo(long nanos, String expected) {
        assertEquals(expected, GoDuration.format(nanos));
    }
}
