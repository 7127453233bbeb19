package io.mbllm.engine.model;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A loaded model: its configuration and its weights bound (zero-copy) to a {@link ModelSource}. Immutable and
 * thread-safe; every conversation gets its own {@link InferenceContext} from {@link #newContext}. The source
 * must stay open while the model is used; a model made by {@link #open(Path)} owns its file and unmaps it on
 * {@link #close()}.
 */
public final class Model implements AutoCloseable {
    private final ModelSource source;
    private final ModelConfig config;
    private final ModelWeights weights;
    private final boolean ownsSource;

    private Model(ModelSource source, ModelConfig config, ModelWeights weights, boolean ownsSource) {
        this.source = source;
        this.config = config;
        this.weights = weights;
        this.ownsSource = ownsSource;
    }

    /**
     * Maps the GGUF file at {@code path} and loads the model in it.
     *
     * @throws io.mbllm.gguf.GgufFormatException when the file is not valid GGUF
     * @throws ModelLoadException                when it is not a model mbllm can run
     * @throws IOException                       when it cannot be read
     */
    public static Model open(Path path) throws IOException, ModelLoadException {
        GgufModelSource src = GgufModelSource.open(path);
        try {
            ModelConfig config = ModelConfig.from(src);
            return new Model(src, config, WeightBinder.bind(src, config), true);
        } catch (ModelLoadException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    /**
     * Parses the configuration and binds every tensor.
     *
     * @throws ModelLoadException naming the unsupported architecture, the bad key or the bad tensor
     */
    public static Model load(ModelSource source) throws ModelLoadException {
        ModelConfig config = ModelConfig.from(source);
        return new Model(source, config, WeightBinder.bind(source, config), false);
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

    /** Closes the source when this model opened it ({@link #open(Path)}); otherwise does nothing. */
    @Override
    public void close() {
        if (ownsSource && source instanceof GgufModelSource g) g.close();
    }

    /**
     * A fresh context (empty KV cache) with the given options.
     *
     * @throws IllegalArgumentException when the KV cache for {@code contextLength} does not fit in the heap
     *                                  (the message states the size), instead of running out of memory
     */
    public InferenceContext newContext(ContextOptions options) {
        long need = KvCache.bytesFor(config, options.contextLength());
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        long perLayer = 0;
        for (int l = 0; l < config.blockCount(); l++) {
            perLayer = Math.max(perLayer, (long) options.contextLength() * Math.max(config.keyDim(l), config.valueDim(l)));
        }
        if (need > available || perLayer > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("num_ctx " + options.contextLength() + " needs a " + (need >> 20)
                    + " MiB KV cache (" + (KvCache.F16 ? "F16" : "F32") + "); only " + (available >> 20)
                    + " MiB of heap are free");
        }
        return new InferenceContext(this, options);
    }
}
