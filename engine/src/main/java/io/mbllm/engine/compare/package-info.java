/**
 * Side-by-side comparison of model variants (usually quantizations of one model): the same prompts run greedily
 * through each, with size, bits per weight, load time and speed per variant, and against a reference variant
 * the KL divergence of the next-token distributions, top-1 agreement, perplexity on a text and the first token
 * where the greedy answers part. {@link io.mbllm.engine.compare.Comparison} runs it, loading one variant at a
 * time through a {@link io.mbllm.engine.compare.VariantLoader}.
 */
package io.mbllm.engine.compare;
