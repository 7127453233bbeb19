package io.mbllm.engine.compare;

/**
 * Gets a variant ready: the command line opens the file itself ({@link FileVariantLoader}), the server asks its
 * scheduler, so that a comparison takes its turn with chat requests.
 */
@FunctionalInterface
public interface VariantLoader {
    /**
     * Loads {@code variant} with a context of {@code numCtx} positions (or fewer, when the model's trained
     * context is shorter).
     *
     * @throws CompareException when the model cannot be loaded (the message says why)
     */
    LoadedVariant open(Variant variant, int numCtx) throws CompareException;
}
