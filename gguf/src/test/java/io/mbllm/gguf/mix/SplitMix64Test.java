package io.mbllm.gguf.mix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The generator against the first values printed in {@code testdata/quant/README.md}. */
class SplitMix64Test {
    @Test
    void firstValuesMatchTheReadme() {
        SplitMix64 r0 = new SplitMix64(1000);
        int[] uni = {0xbf07c28c, 0x3f20f53a, 0x3f0bfcd4, 0xbec2bca0};
        for (int want : uni) assertEquals(Integer.toHexString(want), Integer.toHexString(Float.floatToRawIntBits(r0.uni())));
        SplitMix64 r1 = new SplitMix64(1001);
        int[] gau = {0xbc702adc, 0xbb1a4970, 0x3cbeac29, 0xbb269fae};
        for (int want : gau) assertEquals(Integer.toHexString(want), Integer.toHexString(Float.floatToRawIntBits(r1.gau() * 0.02f)));
        SplitMix64 w = new SplitMix64(5000);
        int[] imat = {0x3df8f2fe, 0x3fda8747, 0x3f18f63c, 0x3e14996c};
        for (int j = 0; j < 4; j++) {
            float u = w.u01();
            float v = 0.1f + 2.0f * (u * u);
            float got = (j % 61 == 7) ? 0.0f : v;
            assertEquals(Integer.toHexString(imat[j]), Integer.toHexString(Float.floatToRawIntBits(got)));
        }
    }
}
