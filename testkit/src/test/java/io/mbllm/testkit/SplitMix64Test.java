package io.mbllm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The generator against the quick-check values of {@code shared/testdata/quant/README.md} (no shared data read). */
class SplitMix64Test {

    private static void assertBits(int[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(String.format("0x%08x", expected[i]), String.format("0x%08x", Float.floatToRawIntBits(actual[i])),
                    "value " + i);
        }
    }

    @Test
    void uniMatchesReadmeInputRow0AndActRow0() {
        SplitMix64 in = new SplitMix64(1000);
        assertBits(new int[] {0xbf07c28c, 0x3f20f53a, 0x3f0bfcd4, 0xbec2bca0},
                new float[] {in.uni(), in.uni(), in.uni(), in.uni()});
        SplitMix64 act = new SplitMix64(9000);
        assertBits(new int[] {0x3cf436c0, 0xbe986610, 0xbf597fce, 0xbf6fa90e},
                new float[] {act.uni(), act.uni(), act.uni(), act.uni()});
    }

    @Test
    void gauMatchesReadmeInputRow1() {
        SplitMix64 g = new SplitMix64(1001);
        float[] got = new float[4];
        for (int i = 0; i < 4; i++) got[i] = g.gau() * 0.02f;
        assertBits(new int[] {0xbc702adc, 0xbb1a4970, 0x3cbeac29, 0xbb269fae}, got);
    }

    @Test
    void u01MatchesReadmeImatrixRow0() {
        SplitMix64 g = new SplitMix64(5000);
        float[] got = new float[4];
        for (int i = 0; i < 4; i++) {
            float u = g.u01();
            got[i] = 0.1f + 2.0f * (u * u);
        }
        assertBits(new int[] {0x3df8f2fe, 0x3fda8747, 0x3f18f63c, 0x3e14996c}, got);
    }

    @Test
    void drawsStayInTheirRanges() {
        SplitMix64 g = new SplitMix64(42);
        for (int i = 0; i < 10_000; i++) {
            float u = g.uni(), z = g.u01(), n = g.gau();
            assertTrue(u >= -1f && u < 1f, "uni " + u);
            assertTrue(z >= 0f && z < 1f, "u01 " + z);
            assertTrue(n >= -2f && n < 2f, "gau " + n);
        }
    }
}
