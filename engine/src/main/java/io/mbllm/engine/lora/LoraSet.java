package io.mbllm.engine.lora;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import io.mbllm.engine.model.LayerWeights;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.model.ModelSource;
import io.mbllm.engine.model.ModelWeights;
import io.mbllm.kernels.MatMul;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.WeightMatrix;

/**
 * Several LoRA adapters, each with a scale, bound to one {@link Model} and applied at run time (the base weights
 * are not copied or changed). Immutable and thread-safe: every {@link io.mbllm.engine.model.InferenceContext}
 * built with {@code ContextOptions.withLoras(set)} gets its own {@link LoraMatMul} from {@link #newMatMul}.
 *
 * <p>Every adapter that targets a matrix adds its own term, in the order given (llama.cpp sums them in an
 * unspecified order; the difference is rounding). Adapters with user scale 0 are left out. An adapter tensor for
 * a base tensor the forward pass does not multiply with (e.g. a 2-D tensor it reads otherwise) does nothing, as
 * in llama.cpp. The adapters must stay open while the set is used.
 */
public final class LoraSet {
    private final Model model;
    private final List<ScaledLora> adapters;
    private final Map<WeightMatrix, LoraDelta[]> byMatrix;
    private final LoraDelta[] embedding;

    private LoraSet(Model model, List<ScaledLora> adapters, Map<WeightMatrix, LoraDelta[]> byMatrix, LoraDelta[] embedding) {
        this.model = model;
        this.adapters = List.copyOf(adapters);
        this.byMatrix = byMatrix;
        this.embedding = embedding;
    }

    /**
     * Checks every adapter against the model ({@link LoraAdapter#checkFits}) and binds its pairs to the model's
     * matrices.
     *
     * @throws LoraException naming the adapter and the problem
     */
    public static LoraSet bind(Model model, List<ScaledLora> adapters) throws LoraException {
        ModelWeights w = model.weights();
        Map<String, WeightMatrix> matrices = matricesByName(w);
        Map<WeightMatrix, List<LoraDelta>> grouped = new IdentityHashMap<>();
        List<LoraDelta> emb = new ArrayList<>();
        for (ScaledLora s : adapters) {
            LoraAdapter ad = s.adapter();
            ad.checkFits(model.source(), w.tiedEmbeddings());
            if (s.userScale() == 0f) continue;
            for (LoraPair p : ad.pairs()) {
                WeightMatrix target = matrices.get(p.base());
                if (target == null) continue; // exists in the file but is not a product of the forward pass
                LoraDelta d = new LoraDelta(p.base(), matrix(p.a()), matrix(p.b()), ad.scale(s.userScale(), p.rank()),
                        p.tokenEmbedding());
                if (d.embedding()) emb.add(d);
                else grouped.computeIfAbsent(target, k -> new ArrayList<>()).add(d);
            }
        }
        Map<WeightMatrix, LoraDelta[]> byMatrix = new IdentityHashMap<>();
        grouped.forEach((k, v) -> byMatrix.put(k, v.toArray(LoraDelta[]::new)));
        return new LoraSet(model, adapters, Collections.unmodifiableMap(byMatrix), emb.toArray(LoraDelta[]::new));
    }

    /** The token embedding and every matrix of the forward pass, by tensor name. */
    private static Map<String, WeightMatrix> matricesByName(ModelWeights w) {
        Map<String, WeightMatrix> m = new HashMap<>();
        m.put(w.tokenEmbedding().name(), w.tokenEmbedding());
        if (!w.tiedEmbeddings()) m.put(w.output().name(), w.output());
        for (LayerWeights l : w.layers()) {
            for (WeightMatrix x : new WeightMatrix[] {l.wq(), l.wk(), l.wv(), l.wqkv(), l.wo(), l.ffnGate(), l.ffnUp(), l.ffnDown()}) {
                if (x != null) m.put(x.name(), x);
            }
        }
        return m;
    }

    private static WeightMatrix matrix(ModelSource.Tensor t) {
        return new WeightMatrix(t.name(), t.type(), t.data(), Math.toIntExact(t.dim(0)), Math.toIntExact(t.dim(1)));
    }

    /** The model the adapters are bound to. */
    public Model model() {
        return model;
    }

    /** The adapters with their user scales, as given. */
    public List<ScaledLora> adapters() {
        return adapters;
    }

    /** The deltas on {@code w} (identity of the model's matrix), or {@code null} when none. */
    LoraDelta[] deltas(WeightMatrix w) {
        return byMatrix.get(w);
    }

    /** The deltas on the token embedding (empty when none). */
    LoraDelta[] embeddingDeltas() {
        return embedding;
    }

    /** All deltas (for sizing scratch buffers). */
    List<LoraDelta> all() {
        List<LoraDelta> out = new ArrayList<>();
        byMatrix.values().forEach(d -> out.addAll(List.of(d)));
        out.addAll(List.of(embedding));
        return out;
    }

    /** Number of bound (matrix, adapter) terms. */
    public int size() {
        return all().size();
    }

    /**
     * A matrix multiplication for one inference context: {@code base} followed by the adapter terms of the
     * matrix multiplied, for batches of up to {@code maxBatch} tokens.
     */
    public LoraMatMul newMatMul(MatMul base, Parallel parallel, int maxBatch) {
        return new LoraMatMul(this, base, parallel, maxBatch);
    }
}
