package io.mbllm.engine.model;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import io.mbllm.kernels.nativ.WeightCopies;

/**
 * A loaded model: its configuration and its weights bound (zero-copy) to a {@link ModelSource}. Immutable and
 * thread-safe; every conversation gets its own {@link InferenceContext} from {@link #newContext}. The source
 * must stay open while the model is used; a model made by {@link #open(Path)} owns its file and unmaps it on
 * {@link #close()}, together with the native copies the kernels made of its weights ({@link WeightCopies}: packed
 * layouts, huge-page copies), which would otherwise stay resident until the garbage collector found them.
 *
 * <p>After {@link #close()} its contexts refuse to run (an {@link IllegalStateException}); a matmul already running
 * on another thread finishes before the copies are unmapped.
 */
public final class Model implements AutoCloseable {
    private final ModelSource source;
    private final ModelConfig config;
    private final ModelWeights weights;
    private final boolean ownsSource;
    /** The owner of the kernels' copies of the weights of a model that mapped its own file; else null. */
    private final WeightCopies copies;
    private volatile boolean closed;

    private Model(ModelSource source, ModelConfig config, ModelWeights weights, boolean ownsSource, WeightCopies copies) {
        this.source = source;
        this.config = config;
        this.weights = weights;
        this.ownsSource = ownsSource;
        this.copies = copies;
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
            ModelWeights weights = WeightBinder.bind(src, config);
            return new Model(src, config, weights, true, WeightCopies.open(src.file().segment().scope(), path.toString()));
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
        return new Model(source, config, WeightBinder.bind(source, config), false, null);
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

    /**
     * The native copies of the weights, owned by this model (a model made by {@link #open(Path)}), or null when the
     * model does not own its memory (the copies of its matrices are then freed by the garbage collector).
     */
    public WeightCopies weightCopies() {
        return copies;
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Marks the model closed (its contexts refuse to run), and when it opened its own file ({@link #open(Path)})
     * unmaps the kernels' copies of its weights, waiting for a matmul in flight, then the file. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (copies != null) copies.close();
        if (ownsSource && source instanceof GgufModelSource g) g.close();
    }

    /**
     * A fresh context (empty KV cache) with the given options.
     *
     * @throws IllegalArgumentException when the KV cache for {@code contextLength} cannot fit (the message states the
     *                                  size): an F16 cache (native memory) larger than the machine's memory, a float32
     *                                  cache (Java heap) larger than the free heap or than one array per layer holds
     */
    public InferenceContext newContext(ContextOptions options) {
        checkOpen();
        long need = KvCache.bytesFor(config, options.contextLength());
        String what = "num_ctx " + options.contextLength() + " needs a " + (need >> 20) + " MiB KV cache";
        if (KvCache.F16) {
            long physical = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize();
            if (need > physical) {
                throw new IllegalArgumentException(what + " (F16); this machine has " + (physical >> 20) + " MiB of memory");
            }
        } else {
            Runtime rt = Runtime.getRuntime();
            long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
            long perLayer = 0;
            for (int l = 0; l < config.blockCount(); l++) {
                perLayer = Math.max(perLayer, (long) options.contextLength() * Math.max(config.keyDim(l), config.valueDim(l)));
            }
            if (need > available || perLayer > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(what + " (F32); only " + (available >> 20) + " MiB of heap are free");
            }
        }
        return new InferenceContext(this, options);
    }

    /** @throws IllegalStateException when the model is closed */
    void checkOpen() {
        if (closed) throw new IllegalStateException("the model " + source.describe() + " is closed");
    }
}
