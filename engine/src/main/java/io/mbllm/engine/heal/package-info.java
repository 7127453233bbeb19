/**
 * Healing a quantized model: a LoRA adapter on the quantized student, trained by {@link io.mbllm.engine.train.Trainer}
 * with the distillation loss {@link io.mbllm.engine.heal.DistillLoss} against the unquantized teacher's
 * distributions ({@link io.mbllm.engine.heal.TeacherDistributions}) on text the teacher writes
 * ({@link io.mbllm.engine.heal.TeacherText}) or given text, and measured on held-out text with llama-perplexity's
 * KL divergence ({@link io.mbllm.engine.heal.HeldOutEvaluation}); {@link io.mbllm.engine.heal.Healer} runs it all.
 */
package io.mbllm.engine.heal;
