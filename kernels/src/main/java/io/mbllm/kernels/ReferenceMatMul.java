package io.mbllm.kernels;

import java.lang.foreign.MemorySegment;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.gguf.quant.VecDot;

/**
 * The portable reference: activations converted with the reference activation quantizer, then ggml's scalar
 * {@code vec_dot} per row, rows split across the pool. Exact with ggml's generic CPU kernels; the fast paths
 * are checked against it. Not thread-safe: one instance per inference context (it owns the activation buffer).
 */
public final class ReferenceMatMul implements MatMul {
    private final Parallel parallel;
    private byte[] act = new byte[0];

    public ReferenceMatMul(Parallel parallel) {
        this.parallel = parallel;
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, int nTokens, float[] out) {
        QuantTypes.Traits traits = QuantTypes.of(w.type());
        GgmlType actType = traits.vecDotType();
        QuantCodec actCodec = QuantTypes.codec(actType);
        VecDot dot = traits.vecDot();
        int cols = w.cols(), rows = w.rows();
        int actRow = (int) actType.rowBytes(cols);
        if (act.length < actRow * nTokens) act = new byte[actRow * nTokens];
        for (int t = 0; t < nTokens; t++) {
            actCodec.quantizeRow(x, t * cols, null, 0, cols, act, t * actRow);
        }
        MemorySegment a = MemorySegment.ofArray(act);
        MemorySegment data = w.data();
        long rowBytes = w.rowBytes();
        parallel.forRange(rows, 16, (from, to) -> {
            for (int r = from; r < to; r++) {
                long off = r * rowBytes;
                for (int t = 0; t < nTokens; t++) {
                    out[t * rows + r] = dot.dot(data, off, a, (long) t * actRow, cols);
                }
            }
        });
    }
}
