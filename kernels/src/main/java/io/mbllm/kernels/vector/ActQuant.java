package io.mbllm.kernels.vector;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised activation quantizers writing the reference byte formats Q8_0, Q8_1 and Q8_K, byte-identical with
 * the scalar reference codecs ({@code shared/docs/quantization.md} §4.1, §4.11): Q8_0/Q8_1 round half away from
 * zero with {@code id = 1/(amax/127)} (not the x86 SIMD variant of ggml, which rounds half to even), Q8_K uses
 * ggml's {@code nearest_int} bit trick. A block holding a non-finite value, or whose reciprocal scale overflows,
 * is handed to the reference codec, so every input gives the reference bytes.
 */
final class ActQuant {
    private ActQuant() {}

    private static final VectorSpecies<Float> F = Simd.FP;
    private static final VectorSpecies<Integer> I = Simd.IP;
    /** Byte species with as many lanes as {@link #F}. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class,
            VectorShape.forBitSize(F.vectorBitSize() / 4));
    private static final int L = F.length();
    private static final float MAGIC = 12582912f; // 1.5 * 2^23, ggml nearest_int

    private static final QuantCodec Q8_0 = QuantTypes.codec(GgmlType.Q8_0);
    private static final QuantCodec Q8_1 = QuantTypes.codec(GgmlType.Q8_1);
    private static final QuantCodec Q8_K = QuantTypes.codec(GgmlType.Q8_K);

    /** Quantizes {@code n} floats of {@code x} at {@code xo} into {@code type}'s bytes at {@code dst[o]}. */
    static void quantizeRow(GgmlType type, float[] x, int xo, int n, byte[] dst, int o) {
        switch (type) {
            case Q8_0 -> { for (int b = 0; b < n / 32; b++) q8Legacy(false, x, xo + 32 * b, dst, o + 34 * b); }
            case Q8_1 -> { for (int b = 0; b < n / 32; b++) q8Legacy(true, x, xo + 32 * b, dst, o + 36 * b); }
            case Q8_K -> { for (int b = 0; b < n / 256; b++) q8K(x, xo + 256 * b, dst, o + 292 * b); }
            default -> throw new IllegalArgumentException("not an integer activation format: " + type);
        }
    }

    /** One Q8_0 (34 bytes) or Q8_1 (36 bytes) block of 32 values. */
    private static void q8Legacy(boolean withSum, float[] x, int xo, byte[] dst, int o) {
        FloatVector mx = FloatVector.zero(F);
        for (int p = 0; p < 32; p += L) mx = mx.max(FloatVector.fromArray(F, x, xo + p).abs());
        float amax = mx.reduceLanes(VectorOperators.MAX);
        float d = amax / 127.0f;
        float id = d != 0 ? 1.0f / d : 0.0f;
        if (!Float.isFinite(amax) || !Float.isFinite(id)) { // NaN/inf input or tiny amax: the reference decides
            (withSum ? Q8_1 : Q8_0).quantizeRow(x, xo, null, 0, 32, dst, o);
            return;
        }
        putShort(dst, o, Float.floatToFloat16(d));
        int qo = o + (withSum ? 4 : 2);
        int sum = 0;
        for (int p = 0; p < 32; p += L) {
            FloatVector v = FloatVector.fromArray(F, x, xo + p).mul(id);
            IntVector r = roundAway(v);
            ((ByteVector) r.convertShape(VectorOperators.I2B, B, 0)).intoArray(dst, qo + p);
            if (withSum) sum += r.reduceLanes(VectorOperators.ADD);
        }
        if (withSum) putShort(dst, o + 2, Float.floatToFloat16((float) sum * d));
    }

    /** C {@code roundf} (half away from zero) of finite lanes, exact: trunc(|v|) plus one when the fraction is >= 0.5. */
    private static IntVector roundAway(FloatVector v) {
        FloatVector a = v.abs();
        IntVector t = (IntVector) a.convert(VectorOperators.F2I, 0);
        FloatVector frac = a.sub((FloatVector) t.convert(VectorOperators.I2F, 0)); // exact (Sterbenz)
        VectorMask<Integer> up = frac.compare(VectorOperators.GE, 0.5f).cast(I);
        IntVector r = t.lanewise(VectorOperators.ADD, 1, up);
        return r.lanewise(VectorOperators.NEG, v.compare(VectorOperators.LT, 0f).cast(I));
    }

    /** One Q8_K block (292 bytes) of 256 values. */
    private static void q8K(float[] x, int xo, byte[] dst, int o) {
        FloatVector mx = FloatVector.zero(F);
        for (int p = 0; p < 256; p += L) mx = mx.max(FloatVector.fromArray(F, x, xo + p).abs());
        float amax = mx.reduceLanes(VectorOperators.MAX);
        if (!Float.isFinite(amax)) {
            Q8_K.quantizeRow(x, xo, null, 0, 256, dst, o);
            return;
        }
        if (amax == 0) {
            java.util.Arrays.fill(dst, o, o + 292, (byte) 0);
            return;
        }
        float max = 0;
        for (int p = 0; p < 256; p += L) { // the first element with |x| == amax (ggml's strict '>' search)
            VectorMask<Float> m = FloatVector.fromArray(F, x, xo + p).abs().compare(VectorOperators.EQ, amax);
            if (m.anyTrue()) {
                max = x[xo + p + m.firstTrue()];
                break;
            }
        }
        float iscale = -127f / max;
        if (!Float.isFinite(iscale)) {
            Q8_K.quantizeRow(x, xo, null, 0, 256, dst, o);
            return;
        }
        int g16 = 0, gsum = 0;
        for (int p = 0; p < 256; p += L) {
            FloatVector v = FloatVector.fromArray(F, x, xo + p).mul(iscale).add(MAGIC);
            IntVector r = v.reinterpretAsInts().and(0x007FFFFF).sub(0x00400000).min(127);
            ((ByteVector) r.convertShape(VectorOperators.I2B, B, 0)).intoArray(dst, o + 4 + p);
            // bsums over groups of 16 (a part of L lanes is a whole group or a piece of one)
            gsum += r.reduceLanes(VectorOperators.ADD); // L is 8 or 16: a group or half of one
            if (((p + L) & 15) == 0) {
                putShort(dst, o + 260 + 2 * g16++, (short) gsum);
                gsum = 0;
            }
        }
        int bits = Float.floatToRawIntBits(1 / iscale);
        dst[o] = (byte) bits;
        dst[o + 1] = (byte) (bits >> 8);
        dst[o + 2] = (byte) (bits >> 16);
        dst[o + 3] = (byte) (bits >> 24);
    }

    private static void putShort(byte[] dst, int o, short v) {
        dst[o] = (byte) v;
        dst[o + 1] = (byte) (v >> 8);
    }
}
