package io.mbllm.engine.train;

import java.nio.charset.StandardCharsets;

/**
 * The deterministic init of the LoRA A matrices used by the PyTorch reference
 * ({@code testdata/lora-train-oracle/README.md}, "Init"): a counter-based generator keyed by the seed and the
 * tensor name (FNV-1a 64 of the UTF-8 name, then a SplitMix64-style finalizer of {@code key + (i+1)·golden}),
 * uniform in {@code [-amp, amp)} with {@code amp = 1/sqrt(n_in)} (the bound of PEFT's default Kaiming-uniform
 * init). B starts at 0, so the adapted model equals the base model before the first update.
 */
public final class LoraInit {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private LoraInit() {}

    /** FNV-1a, 64 bit, of the UTF-8 bytes of {@code s}. */
    static long fnv1a64(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** The SplitMix64 finalizer. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Fills {@code out[off .. off+n)} with the generator's values for tensor {@code name}: value i is
     * {@code (float) (amp · (2·u_i − 1))} with {@code u_i} the top 53 bits of {@code mix(key + (i+1)·golden)}.
     */
    public static void fill(long seed, String name, double amp, float[] out, int off, int n) {
        long key = seed ^ fnv1a64(name);
        for (int i = 0; i < n; i++) {
            long o = mix(key + (i + 1L) * GOLDEN);
            double v = 2.0 * ((o >>> 11) * 0x1.0p-53) - 1.0;
            out[off + i] = (float) (amp * v);
        }
    }

    /** A from the generator ({@code amp = 1/sqrt(n_in)}, names {@code <base>.lora_a}), B = 0, for every slot. */
    public static void initialize(LoraLayout layout, long seed, float[] params) {
        for (LoraLayout.Slot s : layout.slots()) {
            fill(seed, s.baseName() + ".lora_a", 1.0 / Math.sqrt(s.nIn()), params, s.aOffset(), layout.rank() * s.nIn());
            java.util.Arrays.fill(params, s.bOffset(), s.bOffset() + s.nOut() * layout.rank(), 0f);
        }
    }
}
