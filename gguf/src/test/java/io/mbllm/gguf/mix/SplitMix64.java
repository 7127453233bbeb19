package io.mbllm.gguf.mix;

/**
 * The golden-data generator of {@code testdata/quant/README.md}: splitmix64 with the exact float conversions
 * {@code uni()}, {@code u01()} and {@code gau()}.
 */
final class SplitMix64 {
    private long s;

    SplitMix64(long seed) {
        this.s = seed;
    }

    long next() {
        s += 0x9E3779B97F4A7C15L;
        long z = s;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [−1, 1), exact. */
    float uni() {
        return (float) ((int) (next() >>> 40) - 8388608) * 0x1p-23f;
    }

    /** Uniform in [0, 1), exact. */
    float u01() {
        return (float) (int) (next() >>> 40) * 0x1p-24f;
    }

    /** Sum of four 22-bit uniforms, centred, in [−2, 2). */
    float gau() {
        int a = (int) (next() >>> 42);
        int b = (int) (next() >>> 42);
        int c = (int) (next() >>> 42);
        int d = (int) (next() >>> 42);
        return (float) (a + b + c + d - 8388608) * 0x1p-22f;
    }
}
