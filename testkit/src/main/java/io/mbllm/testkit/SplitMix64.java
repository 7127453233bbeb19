package io.mbllm.testkit;

/**
 * The splitmix64 generator of {@code shared/testdata/quant/README.md} (wrapping 64-bit arithmetic) with its three
 * exact float draws. It reproduces the golden input files bit for bit and gives any test a deterministic stream.
 * Not thread-safe.
 */
public final class SplitMix64 {
    private long s;

    /** A generator whose state starts at {@code seed}. */
    public SplitMix64(long seed) {
        s = seed;
    }

    /** The next 64 raw bits. */
    public long next() {
        s += 0x9E3779B97F4A7C15L;
        long z = s;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [-1, 1) from the top 24 bits, exact. */
    public float uni() {
        return (float) ((int) (next() >>> 40) - 8388608) * 0x1p-23f;
    }

    /** Uniform in [0, 1) from the top 24 bits, exact. */
    public float u01() {
        return (float) (int) (next() >>> 40) * 0x1p-24f;
    }

    /** Sum of four 22-bit draws, centred and scaled into [-2, 2), exact (a rough Gaussian). */
    public float gau() {
        int a = (int) (next() >>> 42);
        int b = (int) (next() >>> 42);
        int c = (int) (next() >>> 42);
        int d = (int) (next() >>> 42);
        return (float) (a + b + c + d - 8388608) * 0x1p-22f;
    }
}
