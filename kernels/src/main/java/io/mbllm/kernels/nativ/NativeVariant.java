package io.mbllm.kernels.nativ;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The instruction-set variants of the native kernels ({@code MBLLM_VARIANT_*} in {@code mbllm_kernels.h}). */
public enum NativeVariant {
    /** Portable C, the reference summation order. */
    SCALAR(0),
    /** AVX2 + FMA + F16C. */
    AVX2(1),
    /** AVX-512 F/BW/VL with VNNI byte dot products. */
    AVX512(2);

    private final int id;

    NativeVariant(int id) {
        this.id = id;
    }

    /** The C-side id. */
    public int id() {
        return id;
    }

    /** Lower-case name, as accepted by {@link #parse}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The variant named {@code s} ({@code scalar}, {@code avx2}, {@code avx512}); {@link IllegalArgumentException} otherwise. */
    public static NativeVariant parse(String s) {
        for (NativeVariant v : values()) if (v.label().equalsIgnoreCase(s.trim())) return v;
        throw new IllegalArgumentException("unknown native kernel variant '" + s + "' (scalar, avx2, avx512)");
    }

    /** The variants this CPU can run; empty when the native library is unavailable. */
    public static Set<NativeVariant> available() {
        EnumSet<NativeVariant> set = EnumSet.noneOf(NativeVariant.class);
        if (!NativeKernels.isAvailable()) return set;
        int bits = mbllm_kernels_h.mbllm_kernels_variants();
        for (NativeVariant v : values()) if ((bits & (1 << v.id)) != 0) set.add(v);
        return set;
    }

    /** The fastest available variant; {@link IllegalStateException} when the native library is unavailable. */
    public static NativeVariant best() {
        NativeKernels.lookup();
        NativeVariant best = SCALAR;
        for (NativeVariant v : available()) if (v.ordinal() > best.ordinal()) best = v;
        return best;
    }
}
