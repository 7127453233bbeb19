package io.mbllm.engine.model;

/** Tiny in-memory models of {@link Synthetic} for tests in other packages (the trainer's). */
public final class TinyModels {
    private TinyModels() {}

    /** Vocabulary size of every tiny model. */
    public static final int VOCAB = Synthetic.VOCAB;

    /** llama, GQA 4/2, tied or separate output. */
    public static ModelSource llama(boolean tied) { return Synthetic.llama(tied); }

    /** qwen2: q/k/v biases, NEOX, tied, GQA 6/2. */
    public static ModelSource qwen2() { return Synthetic.qwen2(); }

    /** stablelm: LayerNorm with bias, partial NEOX rotary, q/k/v biases, GQA 4/2. */
    public static ModelSource stablelm() { return Synthetic.stablelmSequential(); }

    /** qwen3 (per-head q/k norms: not trainable). */
    public static ModelSource qwen3() { return Synthetic.qwen3(); }

    /** phi3 (fused matrices: not trainable). */
    public static ModelSource phi3() { return Synthetic.phi3(); }
}
