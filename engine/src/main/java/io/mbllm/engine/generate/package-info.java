/**
 * Generation: the {@link io.mbllm.engine.generate.Generator} loop over a
 * {@link io.mbllm.engine.generate.LogitSource} (a model sequence) and a streaming
 * {@link io.mbllm.engine.generate.TokenDecoder}, reporting {@link io.mbllm.engine.generate.GenerationStats}.
 */
package io.mbllm.engine.generate;
