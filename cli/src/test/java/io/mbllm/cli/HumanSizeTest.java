package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HumanSizeTest {
    @Test
    void ollamaStyleDecimalUnits() {
        assertEquals("0 B", HumanSize.format(0));
        assertEquals("999 B", HumanSize.format(999));
        assertEquals("1 KB", HumanSize.format(1000));
        assertEquals("1.5 KB", HumanSize.format(1500));
        assertEquals("8.2 KB", HumanSize.format(8192));
        assertEquals("44 KB", HumanSize.format(44032));
        assertEquals("131 KB", HumanSize.format(131072));
        assertEquals("1.2 MB", HumanSize.format(1_185_376));
        assertEquals("4 GB", HumanSize.format(4_000_000_000L));
        assertEquals("4.1 GB", HumanSize.format(4_100_000_000L));
        assertEquals("10 GB", HumanSize.format(9_980_000_000L));
        assertEquals("999 GB", HumanSize.format(999_999_999_999L));
        assertEquals("1 TB", HumanSize.format(1_000_000_000_000L));
        assertEquals("9.2 EB", HumanSize.format(Long.MAX_VALUE));
    }
}
