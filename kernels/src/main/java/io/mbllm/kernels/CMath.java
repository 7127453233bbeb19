package io.mbllm.kernels;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The C library's single-precision {@code cosf}, {@code sinf}, {@code expf} and {@code powf}, called through the
 * FFM linker, so that values ggml computes with them come out bit for bit as llama.cpp's on the same machine: the
 * RoPE angle cache ({@code ggml_rope_cache_init} in ggml-cpu/ops.cpp, {@code theta_scale = powf(freq_base,
 * -2.0f/n_dims)}) and the online-softmax factors of the CPU flash attention ({@code expf(Mold - M)},
 * {@code expf(s - M)} in {@code ggml_compute_forward_flash_attn_ext_f16_one_chunk}).
 *
 * <p>Java's {@code (float) Math.cos(x)} is the correctly rounded double result rounded again to float; glibc's
 * {@code cosf}/{@code sinf} are accurate to about 0.56 ulp but not correctly rounded, and on the llama-1b RoPE
 * angles (positions 0..4095, 32 pairs) about 1% of the values differ by one ulp. One ulp in a RoPE factor moves a
 * Q or K element by one ulp, which can cross an F16 rounding boundary of llama.cpp's F16 K cache and then grows
 * through the layers. glibc's {@code expf} differs from {@code (float) Math.exp} on about 1 in 13,000 arguments
 * in [-20, 0]; in attention one such factor changes a whole head's output row.
 *
 * <p>Where the C library cannot be looked up (another platform, no native access), the Java functions are used.
 * A call costs a few nanoseconds.
 */
public final class CMath {
    private CMath() {}

    private static final MethodHandle COSF, SINF, POWF, EXPF;

    static {
        MethodHandle cos = null, sin = null, pow = null, exp = null;
        try {
            Linker linker = Linker.nativeLinker();
            FunctionDescriptor f1 = FunctionDescriptor.of(ValueLayout.JAVA_FLOAT, ValueLayout.JAVA_FLOAT);
            FunctionDescriptor f2 = FunctionDescriptor.of(ValueLayout.JAVA_FLOAT, ValueLayout.JAVA_FLOAT, ValueLayout.JAVA_FLOAT);
            Optional<java.lang.foreign.MemorySegment> c = linker.defaultLookup().find("cosf");
            Optional<java.lang.foreign.MemorySegment> s = linker.defaultLookup().find("sinf");
            Optional<java.lang.foreign.MemorySegment> p = linker.defaultLookup().find("powf");
            Optional<java.lang.foreign.MemorySegment> e = linker.defaultLookup().find("expf");
            if (c.isPresent() && s.isPresent() && p.isPresent() && e.isPresent()) {
                exp = linker.downcallHandle(e.get(), f1, Linker.Option.critical(false));
                cos = linker.downcallHandle(c.get(), f1, Linker.Option.critical(false));
                sin = linker.downcallHandle(s.get(), f1, Linker.Option.critical(false));
                pow = linker.downcallHandle(p.get(), f2, Linker.Option.critical(false));
            }
        } catch (RuntimeException | LinkageError e) {
            cos = sin = pow = exp = null; // no native access: the Java fallbacks below
        }
        COSF = cos;
        SINF = sin;
        POWF = pow;
        EXPF = exp;
    }

    /** True when the C library's functions are in use (else Java's, rounded to float). */
    public static boolean isNative() {
        return COSF != null;
    }

    /** C {@code cosf(x)}. */
    public static float cos(float x) {
        if (COSF == null) return (float) Math.cos(x);
        try {
            return (float) COSF.invokeExact(x);
        } catch (Throwable t) {
            throw new IllegalStateException("cosf", t);
        }
    }

    /** C {@code sinf(x)}. */
    public static float sin(float x) {
        if (SINF == null) return (float) Math.sin(x);
        try {
            return (float) SINF.invokeExact(x);
        } catch (Throwable t) {
            throw new IllegalStateException("sinf", t);
        }
    }

    /** C {@code expf(x)}. */
    public static float exp(float x) {
        if (EXPF == null) return (float) Math.exp(x);
        try {
            return (float) EXPF.invokeExact(x);
        } catch (Throwable t) {
            throw new IllegalStateException("expf", t);
        }
    }

    /** C {@code powf(x, y)}. */
    public static float pow(float x, float y) {
        if (POWF == null) return (float) Math.pow(x, y);
        try {
            return (float) POWF.invokeExact(x, y);
        } catch (Throwable t) {
            throw new IllegalStateException("powf", t);
        }
    }
}
