package io.mbllm.engine.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ConcurrentHashMap;

import io.mbllm.kernels.CMath;
import io.mbllm.kernels.nativ.NativeAttention;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention of one query row as llama.cpp's CPU backend computes it with its defaults (F16 K/V cache, flash
 * attention on): {@code ggml_compute_forward_flash_attn_ext_f16_one_chunk} (ggml-cpu/ops.cpp) with F16 K and V.
 * The query is rounded to F16; each score is {@code ggml_vec_dot_f16} of the F16 query and key times the scale;
 * an online softmax keeps the running maximum {@code M}, the sum {@code S} and an F16 accumulator of V rows:
 * when a score raises {@code M} the accumulator is scaled by {@code expf(Mold - M)}, otherwise the V row is added
 * with weight {@code expf(s - M)}; the result is the accumulator times {@code 1/S}.
 *
 * <p>The cache holds K and V as F16 bits ({@link KvCache}). Scratch rows are per query head, so heads can run on
 * different threads; nothing is allocated per call.
 */
final class FlashAttentionF16 {
    private final float[] qh; // [n_head][head_dim_k] the F16-rounded query
    private final float[] acc; // [n_head][head_dim_v] the F16 V accumulator
    private final float[] lanes; // [n_head][16] the 16 lanes of a dot product before their reduction
    private final float[] kRow; // [n_head][head_dim_k] the Java form's key row, widened from F16
    private final float[] vRow; // [n_head][head_dim_v] the Java form's value row, widened from F16

    /** ggml's 16 float lanes as one vector where the CPU has 512-bit vectors (else the scalar lane-by-lane form). */
    private static final VectorSpecies<Float> S16 = FloatVector.SPECIES_512;
    private static final boolean VECTOR = FloatVector.SPECIES_PREFERRED.length() >= 16;
    /** The same computation in C where the native AVX-512 build runs (bit-identical; FlashAttentionF16Test). */
    private static final boolean NATIVE = NativeAttention.isAvailable();

    /**
     * One segment per array the native form has seen (the context's query and output rows), so that a call allocates
     * nothing. Arrays hash and compare by identity.
     */
    private final ConcurrentHashMap<float[], MemorySegment> segments = new ConcurrentHashMap<>();

    private MemorySegment segment(float[] a) {
        MemorySegment s = segments.get(a);
        return s != null ? s : segments.computeIfAbsent(a, MemorySegment::ofArray);
    }


    FlashAttentionF16(int maxHeads, int hdK, int hdV) {
        qh = new float[maxHeads * hdK];
        acc = new float[maxHeads * hdV];
        lanes = new float[maxHeads * 16];
        kRow = new float[maxHeads * hdK];
        vRow = new float[maxHeads * hdV];
    }

    /**
     * Attends query {@code q[qOff .. qOff+hdK)} (query head {@code head}) over positions {@code 0 .. len-1} of the
     * cache rows at element {@code s*kDim + kBase} of {@code keys} and {@code s*vDim + vBase} of {@code values}
     * (F16 bits); writes {@code hdV} values to {@code out[oOff ..]}.
     */
    void attend(int head, float[] q, int qOff, MemorySegment keys, MemorySegment values, int len, int kBase, int vBase,
                int kDim, int vDim, int hdK, int hdV, float scale, float[] out, int oOff) {
        if (NATIVE) {
            NativeAttention.attendF16(segment(q), qOff, keys, kBase, kDim, values, vBase, vDim, len, hdK, hdV, scale,
                    segment(out), oOff);
        } else {
            attendJava(head, q, qOff, keys, values, len, kBase, vBase, kDim, vDim, hdK, hdV, scale, out, oOff);
        }
    }

    /** {@link #attend} in Java (where the native build is unavailable; the reference for the native one). */
    void attendJava(int head, float[] q, int qOff, MemorySegment keys, MemorySegment values, int len, int kBase, int vBase,
                    int kDim, int vDim, int hdK, int hdV, float scale, float[] out, int oOff) {
        int qo = head * hdK, ao = head * hdV;
        float[] kr = kRow, vr = vRow;
        for (int i = 0; i < hdK; i++) qh[qo + i] = f16(q[qOff + i]);
        for (int i = 0; i < hdV; i++) acc[ao + i] = 0f;
        float sum = 0, m = Float.NEGATIVE_INFINITY;
        for (int s = 0; s < len; s++) {
            long ko = (long) s * kDim + kBase, vo = (long) s * vDim + vBase;
            for (int i = 0; i < hdK; i++) kr[qo + i] = Float.float16ToFloat(keys.getAtIndex(ValueLayout.JAVA_SHORT, ko + i));
            float sc = (VECTOR ? dotF16(qh, qo, kr, qo, hdK, lanes, head * 16) : dotF16(qh, qo, kr, qo, hdK)) * scale;
            float mOld = m, ms = 1f, vs = 1f;
            if (sc > m) {
                m = sc;
                ms = CMath.exp(mOld - m);
                for (int i = 0; i < hdV; i++) acc[ao + i] = f16(acc[ao + i] * ms);
            } else {
                vs = CMath.exp(sc - m);
            }
            for (int i = 0; i < hdV; i++) vr[ao + i] = Float.float16ToFloat(values.getAtIndex(ValueLayout.JAVA_SHORT, vo + i));
            for (int i = 0; i < hdV; i++) acc[ao + i] = f16(Math.fma(vr[ao + i], vs, acc[ao + i]));
            sum = Math.fma(sum, ms, vs);
        }
        float sInv = sum == 0f ? 0f : 1.0f / sum;
        for (int i = 0; i < hdV; i++) out[oOff + i] = acc[ao + i] * sInv;
    }

    static float f16(float x) {
        return Float.float16ToFloat(Float.floatToFloat16(x));
    }

    /**
     * ggml_vec_dot_f16 on AVX-512 without FP16 arithmetic (vec.cpp): 4 accumulators of 16 lanes over blocks of
     * 64, reduced (0+2, 1+3, 0+1, then GCC's _mm512_reduce_add_ps halving), leftovers added in double.
     */
    static float dotF16(float[] x, int xOff, float[] y, int yOff, int n) {
        int np = n & ~63;
        float t0 = t6(x, xOff, y, yOff, np, 0), t1 = t6(x, xOff, y, yOff, np, 1);
        float t2 = t6(x, xOff, y, yOff, np, 2), t3 = t6(x, xOff, y, yOff, np, 3);
        double sumf = (t0 + t2) + (t1 + t3);
        for (int i = np; i < n; i++) sumf += x[xOff + i] * y[yOff + i];
        return (float) sumf;
    }

    /** {@link #dotF16(float[], int, float[], int, int)} with the four 16-lane accumulators as vectors. */
    static float dotF16(float[] x, int xOff, float[] y, int yOff, int n, float[] r, int rOff) {
        int np = n & ~63;
        double sumf = 0;
        if (np > 0) {
            FloatVector a0 = FloatVector.zero(S16), a1 = a0, a2 = a0, a3 = a0;
            for (int i = 0; i < np; i += 64) {
                a0 = FloatVector.fromArray(S16, x, xOff + i).fma(FloatVector.fromArray(S16, y, yOff + i), a0);
                a1 = FloatVector.fromArray(S16, x, xOff + i + 16).fma(FloatVector.fromArray(S16, y, yOff + i + 16), a1);
                a2 = FloatVector.fromArray(S16, x, xOff + i + 32).fma(FloatVector.fromArray(S16, y, yOff + i + 32), a2);
                a3 = FloatVector.fromArray(S16, x, xOff + i + 48).fma(FloatVector.fromArray(S16, y, yOff + i + 48), a3);
            }
            a0.add(a2).add(a1.add(a3)).intoArray(r, rOff);
            float t0 = (r[rOff + 12] + r[rOff + 4]) + (r[rOff + 8] + r[rOff]);
            float t1 = (r[rOff + 13] + r[rOff + 5]) + (r[rOff + 9] + r[rOff + 1]);
            float t2 = (r[rOff + 14] + r[rOff + 6]) + (r[rOff + 10] + r[rOff + 2]);
            float t3 = (r[rOff + 15] + r[rOff + 7]) + (r[rOff + 11] + r[rOff + 3]);
            sumf = (t0 + t2) + (t1 + t3);
        }
        for (int i = np; i < n; i++) sumf += x[xOff + i] * y[yOff + i];
        return (float) sumf;
    }

    /** Lane m of the 4-wide stage of the reduction: (r[m+12] + r[m+4]) + (r[m+8] + r[m]). */
    private static float t6(float[] x, int xOff, float[] y, int yOff, int np, int m) {
        return (lane(x, xOff, y, yOff, np, m + 12) + lane(x, xOff, y, yOff, np, m + 4))
                + (lane(x, xOff, y, yOff, np, m + 8) + lane(x, xOff, y, yOff, np, m));
    }

    /** Lane l after the accumulators are folded (0+2, 1+3, then 0+1); each accumulator is an FMA chain. */
    private static float lane(float[] x, int xOff, float[] y, int yOff, int np, int l) {
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (int i = 0; i < np; i += 64) {
            a0 = Math.fma(x[xOff + i + l], y[yOff + i + l], a0);
            a1 = Math.fma(x[xOff + i + 16 + l], y[yOff + i + 16 + l], a1);
            a2 = Math.fma(x[xOff + i + 32 + l], y[yOff + i + 32 + l], a2);
            a3 = Math.fma(x[xOff + i + 48 + l], y[yOff + i + 48 + l], a3);
        }
        return (a0 + a2) + (a1 + a3);
    }
}
