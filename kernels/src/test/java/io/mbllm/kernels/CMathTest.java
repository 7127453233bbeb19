package io.mbllm.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * {@link CMath}: the C library's float functions are found on Linux x86-64 (where llama.cpp's values come from) and
 * stay within one ulp of the correctly rounded result, with the special values of C.
 */
class CMathTest {

    @Test
    void usesTheCLibraryOnLinux() {
        boolean linux = System.getProperty("os.name", "").toLowerCase().startsWith("linux");
        assertTrue(!linux || CMath.isNative(), "cosf/sinf/expf/powf not found in the default lookup");
    }

    @Test
    void withinOneUlpOfTheCorrectlyRoundedValue() {
        SplittableRandom r = new SplittableRandom(7);
        int differ = 0;
        for (int i = 0; i < 20_000; i++) {
            float x = (float) (r.nextDouble() * 200 - 100);
            float e = (float) (r.nextDouble() * -30);
            differ += check(CMath.cos(x), Math.cos(x)) + check(CMath.sin(x), Math.sin(x)) + check(CMath.exp(e), Math.exp(e));
        }
        float p = CMath.pow(500000f, -2.0f / 64);
        assertEquals((float) Math.pow(500000f, -2.0f / 64), p, Math.ulp(p));
        // glibc's float functions are not correctly rounded: a few results are one ulp off (which is why they are used)
        assertTrue(differ < 2_000, differ + " of 60000 differ from the correctly rounded float");
    }

    @Test
    void specialValues() {
        assertEquals(1f, CMath.cos(0f));
        assertEquals(0f, CMath.sin(0f));
        assertEquals(1f, CMath.exp(0f));
        assertEquals(0f, CMath.exp(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(CMath.exp(Float.NaN)));
    }

    /** 0 when equal, 1 when one ulp apart; fails beyond. */
    private static int check(float got, double exact) {
        float want = (float) exact;
        if (got == want) return 0;
        assertTrue(Math.abs(got - want) <= Math.ulp(want), got + " vs " + want);
        return 1;
    }
}
