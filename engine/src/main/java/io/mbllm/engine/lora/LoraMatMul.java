package io.mbllm.engine.lora;

import java.lang.foreign.MemorySegment;

import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.gguf.quant.VecDot;
import io.mbllm.kernels.MatMul;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.WeightMatrix;

/**
 * The matrix multiplication of one inference context with LoRA adapters: {@code out = W·x} by the base kernel,
 * then for every adapter bound to {@code W}: {@code out += scale · B·(A·x)} (before any bias, as llama.cpp).
 * The adapter products follow ggml's CPU semantics: the right-hand operand is converted to the matrix's
 * vec_dot type first (x to F16 or Q8_0 for an F16 or Q8_0 {@code lora_a}, {@code A·x} to F16 for an F16
 * {@code lora_b}), then the reference dot product of each row. Also adds the {@code token_embd} term to looked-up
 * embeddings ({@link #addToEmbeddings}).
 *
 * <p>Not thread-safe: one per context; its scratch buffers are sized once, so calls allocate nothing.
 */
public final class LoraMatMul implements MatMul {
    private LoraSet set;
    private final MatMul base;
    private final Parallel parallel;
    private int maxBatch;

    private byte[] actX;     // x in A's activation format, [n][rowBytes]
    private float[] ax;      // A·x, [n][r]
    private byte[] actAx;    // A·x in B's activation format, [n][rowBytes]
    private MemorySegment actXSeg, actAxSeg;

    // state of the product in progress, read by the range bodies (built once)
    private LoraDelta cur;
    private float[] curOut;
    private int curTokens, curActXRow, curActAxRow;
    private VecDot curDotA, curDotB;
    private final Parallel.RangeBody productA = this::productA;
    private final Parallel.RangeBody productB = this::productB;

    LoraMatMul(LoraSet set, MatMul base, Parallel parallel, int maxBatch) {
        this.set = set;
        this.base = base;
        this.parallel = parallel;
        allocate(Math.max(1, maxBatch));
    }

    private void allocate(int batch) {
        long xBytes = 0, axBytes = 0;
        int maxRank = 0;
        for (LoraDelta d : set.all()) {
            xBytes = Math.max(xBytes, d.embedding() ? 0 : d.aActivation().rowBytes(d.inputs()));
            axBytes = Math.max(axBytes, d.bActivation().rowBytes(d.rank()));
            maxRank = Math.max(maxRank, d.rank());
        }
        this.maxBatch = batch;
        actX = new byte[Math.toIntExact(xBytes * batch)];
        ax = new float[Math.multiplyExact(maxRank, batch)];
        actAx = new byte[Math.toIntExact(axBytes * batch)];
        actXSeg = MemorySegment.ofArray(actX);
        actAxSeg = MemorySegment.ofArray(actAx);
    }

    /** The adapters applied. */
    public LoraSet set() {
        return set;
    }

    /**
     * Applies {@code next} from the next product on (e.g. another request's scales on the same context). The set
     * must be bound to the same model; scratch buffers grow when its ranks or widths need more. Not for use
     * while a product runs.
     */
    public void use(LoraSet next) {
        if (next.model() != set.model()) throw new IllegalArgumentException("the LoRA adapters are bound to another model");
        if (next == set) return;
        set = next;
        allocate(maxBatch);
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, int nTokens, float[] out) {
        base.matmul(w, x, nTokens, out);
        LoraDelta[] deltas = set.deltas(w);
        if (deltas == null) return;
        if (nTokens > maxBatch) allocate(nTokens);
        for (LoraDelta d : deltas) apply(d, x, nTokens, out);
    }

    /** The base kernel's grouped product (same path, same bits as without adapters), then each matrix's deltas. */
    @Override
    public void matmulAll(WeightMatrix[] ws, int count, float[] x, int nTokens, float[][] outs) {
        base.matmulAll(ws, count, x, nTokens, outs);
        for (int i = 0; i < count; i++) {
            LoraDelta[] deltas = set.deltas(ws[i]);
            if (deltas == null) continue;
            if (nTokens > maxBatch) allocate(nTokens);
            for (LoraDelta d : deltas) apply(d, x, nTokens, outs[i]);
        }
    }

    /** {@code out += scale · B·(A·x)} for {@code n} rows of x. */
    private void apply(LoraDelta d, float[] x, int n, float[] out) {
        WeightMatrix a = d.a();
        QuantTypes.Traits ta = QuantTypes.of(a.type());
        QuantCodec actCodec = QuantTypes.codec(ta.vecDotType());
        int nIn = a.cols();
        curActXRow = (int) ta.vecDotType().rowBytes(nIn);
        for (int t = 0; t < n; t++) actCodec.quantizeRow(x, t * nIn, null, 0, nIn, actX, t * curActXRow);
        cur = d;
        curTokens = n;
        curDotA = ta.vecDot();
        parallel.forRange(n * d.rank(), 64, productA);
        finish(d, n, out);
    }

    /** {@code ax[t][k] = A[k] · x[t]} for flat indices {@code t*r + k} in {@code [from, to)}. */
    private void productA(int from, int to) {
        LoraDelta d = cur;
        int r = d.rank(), nIn = d.a().cols();
        long rowBytes = d.a().rowBytes();
        MemorySegment data = d.a().data();
        for (int i = from; i < to; i++) {
            int t = i / r, k = i - t * r;
            ax[i] = curDotA.dot(data, k * rowBytes, actXSeg, (long) t * curActXRow, nIn);
        }
    }

    /** Converts {@code ax} to B's activation format and adds {@code scale · B·ax} to {@code out}. */
    private void finish(LoraDelta d, int n, float[] out) {
        QuantTypes.Traits tb = QuantTypes.of(d.b().type());
        QuantCodec actCodec = QuantTypes.codec(tb.vecDotType());
        int r = d.rank();
        curActAxRow = (int) tb.vecDotType().rowBytes(r);
        for (int t = 0; t < n; t++) actCodec.quantizeRow(ax, t * r, null, 0, r, actAx, t * curActAxRow);
        cur = d;
        curTokens = n;
        curOut = out;
        curDotB = tb.vecDot();
        parallel.forRange(d.outputs(), 64, productB);
        curOut = null;
    }

    /** {@code out[t][o] += scale · (B[o] · ax[t])} for output rows {@code [from, to)}. */
    private void productB(int from, int to) {
        LoraDelta d = cur;
        int r = d.rank(), nOut = d.outputs(), n = curTokens;
        float scale = d.scale();
        long rowBytes = d.b().rowBytes();
        MemorySegment data = d.b().data();
        float[] out = curOut;
        for (int o = from; o < to; o++) {
            for (int t = 0; t < n; t++) {
                float v = curDotB.dot(data, o * rowBytes, actAxSeg, (long) t * curActAxRow, r);
                out[t * nOut + o] += v * scale;
            }
        }
    }

    /**
     * Adds the {@code token_embd} adapter terms to {@code n} looked-up embedding rows:
     * {@code x[t] += scale · B·A[tokens[from+t]]} ({@code x} holds rows of n_embd).
     */
    public void addToEmbeddings(int[] tokens, int from, int n, float[] x) {
        LoraDelta[] deltas = set.embeddingDeltas();
        if (deltas.length == 0) return;
        if (n > maxBatch) allocate(n);
        for (LoraDelta d : deltas) {
            WeightMatrix a = d.a();
            QuantCodec codec = QuantTypes.codec(a.type());
            int r = d.rank();
            for (int t = 0; t < n; t++) codec.dequantizeRow(a.data(), tokens[from + t] * a.rowBytes(), ax, t * r, r);
            finish(d, n, x);
        }
    }
}
