package io.mbllm.kernels.nativ;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * FFM bindings of {@code src/main/c/mbllm_kernels.h}, in the shape jextract generates: per C function a nested
 * holder class with its {@link FunctionDescriptor} and downcall {@link MethodHandle} (created on first use), and a
 * static wrapper method of the same name. The calls that take Java heap arrays ({@code mbllm_quantize_act},
 * {@code mbllm_quantize_act_rows}, {@code mbllm_matmul}, {@code mbllm_pack}, {@code mbllm_matmul_packed}, {@code mbllm_attn_f16}) are linked {@link Linker.Option#critical(boolean) critical} with heap access. Only usable
 * when {@link NativeKernels#isAvailable()}.
 */
public final class mbllm_kernels_h {
    private mbllm_kernels_h() {}

    /** C {@code int}. */
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    /** C {@code int64_t}. */
    public static final ValueLayout.OfLong C_INT64 = ValueLayout.JAVA_LONG;
    /** C pointer. */
    public static final ValueLayout C_POINTER = ValueLayout.ADDRESS;

    /** {@code MBLLM_OK}. */
    public static final int MBLLM_OK = 0;
    /** {@code MBLLM_E_TYPE}: no kernel for the weight type. */
    public static final int MBLLM_E_TYPE = -1;
    /** {@code MBLLM_E_VARIANT}: variant not usable on this CPU. */
    public static final int MBLLM_E_VARIANT = -2;
    /** {@code MBLLM_E_ARGS}: bad sizes. */
    public static final int MBLLM_E_ARGS = -3;

    static final Linker LINKER = Linker.nativeLinker();

    static MethodHandle downcall(String name, FunctionDescriptor desc, Linker.Option... options) {
        MemorySegment address = NativeKernels.lookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("symbol not found in libmbllm_kernels: " + name));
        return LINKER.downcallHandle(address, desc, options);
    }

    static RuntimeException failure(String name, Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("native call " + name + " failed", t);
    }

    private static final class mbllm_kernels_abi {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT);
        static final MethodHandle HANDLE = downcall("mbllm_kernels_abi", DESC, Linker.Option.critical(false));
    }

    /** {@code int mbllm_kernels_abi(void)}. */
    public static int mbllm_kernels_abi() {
        try {
            return (int) mbllm_kernels_abi.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw failure("mbllm_kernels_abi", t);
        }
    }

    private static final class mbllm_kernels_variants {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT);
        static final MethodHandle HANDLE = downcall("mbllm_kernels_variants", DESC, Linker.Option.critical(false));
    }

    /** {@code int mbllm_kernels_variants(void)}: bit {@code 1 << variant} per usable variant. */
    public static int mbllm_kernels_variants() {
        try {
            return (int) mbllm_kernels_variants.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw failure("mbllm_kernels_variants", t);
        }
    }

    private static final class mbllm_kernels_supports {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT);
        static final MethodHandle HANDLE = downcall("mbllm_kernels_supports", DESC, Linker.Option.critical(false));
    }

    /** {@code int mbllm_kernels_supports(int wtype)}. */
    public static int mbllm_kernels_supports(int wtype) {
        try {
            return (int) mbllm_kernels_supports.HANDLE.invokeExact(wtype);
        } catch (Throwable t) {
            throw failure("mbllm_kernels_supports", t);
        }
    }

    private static final class mbllm_act_row_bytes {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT64, C_INT, C_INT64);
        static final MethodHandle HANDLE = downcall("mbllm_act_row_bytes", DESC, Linker.Option.critical(false));
    }

    /** {@code int64_t mbllm_act_row_bytes(int wtype, int64_t cols)}: bytes of one converted activation row, or a status. */
    public static long mbllm_act_row_bytes(int wtype, long cols) {
        try {
            return (long) mbllm_act_row_bytes.HANDLE.invokeExact(wtype, cols);
        } catch (Throwable t) {
            throw failure("mbllm_act_row_bytes", t);
        }
    }

    private static final class mbllm_set_exact {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT);
        static final MethodHandle HANDLE = downcall("mbllm_set_exact", DESC, Linker.Option.critical(false));
    }

    /**
     * {@code int mbllm_set_exact(int on)}: llama.cpp's x86 activation rounding and accumulation order (1) or the
     * reference quantizers' (0); returns the previous mode. Set at load from {@link io.mbllm.kernels.ExactMode}.
     */
    public static int mbllm_set_exact(int on) {
        try {
            return (int) mbllm_set_exact.HANDLE.invokeExact(on);
        } catch (Throwable t) {
            throw failure("mbllm_set_exact", t);
        }
    }

    private static final class mbllm_quantize_act {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT64, C_INT, C_POINTER);
        static final MethodHandle HANDLE = downcall("mbllm_quantize_act", DESC, Linker.Option.critical(true));
    }

    /** {@code int mbllm_quantize_act(int wtype, const float *x, int64_t cols, int32_t n_tok, void *act)}. */
    public static int mbllm_quantize_act(int wtype, MemorySegment x, long cols, int nTok, MemorySegment act) {
        try {
            return (int) mbllm_quantize_act.HANDLE.invokeExact(wtype, x, cols, nTok, act);
        } catch (Throwable t) {
            throw failure("mbllm_quantize_act", t);
        }
    }

    private static final class mbllm_quantize_act_rows {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT64, C_INT, C_INT, C_POINTER);
        static final MethodHandle HANDLE = downcall("mbllm_quantize_act_rows", DESC, Linker.Option.critical(true));
    }

    /** {@code int mbllm_quantize_act_rows(int wtype, const float *x, int64_t cols, int32_t t0, int32_t t1, void *act)}. */
    public static int mbllm_quantize_act_rows(int wtype, MemorySegment x, long cols, int t0, int t1, MemorySegment act) {
        try {
            return (int) mbllm_quantize_act_rows.HANDLE.invokeExact(wtype, x, cols, t0, t1, act);
        } catch (Throwable t) {
            throw failure("mbllm_quantize_act_rows", t);
        }
    }

    private static final class mbllm_matmul {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_INT, C_POINTER, C_INT64, C_INT64,
                C_POINTER, C_INT64, C_INT, C_POINTER, C_INT64, C_INT64, C_INT64);
        static final MethodHandle HANDLE = downcall("mbllm_matmul", DESC, Linker.Option.critical(true));
    }

    /**
     * {@code int mbllm_matmul(int variant, int wtype, const void *w, int64_t w_row_bytes, int64_t cols,
     * const void *act, int64_t act_row_bytes, int32_t n_tok, float *out, int64_t out_stride, int64_t r0, int64_t r1)}.
     */
    public static int mbllm_matmul(int variant, int wtype, MemorySegment w, long wRowBytes, long cols,
                                   MemorySegment act, long actRowBytes, int nTok,
                                   MemorySegment out, long outStride, long r0, long r1) {
        try {
            return (int) mbllm_matmul.HANDLE.invokeExact(variant, wtype, w, wRowBytes, cols, act, actRowBytes, nTok,
                    out, outStride, r0, r1);
        } catch (Throwable t) {
            throw failure("mbllm_matmul", t);
        }
    }

    private static final class mbllm_pack_bytes {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT64, C_INT, C_INT, C_INT64, C_INT64);
        static final MethodHandle HANDLE = downcall("mbllm_pack_bytes", DESC, Linker.Option.critical(false));
    }

    /** {@code int64_t mbllm_pack_bytes(int variant, int wtype, int64_t rows, int64_t cols)}: 0 when no packed layout. */
    public static long mbllm_pack_bytes(int variant, int wtype, long rows, long cols) {
        try {
            return (long) mbllm_pack_bytes.HANDLE.invokeExact(variant, wtype, rows, cols);
        } catch (Throwable t) {
            throw failure("mbllm_pack_bytes", t);
        }
    }

    private static final class mbllm_pack_rows {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_INT);
        static final MethodHandle HANDLE = downcall("mbllm_pack_rows", DESC, Linker.Option.critical(false));
    }

    /** {@code int mbllm_pack_rows(int variant, int wtype)}: rows per packed group. */
    public static int mbllm_pack_rows(int variant, int wtype) {
        try {
            return (int) mbllm_pack_rows.HANDLE.invokeExact(variant, wtype);
        } catch (Throwable t) {
            throw failure("mbllm_pack_rows", t);
        }
    }

    private static final class mbllm_pack {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_INT, C_POINTER, C_INT64, C_INT64, C_POINTER);
        static final MethodHandle HANDLE = downcall("mbllm_pack", DESC, Linker.Option.critical(true));
    }

    /** {@code int mbllm_pack(int variant, int wtype, const void *w, int64_t rows, int64_t cols, void *dst)}. */
    public static int mbllm_pack(int variant, int wtype, MemorySegment w, long rows, long cols, MemorySegment dst) {
        try {
            return (int) mbllm_pack.HANDLE.invokeExact(variant, wtype, w, rows, cols, dst);
        } catch (Throwable t) {
            throw failure("mbllm_pack", t);
        }
    }

    private static final class mbllm_matmul_packed {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_INT, C_POINTER, C_INT64, C_INT64,
                C_POINTER, C_INT64, C_INT, C_POINTER, C_INT64, C_INT64, C_INT64);
        static final MethodHandle HANDLE = downcall("mbllm_matmul_packed", DESC, Linker.Option.critical(true));
    }

    /**
     * {@code int mbllm_matmul_packed(int variant, int wtype, const void *packed, int64_t rows, int64_t cols,
     * const void *act, int64_t act_row_bytes, int32_t n_tok, float *out, int64_t out_stride, int64_t r0, int64_t r1)}.
     */
    public static int mbllm_matmul_packed(int variant, int wtype, MemorySegment packed, long rows, long cols,
                                          MemorySegment act, long actRowBytes, int nTok,
                                          MemorySegment out, long outStride, long r0, long r1) {
        try {
            return (int) mbllm_matmul_packed.HANDLE.invokeExact(variant, wtype, packed, rows, cols, act, actRowBytes, nTok,
                    out, outStride, r0, r1);
        } catch (Throwable t) {
            throw failure("mbllm_matmul_packed", t);
        }
    }

    private static final class mbllm_release_pages {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT64);
        static final MethodHandle HANDLE = downcall("mbllm_release_pages", DESC);
    }

    /** {@code int mbllm_release_pages(void *p, int64_t bytes)}: madvise(MADV_DONTNEED) on the whole pages inside. */
    public static int mbllm_release_pages(MemorySegment p, long bytes) {
        try {
            return (int) mbllm_release_pages.HANDLE.invokeExact(p, bytes);
        } catch (Throwable t) {
            throw failure("mbllm_release_pages", t);
        }
    }

    private static final class mbllm_alloc_packed {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT64);
        static final MethodHandle HANDLE = downcall("mbllm_alloc_packed", DESC);
    }

    /** {@code void *mbllm_alloc_packed(int64_t bytes)}: 2 MiB-aligned anonymous memory advised for huge pages, or NULL. */
    public static MemorySegment mbllm_alloc_packed(long bytes) {
        try {
            return (MemorySegment) mbllm_alloc_packed.HANDLE.invokeExact(bytes);
        } catch (Throwable t) {
            throw failure("mbllm_alloc_packed", t);
        }
    }

    private static final class mbllm_free_packed {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT64);
        static final MethodHandle HANDLE = downcall("mbllm_free_packed", DESC);
    }

    /** {@code int mbllm_free_packed(void *p, int64_t bytes)}. */
    public static int mbllm_free_packed(MemorySegment p, long bytes) {
        try {
            return (int) mbllm_free_packed.HANDLE.invokeExact(p, bytes);
        } catch (Throwable t) {
            throw failure("mbllm_free_packed", t);
        }
    }

    private static final class mbllm_attn_f16 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT64, C_POINTER,
                C_INT64, C_INT64, C_POINTER, C_INT64, C_INT64, C_INT, C_INT, C_INT, ValueLayout.JAVA_FLOAT, C_POINTER,
                C_INT64);
        static final MethodHandle HANDLE = downcall("mbllm_attn_f16", DESC, Linker.Option.critical(true));
    }

    /**
     * {@code int mbllm_attn_f16(int variant, const float *q, int64_t q_off, const uint16_t *k, int64_t k_off, int64_t k_stride,
     * const uint16_t *v, int64_t v_off, int64_t v_stride, int32_t len, int32_t hd_k, int32_t hd_v, float scale,
     * float *out, int64_t out_off)}.
     */
    public static int mbllm_attn_f16(int variant, MemorySegment q, long qOff, MemorySegment k, long kOff, long kStride,
                                     MemorySegment v, long vOff, long vStride, int len, int hdK, int hdV, float scale,
                                     MemorySegment out, long outOff) {
        try {
            return (int) mbllm_attn_f16.HANDLE.invokeExact(variant, q, qOff, k, kOff, kStride, v, vOff, vStride, len, hdK, hdV,
                    scale, out, outOff);
        } catch (Throwable t) {
            throw failure("mbllm_attn_f16", t);
        }
    }
}
