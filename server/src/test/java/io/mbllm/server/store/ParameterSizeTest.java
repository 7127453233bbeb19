package io.mbllm.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParameterSizeTest {
    @ParameterizedTest
    @CsvSource({"3212749824, 3.2B", "8000000000, 8B", "8030261248, 8.0B", "2250000000, 2.2B", "2350000000, 2.4B",
            "494032768, 494.03M", "7000000, 7M", "1000000, 1M", "260000, 260K", "292000, 292K", "1500, 2K",
            "2500, 2K", "999, 999", "0, 0"})
    void formats(long count, String expected) {
        assertEquals(expected, ParameterSize.format(count));
    }
}
