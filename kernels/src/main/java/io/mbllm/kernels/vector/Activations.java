package io.mbllm.kernels.vector;

import java.lang.foreign.MemorySegment;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.BFloat16;
import io.mbllm.gguf.quant.Half;

/**
 * The activation rows of one matmul in the weight type's activation format, owned by one {@link VectorMatMul}
 * and grown rarely. Integer formats are kept twice: the reference bytes ({@link #ref}, identical to the reference
 * codec) and an unpacked form the kernels read: the int8 codes as shorts in element order ({@link #q}), the block
 * scale as a float ({@link #d}), Q8_1's {@code s} as a float ({@link #s}), and exact integer sums of the codes per
 * 32 ({@link #sum32}) and, for Q8_K, per 16 ({@link #sum16}, ggml's {@code bsums}). Float formats are a float row
 * rounded through the weight type ({@link #f}; for F32 the caller's array itself).
 */
final class Activations {
    GgmlType type;
    int cols;
    int tokens;
    byte[] ref = new byte[0];
    short[] q = new short[0];
    float[] d = new float[0];
    float[] s = new float[0];
    int[] sum32 = new int[0];
    int[] sum16 = new int[0];
    float[] f = new float[0];
    private float[] own = new float[0];

    /** Bytes of one reference-format row. */
    int refRowBytes() {
        return (int) type.rowBytes(cols);
    }

    /** Converts {@code tokens} rows of {@code cols} floats of {@code x} to {@code type}. */
    void prepare(GgmlType type, float[] x, int tokens, int cols) {
        this.type = type;
        this.cols = cols;
        this.tokens = tokens;
        int n = tokens * cols;
        switch (type) {
            case F32 -> f = x;
            case F16 -> {
                float[] y = ownFloats(n);
                for (int i = 0; i < n; i++) y[i] = Half.toFloat(Half.fromFloat(x[i]));
                f = y;
            }
            case BF16 -> {
                float[] y = ownFloats(n);
                for (int i = 0; i < n; i++) y[i] = BFloat16.round(x[i]);
                f = y;
            }
            case Q8_0, Q8_1, Q8_K -> quantize(x, tokens, cols);
            default -> throw new UnsupportedOperationException("no activation format " + type.ggmlName());
        }
    }

    private float[] ownFloats(int n) {
        if (own.length < n) own = new float[n];
        return own;
    }

    private void quantize(float[] x, int tokens, int cols) {
        int rowBytes = refRowBytes();
        int qk = type.blockSize();
        int nb = cols / qk;
        if (ref.length < tokens * rowBytes) ref = new byte[tokens * rowBytes];
        if (q.length < tokens * cols) q = new short[tokens * cols];
        if (d.length < tokens * nb) d = new float[tokens * nb];
        if (type == GgmlType.Q8_1 && s.length < tokens * nb) s = new float[tokens * nb];
        if (sum32.length < tokens * (cols / 32)) sum32 = new int[tokens * (cols / 32)];
        if (type == GgmlType.Q8_K && sum16.length < tokens * (cols / 16)) sum16 = new int[tokens * (cols / 16)];
        MemorySegment seg = MemorySegment.ofArray(ref);
        for (int t = 0; t < tokens; t++) {
            int o = t * rowBytes;
            ActQuant.quantizeRow(type, x, t * cols, cols, ref, o);
            unpack(seg, o, t, nb, cols);
        }
    }

    /** Fills q, d, s and the sums of token {@code t} from its reference bytes at {@code o}. */
    private void unpack(MemorySegment seg, int o, int t, int nb, int cols) {
        int qo = t * cols;
        int bo = t * nb;
        switch (type) {
            case Q8_0, Q8_1 -> {
                int bytes = type == GgmlType.Q8_0 ? 34 : 36;
                int codes = type == GgmlType.Q8_0 ? 2 : 4;
                for (int b = 0; b < nb; b++) {
                    int y = o + b * bytes;
                    d[bo + b] = Simd.f16(seg, y);
                    if (type == GgmlType.Q8_1) s[bo + b] = Simd.f16(seg, y + 2);
                    int sum = 0;
                    for (int j = 0; j < 32; j++) {
                        short v = ref[y + codes + j];
                        q[qo + 32 * b + j] = v;
                        sum += v;
                    }
                    sum32[bo + b] = sum;
                }
            }
            case Q8_K -> {
                for (int b = 0; b < nb; b++) {
                    int y = o + b * 292;
                    d[bo + b] = seg.get(Simd.LE_FLOAT, y);
                    for (int j = 0; j < 256; j++) q[qo + 256 * b + j] = ref[y + 4 + j];
                    for (int g = 0; g < 16; g++) sum16[t * (cols / 16) + 16 * b + g] = seg.get(Simd.LE_SHORT, y + 260 + 2 * g);
                    for (int j = 0; j < 8; j++) {
                        int i = t * (cols / 16) + 16 * b + 2 * j;
                        sum32[t * (cols / 32) + 8 * b + j] = sum16[i] + sum16[i + 1];
                    }
                }
            }
            default -> throw new IllegalStateException(type.toString());
        }
    }
}
