package io.mbllm.engine.model;

/**
 * A loaded model: its configuration and its weights bound (zero-copy) to a {@link ModelSource}. Immutable and
 * thread-safe; every conversation gets its own {@link InferenceContext} from {@link #newContext}. The source
 * must stay open while the model is used.
 */
public final class Model {
    private final ModelSource source;
    private final ModelConfig config;
    private final ModelWeights weights;

    private Model(ModelSource source, ModelConfig config, ModelWeights weights) {
        this.source = source;
        this.config = config;
        this.weights = weights;
    }

    /**
     * Parses the configuration and binds every tensor.
     *
     * @throws ModelLoadException naming the unsupported architecture, the bad key or the bad tensor
     */
    public static Model load(ModelSource source) throws ModelLoadException {
        ModelConfig config = ModelConfig.from(source);
        return new Model(source, config, WeightBinder.bind(source, config));
    }

    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    public ModelSource source() {
        return source;
    }

    /** A fresh context (empty KV cache) with the given options. */
    public InferenceContext newContext(ContextOptions options) {
        return new InferenceContext(this, options);
    }
}
