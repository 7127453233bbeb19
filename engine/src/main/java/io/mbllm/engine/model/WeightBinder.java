package io.mbllm.engine.model;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.mbllm.engine.model.Architecture.FfnLayout;
import io.mbllm.engine.model.Architecture.NormKind;
import io.mbllm.engine.model.Architecture.QkNorm;
import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.kernels.WeightMatrix;

/**
 * Binds the tensors of a {@link ModelSource} to {@link ModelWeights} for a {@link ModelConfig}: checks every
 * name, shape and type ({@code shared/docs/gguf.md} §5), wraps matrices as zero-copy {@link WeightMatrix}
 * views and reads 1-D tensors (norms, biases, rope factors) into float arrays through the type's codec.
 */
final class WeightBinder {
    private final ModelSource source;
    private final ModelConfig config;

    private WeightBinder(ModelSource source, ModelConfig config) {
        this.source = source;
        this.config = config;
    }

    static ModelWeights bind(ModelSource source, ModelConfig config) throws ModelLoadException {
        return new WeightBinder(source, config).bindAll();
    }

    private ModelWeights bindAll() throws ModelLoadException {
        Architecture arch = config.architecture();
        int nEmbd = config.embeddingLength();
        int nVocab = config.vocabSize();
        boolean layerNorm = arch.norm() == NormKind.LAYER;

        WeightMatrix embd = matrix("token_embd.weight", nEmbd, nVocab);
        float[] outNorm = vector("output_norm.weight", nEmbd);
        float[] outNormB = layerNorm ? vector("output_norm.bias", nEmbd) : optionalVector("output_norm.bias", nEmbd);
        WeightMatrix output = arch.tiedOutputAllowed()
                ? optionalMatrix("output.weight", nEmbd, nVocab).orElse(embd)
                : matrix("output.weight", nEmbd, nVocab);
        float[] outputB = optionalVector("output.bias", nVocab);

        int half = config.ropeDimensions() / 2;
        float[] ropeFreqs = optionalVector("rope_freqs.weight", half);
        float[] ropeLong = optionalVector("rope_factors_long.weight", half);
        float[] ropeShort = optionalVector("rope_factors_short.weight", half);

        List<LayerWeights> layers = new ArrayList<>(config.blockCount());
        for (int l = 0; l < config.blockCount(); l++) layers.add(layer(l));
        return new ModelWeights(embd, outNorm, outNormB, output, outputB, layers, ropeFreqs, ropeLong, ropeShort);
    }

    private LayerWeights layer(int l) throws ModelLoadException {
        Architecture arch = config.architecture();
        String p = "blk." + l + ".";
        int nEmbd = config.embeddingLength();
        int qDim = config.queryDim(l), kDim = config.keyDim(l), vDim = config.valueDim(l);
        int nFf = config.feedForwardLength(l);
        boolean layerNorm = arch.norm() == NormKind.LAYER;

        float[] attnNorm = vector(p + "attn_norm.weight", nEmbd);
        float[] attnNormB = layerNorm ? vector(p + "attn_norm.bias", nEmbd) : optionalVector(p + "attn_norm.bias", nEmbd);

        WeightMatrix wq = null, wk = null, wv = null, wqkv = null;
        float[] bq = null, bk = null, bv = null, bqkv = null;
        Optional<WeightMatrix> fused = optionalMatrix(p + "attn_qkv.weight", nEmbd, qDim + kDim + vDim);
        if (fused.isPresent()) {
            wqkv = fused.get();
            bqkv = optionalVector(p + "attn_qkv.bias", qDim + kDim + vDim);
        } else {
            wq = matrix(p + "attn_q.weight", nEmbd, qDim);
            wk = matrix(p + "attn_k.weight", nEmbd, kDim);
            wv = matrix(p + "attn_v.weight", nEmbd, vDim);
            bq = optionalVector(p + "attn_q.bias", qDim);
            bk = optionalVector(p + "attn_k.bias", kDim);
            bv = optionalVector(p + "attn_v.bias", vDim);
        }

        float[] qNorm = null, kNorm = null;
        if (arch.qkNorm() != QkNorm.NONE) {
            qNorm = headNorm(p + "attn_q_norm.weight", config.headCount(l));
            kNorm = headNorm(p + "attn_k_norm.weight", config.headCountKv(l));
            if (arch.qkNorm() == QkNorm.REQUIRED && (qNorm == null || kNorm == null)) {
                throw bad("required tensor '" + p + (qNorm == null ? "attn_q_norm" : "attn_k_norm") + ".weight' is missing");
            }
            if ((qNorm == null) != (kNorm == null)) throw bad(p + "attn_q_norm and attn_k_norm must both be present or both absent");
        }

        WeightMatrix wo = matrix(p + "attn_output.weight", config.headCount(l) * config.valueLength(), nEmbd);
        float[] bo = optionalVector(p + "attn_output.bias", nEmbd);

        float[] ffnNorm = arch.parallelResidualAllowed() ? optionalVector(p + "ffn_norm.weight", nEmbd) : vector(p + "ffn_norm.weight", nEmbd);
        float[] ffnNormB = optionalVector(p + "ffn_norm.bias", nEmbd);
        if (layerNorm && ffnNorm != null && ffnNormB == null) throw bad("required tensor '" + p + "ffn_norm.bias' is missing");

        WeightMatrix gate = null, up;
        float[] gateB = null, upB;
        if (arch.ffn() == FfnLayout.FUSED_GATE_UP) {
            up = matrix(p + "ffn_up.weight", nEmbd, 2 * nFf);
            upB = optionalVector(p + "ffn_up.bias", 2 * nFf);
        } else {
            gate = matrix(p + "ffn_gate.weight", nEmbd, nFf);
            gateB = optionalVector(p + "ffn_gate.bias", nFf);
            up = matrix(p + "ffn_up.weight", nEmbd, nFf);
            upB = optionalVector(p + "ffn_up.bias", nFf);
        }
        WeightMatrix down = matrix(p + "ffn_down.weight", nFf, nEmbd);
        float[] downB = optionalVector(p + "ffn_down.bias", nEmbd);

        return new LayerWeights(attnNorm, attnNormB, wq, wk, wv, bq, bk, bv, wqkv, bqkv, qNorm, kNorm, wo, bo,
                ffnNorm, ffnNormB, gate, gateB, up, upB, down, downB);
    }

    /** A q/k norm: one weight row shared by all heads ({@code [head]}), or one per head ({@code [head, heads]}). */
    private float[] headNorm(String name, int heads) throws ModelLoadException {
        Optional<ModelSource.Tensor> t = source.tensor(name);
        if (t.isEmpty()) return null;
        int hd = config.keyLength();
        long n = elements(t.get());
        if (t.get().dim(0) != hd || (n != hd && n != (long) hd * heads)) {
            throw bad("tensor '" + name + "' has shape " + t.get().shapeString() + ", expected [" + hd + "] or [" + hd + ", " + heads + "]");
        }
        return floats(t.get(), (int) n);
    }

    private WeightMatrix matrix(String name, int cols, int rows) throws ModelLoadException {
        return optionalMatrix(name, cols, rows).orElseThrow(() -> bad("required tensor '" + name + "' is missing"));
    }

    private Optional<WeightMatrix> optionalMatrix(String name, int cols, int rows) throws ModelLoadException {
        Optional<ModelSource.Tensor> ot = source.tensor(name);
        if (ot.isEmpty()) return Optional.empty();
        ModelSource.Tensor t = ot.get();
        if (t.dim(0) != cols || t.dim(1) != rows || t.dim(2) != 1 || t.dim(3) != 1 || t.rank() > 4) {
            throw bad("tensor '" + name + "' has shape " + t.shapeString() + ", expected [" + cols + ", " + rows + "]");
        }
        requireMultipliable(t);
        long need = t.type().rowBytes(cols) * (long) rows;
        if (t.data().byteSize() < need) {
            throw bad("tensor '" + name + "' holds " + t.data().byteSize() + " bytes, needs " + need);
        }
        return Optional.of(new WeightMatrix(name, t.type(), t.data(), cols, rows));
    }

    private float[] vector(String name, int n) throws ModelLoadException {
        float[] v = optionalVector(name, n);
        if (v == null) throw bad("required tensor '" + name + "' is missing");
        return v;
    }

    private float[] optionalVector(String name, int n) throws ModelLoadException {
        Optional<ModelSource.Tensor> ot = source.tensor(name);
        if (ot.isEmpty()) return null;
        ModelSource.Tensor t = ot.get();
        if (t.dim(0) != n || elements(t) != n) {
            throw bad("tensor '" + name + "' has shape " + t.shapeString() + ", expected [" + n + "]");
        }
        return floats(t, n);
    }

    private static long elements(ModelSource.Tensor t) {
        long n = 1;
        for (long d : t.shape()) n *= d;
        return n;
    }

    /** Reads {@code n} values (whole rows of {@code dim(0)}) through the codec of the tensor's type. */
    private float[] floats(ModelSource.Tensor t, int n) throws ModelLoadException {
        QuantCodec codec = requireSupported(t).codec();
        int cols = (int) t.dim(0);
        long rowBytes = t.type().rowBytes(cols);
        int rows = n / cols;
        if (t.data().byteSize() < rowBytes * rows) {
            throw bad("tensor '" + t.name() + "' holds " + t.data().byteSize() + " bytes, needs " + rowBytes * rows);
        }
        float[] out = new float[n];
        MemorySegment data = t.data();
        for (int r = 0; r < rows; r++) codec.dequantizeRow(data, r * rowBytes, out, r * cols, cols);
        return out;
    }

    private QuantTypes.Traits requireSupported(ModelSource.Tensor t) throws ModelLoadException {
        if (t.dim(0) % t.type().blockSize() != 0) {
            throw bad("tensor '" + t.name() + "': row length " + t.dim(0) + " is not a multiple of the "
                    + t.type().ggmlName() + " block size " + t.type().blockSize());
        }
        return QuantTypes.find(t.type()).orElseThrow(() -> bad("tensor '" + t.name() + "' has type "
                + t.type().ggmlName() + ", which mbllm cannot compute with"));
    }

    /** Types whose dot product works as a weight, decided once per type by a probe on one zero block. */
    private static final Map<GgmlType, Boolean> MULTIPLIABLE = new ConcurrentHashMap<>();

    private void requireMultipliable(ModelSource.Tensor t) throws ModelLoadException {
        QuantTypes.Traits traits = requireSupported(t);
        boolean ok = MULTIPLIABLE.computeIfAbsent(t.type(), type -> {
            if (traits.vecDot() == null || QuantTypes.find(traits.vecDotType()).isEmpty()) return false;
            int n = Math.max(type.blockSize(), traits.vecDotType().blockSize());
            try {
                MemorySegment wz = MemorySegment.ofArray(new byte[(int) type.rowBytes(n)]);
                MemorySegment az = MemorySegment.ofArray(new byte[(int) traits.vecDotType().rowBytes(n)]);
                traits.vecDot().dot(wz, 0, az, 0, n);
                return true;
            } catch (UnsupportedOperationException e) {
                return false;
            }
        });
        if (!ok) {
            throw bad("tensor '" + t.name() + "' has type " + t.type().ggmlName()
                    + ", which is an activation format that cannot be used as a weight matrix");
        }
    }

    private ModelLoadException bad(String what) {
        return new ModelLoadException(source.describe() + ": " + what);
    }
}
