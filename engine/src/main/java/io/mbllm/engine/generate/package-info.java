/**
 * Generation: the {@link io.mbllm.engine.generate.Generator} loop over a
 * {@link io.mbllm.engine.generate.LogitSource} (a model sequence) and a streaming
 * {@link io.mbllm.engine.generate.TokenDecoder}, reporting {@link io.mbllm.engine.generate.GenerationStats};
 * {@link io.mbllm.engine.generate.Greedy} is the bare argmax loop the engine's tests use.
 */
package io.mbllm.engine.generate;
