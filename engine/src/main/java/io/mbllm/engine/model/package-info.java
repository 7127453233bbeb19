/**
 * Model loading and the forward pass: {@link io.mbllm.engine.model.ModelConfig} (hyper-parameters),
 * {@link io.mbllm.engine.model.Model} (weights bound to the file), {@link io.mbllm.engine.model.InferenceContext}
 * (KV cache, batched and single-token evaluation, logits).
 */
package io.mbllm.engine.model;
