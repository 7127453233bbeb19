package io.mbllm.kernels.nativ;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;

/**
 * Attention of one query head over an F16 K/V cache in native code ({@code mbllm_attn_f16}): the order of
 * llama.cpp's CPU flash attention with F16 K/V on AVX-512, the same bits as the engine's Java
 * {@code FlashAttentionF16} from both native builds (AVX2 and AVX-512), several times faster (one C {@code expf}
 * per position instead of a downcall, F16 conversions in vector registers). Available where the native library
 * loaded and the CPU runs its AVX2 build at least, unless {@code -Dmbllm.attention.native=false}.
 */
public final class NativeAttention {
    private NativeAttention() {}

    /** The variant used, or null when unavailable. */
    private static final NativeVariant VARIANT = choose();

    private static NativeVariant choose() {
        if (!Boolean.parseBoolean(System.getProperty("mbllm.attention.native", "true")) || !NativeKernels.isAvailable()) return null;
        NativeVariant best = NativeVariant.best();
        return best == NativeVariant.SCALAR ? null : best;
    }

    /** True when {@link #attendF16} can be called. */
    public static boolean isAvailable() {
        return VARIANT != null;
    }

    /** The SIMD variants that run {@code mbllm_attn_f16} on this CPU (for tests: they give the same bits). */
    public static List<NativeVariant> variants() {
        if (!NativeKernels.isAvailable()) return List.of();
        return NativeVariant.available().stream().filter(v -> v != NativeVariant.SCALAR).sorted().toList();
    }

    /**
     * Query {@code q[qOff .. qOff+hdK)} over positions {@code 0 .. len-1}: key {@code s} at
     * {@code k[kOff + s*kStride ..]}, value {@code s} at {@code v[vOff + s*vStride ..]} (F16 bits); writes
     * {@code hdV} floats to {@code out[outOff ..]}. The segments view arrays ({@code float[]} for q and out,
     * {@code short[]} for k and v) or native memory; offsets and strides count elements. Allocates nothing
     * (callers keep one segment per array).
     */
    public static void attendF16(MemorySegment q, int qOff, MemorySegment k, int kOff, int kStride, MemorySegment v,
                                 int vOff, int vStride, int len, int hdK, int hdV, float scale, MemorySegment out,
                                 int outOff) {
        attendF16(VARIANT, q, qOff, k, kOff, kStride, v, vOff, vStride, len, hdK, hdV, scale, out, outOff);
    }

    /** {@link #attendF16(MemorySegment, int, MemorySegment, int, int, MemorySegment, int, int, int, int, int, float, MemorySegment, int)} with a given variant. */
    public static void attendF16(NativeVariant variant, MemorySegment q, int qOff, MemorySegment k, int kOff, int kStride,
                                 MemorySegment v, int vOff, int vStride, int len, int hdK, int hdV, float scale,
                                 MemorySegment out, int outOff) {
        if (variant == null) throw new IllegalStateException("native attention unavailable");
        // the C code trusts its arguments: check every range it reads or writes
        Objects.checkFromIndexSize(qOff, hdK, q.byteSize() / 4);
        Objects.checkFromIndexSize(outOff, hdV, out.byteSize() / 4);
        if (len < 0 || kStride < 0 || vStride < 0) throw new IllegalArgumentException("negative length or stride");
        if (len > 0) {
            Objects.checkFromIndexSize(kOff, (long) (len - 1) * kStride + hdK, k.byteSize() / 2);
            Objects.checkFromIndexSize(vOff, (long) (len - 1) * vStride + hdV, v.byteSize() / 2);
        }
        int rc = mbllm_kernels_h.mbllm_attn_f16(variant.id(), q, qOff, k, kOff, kStride, v, vOff, vStride, len, hdK, hdV, scale, out,
                outOff);
        if (rc != mbllm_kernels_h.MBLLM_OK) throw new IllegalStateException("mbllm_attn_f16 failed: status " + rc);
    }
}
