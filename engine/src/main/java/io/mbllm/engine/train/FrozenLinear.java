package io.mbllm.engine.train;

import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.WeightMatrix;

/**
 * A frozen base matrix W (n_out × n_in) used by training: {@code y = W·x} and {@code dx += Wᵀ·dy} on float32
 * activations. The weights stay in the memory-mapped file in their stored type; blocks of {@link #BLOCK} rows are
 * dequantized to float32 on the fly into a per-thread scratch buffer (exactly as ggml dequantizes them), so no
 * float copy of the model is ever made and activations are never quantized (the QLoRA rule of
 * {@code testdata/lora-train-oracle/README.md}). Both products are split over the {@link Parallel} pool: the
 * forward by row blocks of W, the backward by token ranges. Nothing is allocated per call once each pool thread
 * has grown its scratch to the widest matrix; the scratch is shared by all matrices, so it costs
 * {@code 2·BLOCK·max(n_in)} floats per pool thread.
 */
final class FrozenLinear {
    /** Rows dequantized at a time. */
    static final int BLOCK = FloatMath.LANES;

    private final WeightMatrix w;
    private final QuantCodec codec;
    private final int nIn, nOut;
    /** One growable dequantization buffer per thread, shared by every matrix (a thread runs one product at a time). */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    // the product in progress (read by the range bodies, which are built once)
    private float[] curX, curOut;
    private int curXOff, curOutOff, curTokens;
    private final Parallel.RangeBody forwardBody = this::forwardRows;
    private final Parallel.RangeBody backwardBody = this::backwardTokens;

    FrozenLinear(WeightMatrix w) {
        this.w = w;
        this.codec = QuantTypes.codec(w.type());
        this.nIn = w.cols();
        this.nOut = w.rows();
    }

    WeightMatrix matrix() { return w; }

    /** This thread's buffer for a row block and its transpose: {@code 2·BLOCK·n_in} floats (grown when needed). */
    private float[] scratch() {
        float[][] holder = SCRATCH.get();
        int need = 2 * BLOCK * nIn;
        if (holder[0].length < need) holder[0] = new float[need];
        return holder[0];
    }

    int inputs() { return nIn; }

    int outputs() { return nOut; }

    /** Dequantizes rows {@code [r0, r1)} of W into {@code buf}. */
    private void dequantize(int r0, int r1, float[] buf) {
        long rb = w.rowBytes();
        for (int r = r0; r < r1; r++) codec.dequantizeRow(w.data(), r * rb, buf, (r - r0) * nIn, nIn);
    }

    /** {@code out[outOff + t·n_out + o] = W[o]·x[xOff + t·n_in ..]} for {@code t < n}. */
    void forward(Parallel pool, float[] x, int xOff, int n, float[] out, int outOff) {
        curX = x;
        curXOff = xOff;
        curOut = out;
        curOutOff = outOff;
        curTokens = n;
        int blocks = (nOut + BLOCK - 1) / BLOCK;
        pool.forRange(blocks, 1, forwardBody);
        curX = curOut = null;
    }

    private void forwardRows(int b0, int b1) {
        float[] buf = scratch();
        float[] x = curX, out = curOut;
        int tOff = BLOCK * nIn;
        for (int b = b0; b < b1; b++) {
            int r0 = b * BLOCK, r1 = Math.min(nOut, r0 + BLOCK), rows = r1 - r0;
            dequantize(r0, r1, buf);
            for (int i = 0; i < nIn; i++) {
                int to = tOff + i * BLOCK;
                for (int j = 0; j < rows; j++) buf[to + j] = buf[j * nIn + i];
                for (int j = rows; j < BLOCK; j++) buf[to + j] = 0f;
            }
            for (int t = 0; t < curTokens; t++) {
                FloatMath.blockRows(buf, tOff, nIn, x, curXOff + t * nIn, out, curOutOff + t * nOut + r0, rows);
            }
        }
    }

    /** {@code dx[dxOff + t·n_in + i] += Σ_o W[o][i]·dy[dyOff + t·n_out + o]} for {@code t < n}. */
    void backwardInput(Parallel pool, float[] dy, int dyOff, int n, float[] dx, int dxOff) {
        curX = dy;
        curXOff = dyOff;
        curOut = dx;
        curOutOff = dxOff;
        curTokens = n;
        pool.forRange(n, 8, backwardBody);
        curX = curOut = null;
    }

    private void backwardTokens(int t0, int t1) {
        float[] buf = scratch();
        float[] dy = curX, dx = curOut;
        for (int r0 = 0; r0 < nOut; r0 += BLOCK) {
            int r1 = Math.min(nOut, r0 + BLOCK);
            dequantize(r0, r1, buf);
            for (int t = t0; t < t1; t++) {
                int dyo = curXOff + t * nOut, dxo = curOutOff + t * nIn;
                for (int r = r0; r < r1; r++) {
                    float g = dy[dyo + r];
                    if (g != 0f) FloatMath.axpy(g, buf, (r - r0) * nIn, dx, dxo, nIn);
                }
            }
        }
    }
}
