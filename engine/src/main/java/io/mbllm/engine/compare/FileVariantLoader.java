package io.mbllm.engine.compare;

import java.io.IOException;
import java.nio.file.NoSuchFileException;

import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.model.ModelLoadException;
import io.mbllm.engine.tokenizer.Tokenizer;
import io.mbllm.engine.tokenizer.TokenizerException;
import io.mbllm.engine.tokenizer.Tokenizers;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.kernels.MatMul;
import io.mbllm.kernels.Parallel;

/**
 * Opens each variant's GGUF file directly (memory-mapped) with one context on a shared thread pool; closing the
 * variant unmaps it, so one variant is resident at a time. The load time covers mapping the file, binding the
 * weights, reading the tokenizer and allocating the context.
 */
public final class FileVariantLoader implements VariantLoader {
    private final Parallel pool;
    private final MatMul matMul;

    /**
     * @param pool   the threads every context computes on
     * @param matMul the matrix kernels, or null for the best available
     */
    public FileVariantLoader(Parallel pool, MatMul matMul) {
        this.pool = pool;
        this.matMul = matMul;
    }

    @Override
    public LoadedVariant open(Variant variant, int numCtx) throws CompareException {
        long t0 = System.nanoTime();
        Model model;
        try {
            model = Model.open(variant.file());
        } catch (NoSuchFileException e) {
            throw new CompareException(variant.file() + ": no such file", e);
        } catch (GgufFormatException e) {
            throw new CompareException(variant.file() + ": not a valid GGUF file: " + e.getMessage(), e);
        } catch (ModelLoadException | IOException e) {
            throw new CompareException(variant.file() + ": " + e.getMessage(), e);
        }
        try {
            Tokenizer tokenizer = Tokenizers.fromGguf(((GgufModelSource) model.source()).file().metadata());
            int trained = model.config().contextLength();
            int n = trained > 0 ? Math.min(numCtx, trained) : numCtx;
            ContextOptions options = ContextOptions.of(n).withMaxBatch(Math.min(512, n)).withParallel(pool);
            InferenceContext ctx = model.newContext(matMul != null ? options.withMatMul(matMul) : options);
            long loadNanos = System.nanoTime() - t0;
            return new Loaded(model, tokenizer, ctx, loadNanos);
        } catch (TokenizerException e) {
            model.close();
            throw new CompareException(variant.file() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private record Loaded(Model model, Tokenizer tokenizer, InferenceContext context, long loadNanos) implements LoadedVariant {
        @Override
        public void close() {
            context.close();
            model.close();
        }
    }
}
