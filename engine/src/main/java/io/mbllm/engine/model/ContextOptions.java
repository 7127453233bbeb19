package io.mbllm.engine.model;

import io.mbllm.engine.lora.LoraSet;
import io.mbllm.kernels.MatMul;
import io.mbllm.kernels.Parallel;

/**
 * How to build an {@link InferenceContext}.
 *
 * @param contextLength {@code num_ctx}: positions the KV cache holds; evaluating past it throws
 *                      {@link ContextOverflowException}
 * @param maxBatch      most tokens one forward pass processes together (longer prompts go in several chunks);
 *                      activation buffers are sized for it
 * @param parallel      thread pool for matmuls and attention, or {@code null} for a pool of all cores owned
 *                      (and closed) by the context
 * @param matMul        matrix multiplication kernel, or {@code null} for the fastest available ({@link io.mbllm.kernels.MatMuls#best})
 *                      on {@code parallel}; the context must be its only user
 * @param loras         LoRA adapters applied at run time (bound to the same model), or {@code null} for none
 */
public record ContextOptions(int contextLength, int maxBatch, Parallel parallel, MatMul matMul, LoraSet loras) {
    public ContextOptions {
        if (contextLength < 1) throw new IllegalArgumentException("contextLength must be >= 1: " + contextLength);
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be >= 1: " + maxBatch);
    }

    /** Options without LoRA adapters. */
    public ContextOptions(int contextLength, int maxBatch, Parallel parallel, MatMul matMul) {
        this(contextLength, maxBatch, parallel, matMul, null);
    }

    /** {@code num_ctx} tokens, batches of up to 512, default pool and kernel. */
    public static ContextOptions of(int contextLength) {
        return new ContextOptions(contextLength, Math.min(512, contextLength), null, null);
    }

    public ContextOptions withMaxBatch(int maxBatch) {
        return new ContextOptions(contextLength, maxBatch, parallel, matMul, loras);
    }

    public ContextOptions withParallel(Parallel parallel) {
        return new ContextOptions(contextLength, maxBatch, parallel, matMul, loras);
    }

    public ContextOptions withMatMul(MatMul matMul) {
        return new ContextOptions(contextLength, maxBatch, parallel, matMul, loras);
    }

    /** The same options with these LoRA adapters ({@code null}: none). */
    public ContextOptions withLoras(LoraSet loras) {
        return new ContextOptions(contextLength, maxBatch, parallel, matMul, loras);
    }
}
