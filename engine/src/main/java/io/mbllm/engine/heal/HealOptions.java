package io.mbllm.engine.heal;

import java.util.Set;

import io.mbllm.engine.train.LoraTarget;
import io.mbllm.gguf.GgmlType;

/**
 * The settings of one healing run.
 *
 * @param rank         LoRA rank r
 * @param alpha        LoRA alpha (the adapter's scale is alpha/r)
 * @param targets      the block matrices adapted
 * @param lr           AdamW learning rate
 * @param steps        optimizer steps (one batch each, batches taken in turn)
 * @param temperature  distillation temperature T (see {@link DistillLoss})
 * @param seed         seed of the adapter init
 * @param evalContext  tokens per chunk of the held-out evaluation
 * @param adapterType  F16 or F32 adapter tensors
 * @param cacheBytes   most bytes of teacher distributions kept in memory ({@link TeacherDistributions})
 */
public record HealOptions(int rank, float alpha, Set<LoraTarget> targets, double lr, int steps, float temperature,
                          long seed, int evalContext, GgmlType adapterType, long cacheBytes) {
    public HealOptions {
        targets = Set.copyOf(targets);
        if (rank < 1) throw new IllegalArgumentException("--rank must be at least 1, got " + rank);
        if (steps < 0) throw new IllegalArgumentException("--steps must not be negative, got " + steps);
        if (!(temperature > 0) || !Float.isFinite(temperature)) {
            throw new IllegalArgumentException("--temperature must be a positive number, got " + temperature);
        }
        if (evalContext < 4) throw new IllegalArgumentException("--eval-ctx must be at least 4, got " + evalContext);
        if (adapterType != GgmlType.F16 && adapterType != GgmlType.F32) {
            throw new IllegalArgumentException("the adapter can be written as F16 or F32, not " + adapterType.ggmlName());
        }
    }
}
