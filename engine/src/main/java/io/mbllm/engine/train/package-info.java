/**
 * LoRA / QLoRA training on a frozen, memory-mapped base model: a training forward pass with hand-written
 * backward passes ({@link io.mbllm.engine.train.ForwardBackward}), the adapter parameters and their init
 * ({@link io.mbllm.engine.train.LoraParams}, {@link io.mbllm.engine.train.LoraInit}), AdamW
 * ({@link io.mbllm.engine.train.AdamW}), data preparation ({@link io.mbllm.engine.train.TrainData}) and the
 * training loop with checkpoints ({@link io.mbllm.engine.train.Trainer}). Checked step for step against the PyTorch
 * reference in {@code shared/testdata/lora-train-oracle}.
 */
package io.mbllm.engine.train;
